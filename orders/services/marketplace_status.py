"""A marketplace order's status, moved by the back office itself: nothing reads such an order
from VTEX (it lives in the marketplace's OMS), so the seller endpoints and the seller's own
commands (``orders.command_kinds``) move its mirror here, audit it, and tell the apps that
hold something for it (the catalog's stock reservations) when it closed.

Its own module so that the command kinds, below the selectors, can move an order without
importing the marketplace's services (which read the invoicing summary).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone

from core.actor import Actor
from orders.models import EventType, Order, OrderEvent
from orders.services.audit import event_record
from orders.status import OrderStatus

ClosedListener = Callable[..., None]
_closed_listeners: list[ClosedListener] = []

CLOSED_STATUSES = (OrderStatus.INVOICED, OrderStatus.CANCELED)


def on_marketplace_order_closed(listener: ClosedListener) -> ClosedListener:
    """Call ``listener(order=..., status=...)`` whenever a marketplace order becomes invoiced
    or canceled, inside that transaction (register once, in ``AppConfig.ready``)."""
    if listener not in _closed_listeners:
        _closed_listeners.append(listener)
    return listener


def marketplace_status_set(
    *,
    order: Order,
    to_status: str,
    source: Actor,
    receipt: str = "",
    payload: dict[str, Any] | None = None,
) -> OrderEvent:
    """Move the (locked) order, audit it, and tell the listeners when it closed."""
    from_status = order.status
    order.status = to_status
    order.vtex_last_change = timezone.now()
    order.save(update_fields=["status", "vtex_last_change"])
    event = event_record(
        order=order,
        type=EventType.STATUS_CHANGED,
        source=source,
        from_status=from_status,
        to_status=to_status,
        receipt=receipt,
        payload=payload,
    )
    if to_status in CLOSED_STATUSES:
        for listener in _closed_listeners:
            listener(order=order, status=to_status)
    return event
