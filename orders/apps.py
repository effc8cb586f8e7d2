from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.groups import FINANCE, OPERATIONS, VIEWER

VIEW = (
    "view_order",
    "view_orderitem",
    "view_orderevent",
    "view_invoice",
    "view_invoiceitem",
    "view_trackingevent",
)


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")
    # What each operator group may do with orders (core.groups: synced at every migrate).
    group_permissions = {
        OPERATIONS: (
            *VIEW,
            "start_handling_order",
            "invoice_order",
            "track_order",
            "cancel_order",
            "register_order_change",
            "refresh_order",
            "view_customer_pii",
        ),
        # Viewer: customers' e-mail, document and phone masked (no view_customer_pii).
        FINANCE: (*VIEW, "invoice_order", "track_order", "view_customer_pii"),
        VIEWER: VIEW,
    }

    def ready(self) -> None:
        from core.actor import Actor
        from imports import kinds as import_kinds
        from orders.command_kinds import COMMAND_TYPES
        from orders.services.outbox import OrderSubject
        from orders.spreadsheets import InvoiceImport, TrackingImport
        from outbox import registry

        # The orders' commands to VTEX go through the shared outbox.
        for command_type in COMMAND_TYPES:
            registry.register(command_type)
        registry.register_subject(OrderSubject())
        registry.register_sources(Actor.choices)
        # The invoice and tracking files (imports app: batches, preview, policies).
        import_kinds.register(InvoiceImport())
        import_kinds.register(TrackingImport())
