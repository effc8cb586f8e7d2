from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.groups import OPERATOR_GROUPS


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = _("File imports")
    # Every operator group sees the batches (core.groups: synced at every migrate); uploading
    # one needs the kind's own permission (orders.invoice_order, catalog.import_sku...).
    group_permissions = dict.fromkeys(OPERATOR_GROUPS, ("view_importbatch",))

    def ready(self) -> None:
        # Register the batch task with Celery in every process: the admin dispatches it by
        # name (imports.services), and eager runs need it registered.
        from imports import tasks  # noqa: F401
