from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = _("File imports")

    def ready(self) -> None:
        # Register the batch task with Celery in every process: the admin dispatches it by
        # name (imports.services), and eager runs need it registered.
        from imports import tasks  # noqa: F401
