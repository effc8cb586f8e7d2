from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalog")

    def ready(self) -> None:
        from catalog.command_kinds import COMMAND_TYPES
        from catalog.resources import SkuImport
        from catalog.seller import stock
        from catalog.services.outbox import SkuSubject
        from imports import kinds
        from outbox import registry

        # The catalog's commands to VTEX go through the shared outbox (sources: the orders
        # app registers them, admin, import, outbox...).
        for command_type in COMMAND_TYPES:
            registry.register(command_type)
        registry.register_subject(SkuSubject())
        post_migrate.connect(_periodic_tasks_sync, sender=self, dispatch_uid="catalog-periodic")
        # The units a marketplace order holds leave the stock, or come back, when it closes.
        stock.register()
        # SKUs, prices and stock from CSV and XLSX files (the admin's upload, import_skus).
        kinds.register(SkuImport())


def _periodic_tasks_sync(*, using: str = "default", **kwargs: object) -> None:
    """After every migrate, bring django-celery-beat's rows in line with catalog.periodic."""
    from django.db import connections

    from catalog.periodic import DECLARATIONS
    from orders.periodic import periodic_tasks_sync

    if "django_celery_beat_periodictask" not in connections[using].introspection.table_names():
        return
    periodic_tasks_sync(using=using, declarations=DECLARATIONS)
