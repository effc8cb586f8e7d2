from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Back office")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model

        from core.beat import periodic_tasks_sync_after_migrate
        from core.groups import group_permissions_sync_after_migrate, operators_make_staff

        # Sent once per migrated app, after auth created its permissions (auth connected
        # first): each app's declared group permissions and periodic tasks.
        post_migrate.connect(
            group_permissions_sync_after_migrate, dispatch_uid="core-group-permissions"
        )
        post_migrate.connect(periodic_tasks_sync_after_migrate, dispatch_uid="core-periodic")
        # A user added to an operator group can log in (Django's admin wants staff).
        m2m_changed.connect(
            operators_make_staff,
            sender=get_user_model().groups.through,
            dispatch_uid="core-operators-staff",
        )
