"""An order's changes (Order Modifications API), and when its mirror was last read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from orders.models import (
    Order,
    OrderChange,
)


def order_changes(*, order: Order) -> list[OrderChange]:
    """The order's changes (Order Modifications API), newest first, with who asked."""
    return list(order.changes.select_related("requested_by").order_by("-created_at", "-pk"))


@dataclass(frozen=True)
class OrderSyncState:
    """When the mirror of an order was last read from VTEX, and VTEX's ``lastChange`` then."""

    vtex_last_change: datetime | None
    synced_at: datetime

    def holds_change(
        self, *, current_change: datetime | None, last_change: datetime | None
    ) -> bool:
        """Whether the mirror already holds the change a hook notification announces: its
        ``CurrentChange`` is not newer than the mirror's ``lastChange``, or (without one) the
        mirror has a change newer than the notification's ``LastChange``, which can only be
        the announced change or a later one."""
        if self.vtex_last_change is None:
            return False
        if current_change is not None:
            return current_change <= self.vtex_last_change
        return last_change is not None and last_change < self.vtex_last_change


def order_sync_state(*, vtex_order_id: str) -> OrderSyncState | None:
    row = (
        Order.objects.filter(vtex_order_id=vtex_order_id)
        .values_list("vtex_last_change", "synced_at")
        .first()
    )
    return None if row is None else OrderSyncState(*row)
