"""The operator operations on orders, declared once.

Each entry says what the operation is called, who may run it, what the operator fills in
(its form; none for a one-click operation), the service that does it, and the one rule that
says whether the order allows it now (``refusal(order, summary) -> str | None``, from
``orders.services.actions``, where the service applies the same rule under the lock).

What an entry is, and the URLs, the order page's buttons, the one operation view and the
changelist actions the admin builds from this table, are the admin toolkit's
(``core.admin_operations``); the catalog's SKU page is built from its own table the same way.
A new operation is one entry here: a service and its rule in ``orders.services.actions``, a
form in ``orders.forms``, a permission on ``Order`` (``orders/models/order.py``).
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _

from core.admin_operations import Operation, operations_allowed
from orders.forms import (
    CancelForm,
    InvoiceForm,
    OrderChangeForm,
    ReturnAndCancelForm,
    TrackingEventsForm,
    TrackingNumberForm,
)
from orders.models import Order
from orders.selectors import InvoicingSummary
from orders.services.actions import (
    cancel_refusal,
    change_refusal,
    invoice_refusal,
    invoice_submit,
    invoice_tracking_set,
    order_cancel,
    order_refresh,
    order_return_and_cancel,
    order_start_handling,
    refresh_refusal,
    return_and_cancel_refusal,
    return_invoice_refusal,
    start_handling_refusal,
    tracking_events_refusal,
    tracking_events_send,
    tracking_number_refusal,
)
from orders.services.changes import (
    change_preview_operation,
    change_stopped_refusal,
    order_change,
    order_change_cancel,
    order_change_retry,
)

START_HANDLING = ("orders.start_handling_order",)
INVOICE = ("orders.invoice_order",)
TRACK = ("orders.track_order",)
CANCEL = ("orders.cancel_order",)
CHANGE = ("orders.register_order_change",)
REFRESH = ("orders.refresh_order",)

# In the order of the order page's buttons. Each row: name, button label, permissions;
# refusal rule, service, form (none: one click); then what differs from the defaults.
# fmt: off
OPERATIONS: dict[str, Operation] = {operation.name: operation for operation in (
    Operation("start-handling", _("Start handling"), START_HANDLING,
              start_handling_refusal, order_start_handling),
    Operation("invoice", _("Invoice"), INVOICE,
              invoice_refusal, invoice_submit, InvoiceForm,
              queued=_("Invoice %(number)s"), submit_label=_("Send invoice")),
    Operation("return-invoice", _("Return invoice"), INVOICE,
              return_invoice_refusal, invoice_submit, InvoiceForm,
              queued=_("Invoice %(number)s"), submit_label=_("Send invoice")),
    Operation("tracking-number", _("Tracking number"), TRACK,
              tracking_number_refusal, invoice_tracking_set, TrackingNumberForm,
              submit_label=_("Send tracking number")),
    Operation("tracking-events", _("Tracking events"), TRACK,
              tracking_events_refusal, tracking_events_send, TrackingEventsForm,
              submit_label=_("Send tracking events")),
    Operation("cancel", _("Cancel"), CANCEL,
              cancel_refusal, order_cancel, CancelForm,
              queued=_("Cancellation"), title=_("Cancel order"), submit_label=_("Cancel order")),
    Operation("return-and-cancel", _("Return invoice, then cancel"), (*CANCEL, *INVOICE),
              return_and_cancel_refusal, order_return_and_cancel, ReturnAndCancelForm,
              queued=_("Return invoice and cancellation"),
              submit_label=_("Return and cancel")),
    Operation("change", _("Order change"), CHANGE,
              change_refusal, order_change, OrderChangeForm,
              submit_label=_("Preview change"), preview=change_preview_operation,
              confirm_label=_("Confirm change")),
    Operation("change-retry", _("Retry order change"), CHANGE,
              change_stopped_refusal, order_change_retry,
              queued=_("Order change retry"), listed_when_unavailable=False),
    Operation("change-cancel", _("Cancel order change"), CHANGE,
              change_stopped_refusal, order_change_cancel, CancelForm,
              queued=_("Order change cancellation"), submit_label=_("Cancel the change"),
              listed_when_unavailable=False),
    Operation("refresh", _("Refresh from VTEX"), REFRESH,
              refresh_refusal, order_refresh,
              queued=_("Refresh")),
)}
# fmt: on


def operations_available(
    *, order: Order, summary: InvoicingSummary, user: AbstractBaseUser | AnonymousUser
) -> list[Operation]:
    """The operations ``user`` may run and the order allows now, in the table's order."""
    return [
        operation
        for operation in operations_allowed(OPERATIONS, user=user)
        if operation.refusal(order, summary) is None
    ]
