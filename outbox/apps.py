from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.groups import FINANCE, OPERATIONS, VIEWER

VIEW = ("view_vtexcommand", "view_commandattempt")


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = _("VTEX outbox")
    # What each operator group may do with commands (core.groups: synced at every migrate).
    group_permissions = {
        OPERATIONS: (*VIEW, "retry_vtexcommand", "resolve_vtexcommand"),
        FINANCE: VIEW,
        VIEWER: VIEW,
    }

    def ready(self) -> None:
        # Register the delivery tasks with Celery in every process: the outbox dispatches
        # them by name (outbox.enqueue), and eager runs need them registered.
        from outbox import tasks  # noqa: F401
