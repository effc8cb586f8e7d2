"""The order page's related rows (items, invoices, timeline), in a fixed number of queries."""

from __future__ import annotations

from django.db.models import (
    Prefetch,
)

from orders.models import (
    Order,
    OrderEvent,
)


def order_detail_related(*, order: Order) -> dict[str, list]:
    """Items, invoices (with their items and tracking) and the timeline of one order.

    A fixed number of queries whatever the number of items, invoices or events.
    """
    return {
        "items": list(order.items.all()),
        "invoices": list(
            order.invoices.prefetch_related(
                "items", Prefetch("tracking_events", to_attr="tracking")
            )
        ),
        "events": list(
            OrderEvent.objects.filter(order=order)
            .select_related("actor_user")
            .order_by("created_at", "pk")
        ),
    }
