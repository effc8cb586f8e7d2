"""The operator operations on orders, collected in the order of the order page's buttons.

The admin builds its URLs, the order page's buttons and its one operation view from this
table; the changelist actions run its entries on each selected order. A new operation is one
module of this package (its rule, service, form and ``OPERATIONS`` entries, see
``core.admin_operations.Operation``), a permission on ``Order`` (``orders/models/order.py``) and
one line here.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

from core.admin_operations import Operation, operations_allowed
from orders.models import Order
from orders.operations import (
    cancel,
    change,
    invoice,
    refresh,
    start_handling,
    tracking,
    tracking_events,
)
from orders.selectors.invoicing import InvoicingSummary

OPERATIONS: dict[str, Operation] = {
    operation.name: operation
    for module in (
        start_handling,
        invoice,
        tracking,
        tracking_events,
        cancel,
        change,
        refresh,
    )
    for operation in module.OPERATIONS
}


def operations_available(
    *, order: Order, summary: InvoicingSummary, user: User | AnonymousUser
) -> list[Operation]:
    """The operations ``user`` may run and the order allows now, in the table's order."""
    return [
        operation
        for operation in operations_allowed(OPERATIONS, user=user)
        if operation.refusal(order, summary) is None
    ]
