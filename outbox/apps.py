from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = _("VTEX outbox")

    def ready(self) -> None:
        # Register the delivery tasks with Celery in every process: the outbox dispatches
        # them by name (outbox.enqueue), and eager runs need them registered.
        from outbox import tasks  # noqa: F401
