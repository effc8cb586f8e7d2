from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.groups import FINANCE, OPERATIONS, VIEWER

VIEW = (
    "view_sku",
    "view_skusuggestion",
    "view_skuchangenotification",
    "view_stockreservation",
    "view_shippingrule",
)


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalog")
    # What each operator group may do with the catalog (core.groups: synced at every migrate).
    group_permissions = {
        OPERATIONS: (
            *VIEW,
            "add_sku",
            "change_sku",
            "import_sku",
            "notify_sku_change",
            "send_sku_suggestion",
            "add_shippingrule",
            "change_shippingrule",
            "delete_shippingrule",
        ),
        FINANCE: VIEW,
        VIEWER: VIEW,
    }

    def ready(self) -> None:
        from catalog.command_kinds import COMMAND_TYPES
        from catalog.seller import stock
        from catalog.services.outbox import SkuSubject
        from catalog.spreadsheets import SkuImport
        from imports import kinds
        from outbox import registry

        # The catalog's commands to VTEX go through the shared outbox (sources: the orders
        # app registers them, admin, import, outbox...).
        for command_type in COMMAND_TYPES:
            registry.register(command_type)
        registry.register_subject(SkuSubject())
        # The units a marketplace order holds leave the stock, or come back, when it closes.
        stock.register()
        # SKUs, prices and stock from CSV and XLSX files (the admin's upload, import_skus).
        kinds.register(SkuImport())
