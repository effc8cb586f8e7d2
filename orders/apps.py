from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_migrate
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model

        from imports import kinds as import_kinds
        from orders.command_kinds import COMMAND_TYPES
        from orders.models import Actor
        from orders.resources import InvoiceImport, TrackingImport
        from orders.services.operators import operators_make_staff
        from orders.services.outbox import OrderSubject
        from outbox import registry

        # The orders' commands to VTEX go through the shared outbox.
        for command_type in COMMAND_TYPES:
            registry.register(command_type)
        registry.register_subject(OrderSubject())
        registry.register_sources(Actor.choices)
        # The invoice and tracking files (imports app: batches, preview, policies).
        import_kinds.register(InvoiceImport())
        import_kinds.register(TrackingImport())
        post_migrate.connect(_periodic_tasks_sync, sender=self, dispatch_uid="orders-periodic")
        # A user added to an operator group can log in (Django's admin wants staff).
        m2m_changed.connect(
            operators_make_staff,
            sender=get_user_model().groups.through,
            dispatch_uid="orders-operators-staff",
        )


def _periodic_tasks_sync(*, using: str = "default", **kwargs: object) -> None:
    """After every migrate, bring django-celery-beat's rows in line with orders.periodic."""
    from django.db import connections

    from orders.periodic import periodic_tasks_sync

    # `migrate orders` alone may run before django-celery-beat's tables exist.
    if "django_celery_beat_periodictask" not in connections[using].introspection.table_names():
        return
    periodic_tasks_sync(using=using)
