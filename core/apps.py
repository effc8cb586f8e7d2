from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Back office")

    def ready(self) -> None:
        from core.beat import periodic_tasks_sync_after_migrate

        # Sent once per migrated app: each app's declared periodic tasks, after its migrations.
        post_migrate.connect(periodic_tasks_sync_after_migrate, dispatch_uid="core-periodic")
