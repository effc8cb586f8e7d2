"""The VTEX order status list, declared once.

VTEX sends status strings; the mirror stores them as they come (an unknown
string is still stored and shown as-is) and this module gives them a label,
a colour for the admin, the final set and the actions each status allows.
Sources: VTEX's "Order flow and status" article and the contract sheet
(docs/vtex-contract.md sections 3.8 and 4).
"""

from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class OrderStatus(StrEnum):
    ORDER_CREATED = "order-created"
    ON_ORDER_COMPLETED = "on-order-completed"
    ON_ORDER_COMPLETED_FFM = "on-order-completed-ffm"
    ORDER_ACCEPTED = "order-accepted"
    WAITING_FOR_SELLERS_CONFIRMATION = "waiting-for-sellers-confirmation"
    WAITING_FOR_AUTHORIZATION = "waiting-for-authorization"
    WAITING_FOR_ORDER_AUTHORIZATION = "waiting-for-order-authorization"
    WAITING_FOR_MKT_AUTHORIZATION = "waiting-for-mkt-authorization"
    WAITING_FFMT_AUTHORIZATION = "waiting-ffmt-authorization"
    WAITING_FOR_MANUAL_AUTHORIZATION = "waiting-for-manual-authorization"
    AUTHORIZE_FULFILLMENT = "authorize-fulfillment"
    PAYMENT_PENDING = "payment-pending"
    APPROVE_PAYMENT = "approve-payment"
    PAYMENT_APPROVED = "payment-approved"
    WINDOW_TO_CHANGE_PAYMENT = "window-to-change-payment"
    WINDOW_TO_CHANGE_SELLER = "window-to-change-seller"
    WINDOW_TO_CANCEL = "window-to-cancel"
    WAITING_SELLER_HANDLING = "waiting-seller-handling"
    READY_FOR_HANDLING = "ready-for-handling"
    START_HANDLING = "start-handling"
    HANDLING = "handling"
    WAITING_FOR_FULFILLMENT = "waiting-for-fulfillment"
    READY_FOR_INVOICING = "ready-for-invoicing"
    INVOICE = "invoice"
    INVOICED = "invoiced"
    INVOICE_AFTER_CANCELLATION_DENY = "invoice-after-cancellation-deny"
    REQUEST_CANCEL = "request-cancel"
    CANCELLATION_REQUESTED = "cancellation-requested"
    WAITING_FOR_SELLER_DECISION = "waiting-for-seller-decision"
    CANCEL = "cancel"
    CANCELED = "canceled"
    REPLACED = "replaced"
    ORDER_CREATE_ERROR = "order-create-error"
    ORDER_CREATION_ERROR = "order-creation-error"


S = OrderStatus

LABELS: dict[str, Promise] = {
    S.ORDER_CREATED: _("Order created"),
    S.ON_ORDER_COMPLETED: _("Order completed"),
    S.ON_ORDER_COMPLETED_FFM: _("Order completed (fulfillment)"),
    S.ORDER_ACCEPTED: _("Order accepted"),
    S.WAITING_FOR_SELLERS_CONFIRMATION: _("Waiting for seller confirmation"),
    S.WAITING_FOR_AUTHORIZATION: _("Waiting for authorization"),
    S.WAITING_FOR_ORDER_AUTHORIZATION: _("Waiting for order authorization"),
    S.WAITING_FOR_MKT_AUTHORIZATION: _("Waiting for marketplace authorization"),
    S.WAITING_FFMT_AUTHORIZATION: _("Waiting for fulfillment authorization"),
    S.WAITING_FOR_MANUAL_AUTHORIZATION: _("Waiting for manual authorization"),
    S.AUTHORIZE_FULFILLMENT: _("Authorizing fulfillment"),
    S.PAYMENT_PENDING: _("Payment pending"),
    S.APPROVE_PAYMENT: _("Approving payment"),
    S.PAYMENT_APPROVED: _("Payment approved"),
    S.WINDOW_TO_CHANGE_PAYMENT: _("Window to change payment"),
    S.WINDOW_TO_CHANGE_SELLER: _("Window to change seller"),
    S.WINDOW_TO_CANCEL: _("Cancellation window"),
    S.WAITING_SELLER_HANDLING: _("Waiting for seller handling"),
    S.READY_FOR_HANDLING: _("Ready for handling"),
    S.START_HANDLING: _("Starting handling"),
    S.HANDLING: _("Handling"),
    S.WAITING_FOR_FULFILLMENT: _("Waiting for fulfillment"),
    S.READY_FOR_INVOICING: _("Ready for invoicing"),
    S.INVOICE: _("Verifying invoice"),
    S.INVOICED: _("Invoiced"),
    S.INVOICE_AFTER_CANCELLATION_DENY: _("Invoiced after cancellation denied"),
    S.REQUEST_CANCEL: _("Cancellation requested by the marketplace"),
    S.CANCELLATION_REQUESTED: _("Cancellation requested"),
    S.WAITING_FOR_SELLER_DECISION: _("Waiting for seller decision"),
    S.CANCEL: _("Canceling"),
    S.CANCELED: _("Canceled"),
    S.REPLACED: _("Replaced"),
    # VTEX has both names; the filters must tell them apart.
    S.ORDER_CREATE_ERROR: _("Order creation error (order-create-error)"),
    S.ORDER_CREATION_ERROR: _("Order creation error (order-creation-error)"),
}

# Colour families for the admin badge: what an operator should do with the order.
GREY, BLUE, ORANGE, GREEN, RED, PURPLE = (
    "#6b7280",
    "#2563eb",
    "#d97706",
    "#16a34a",
    "#dc2626",
    "#7c3aed",
)
COLOURS: dict[str, str] = {
    **{status: GREY for status in S},
    S.PAYMENT_APPROVED: BLUE,
    S.WINDOW_TO_CANCEL: BLUE,
    S.READY_FOR_HANDLING: BLUE,
    S.START_HANDLING: ORANGE,
    S.HANDLING: ORANGE,
    S.WAITING_FOR_FULFILLMENT: ORANGE,
    S.READY_FOR_INVOICING: ORANGE,
    S.INVOICE: ORANGE,
    S.INVOICED: GREEN,
    S.INVOICE_AFTER_CANCELLATION_DENY: GREEN,
    S.REQUEST_CANCEL: PURPLE,
    S.CANCELLATION_REQUESTED: PURPLE,
    S.WAITING_FOR_SELLER_DECISION: PURPLE,
    S.CANCEL: RED,
    S.CANCELED: RED,
    S.REPLACED: RED,
    S.ORDER_CREATE_ERROR: RED,
    S.ORDER_CREATION_ERROR: RED,
}

# VTEX freezes an order in these: nothing changes it any more, so reconciliation skips them.
FINAL_STATUSES: frozenset[str] = frozenset(
    {S.INVOICED, S.CANCELED, S.REPLACED, S.INVOICE_AFTER_CANCELLATION_DENY}
)


class Action(StrEnum):
    START_HANDLING = "start-handling"
    INVOICE = "invoice"
    TRACKING = "tracking"
    CANCEL = "cancel"
    CHANGE = "change"
    REFRESH = "refresh"


# VTEX refuses to cancel an order in these: transient statuses (it is moving the order on its
# own), final ones, and incomplete orders (their creation never finished).
_CANCEL_REFUSED: frozenset[str] = FINAL_STATUSES | {
    S.ORDER_CREATED,
    S.ON_ORDER_COMPLETED,
    S.APPROVE_PAYMENT,
    S.START_HANDLING,
    S.INVOICE,
    S.CANCEL,
    S.ORDER_CREATE_ERROR,
    S.ORDER_CREATION_ERROR,
}

# The statuses each operation is allowed in, as VTEX (contract sheet sections 3.8 and 4) and the
# sandbox (sandbox/workflow.py) have them; tests/orders/test_status_contract.py checks every
# status against the sandbox. Invoices are checked apart: an order with invoices cannot be
# canceled, a fully invoiced one cannot be invoiced again.
ALLOWED_ACTIONS: dict[Action, frozenset[str]] = {
    Action.START_HANDLING: frozenset({S.READY_FOR_HANDLING}),
    # Output invoices; straight from ready-for-handling too (contract sheet, section 4).
    Action.INVOICE: frozenset({S.READY_FOR_HANDLING, S.HANDLING}),
    # Tracking attaches to an existing invoice, so wherever an invoice can exist: partial
    # invoices leave the order where invoicing started (even ready-for-handling), and the
    # warehouse statuses may follow them.
    Action.TRACKING: frozenset(
        {
            S.READY_FOR_HANDLING,
            S.HANDLING,
            S.WAITING_FOR_FULFILLMENT,
            S.READY_FOR_INVOICING,
            S.INVOICE,
            S.INVOICED,
            S.INVOICE_AFTER_CANCELLATION_DENY,
        }
    ),
    # Any status before invoicing that VTEX is not moving on its own. In
    # ready-for-handling/handling VTEX may cancel in two steps (cancellation-requested, then
    # a confirming cancel).
    Action.CANCEL: frozenset(S) - _CANCEL_REFUSED,
    # RegisterChange's spec: only in handling, waiting-for-fulfillment and ready-for-invoicing.
    Action.CHANGE: frozenset({S.HANDLING, S.WAITING_FOR_FULFILLMENT, S.READY_FOR_INVOICING}),
    Action.REFRESH: frozenset(S),
}


def status_label(status: str) -> str:
    """The operator-facing label; an unknown VTEX string is shown as VTEX sent it."""
    label = LABELS.get(status)
    return str(label) if label is not None else status


def status_colour(status: str) -> str:
    return COLOURS.get(status, GREY)


def status_allows(status: str, action: Action | str) -> bool:
    if Action(action) is Action.REFRESH:
        return True
    return status in ALLOWED_ACTIONS[Action(action)]


def status_choices() -> list[tuple[str, Promise]]:
    """(value, label) pairs in flow order, for filters and forms."""
    return [(status.value, LABELS[status]) for status in S]
