"""Refresh: re-read the order from VTEX, through the outbox (one click)."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.actor import Actor
from core.admin_operations import Operation
from orders import command_kinds as kinds
from orders.models import Order
from orders.operations.common import (
    ActionResult,
    order_command_enqueue,
    order_lock,
    refusal_raise,
)
from orders.operations.permissions import REFRESH
from orders.selectors.invoicing import InvoicingSummary
from outbox.models import OPEN_STATES, VtexCommand


def refresh_refusal(order: Order, summary: InvoicingSummary) -> str | None:
    """VTEX answers a read in any status, of the store's orders: a marketplace's order is not
    in the store's OMS, and the back office is where its seller side lives."""
    if order.at_marketplace:
        return _(
            "This order was placed by a marketplace: it is not in the store's VTEX, "
            "there is nothing to read again."
        )
    return None


def order_refresh(
    *, order: Order, user: User | None, source: Actor | str = Actor.ADMIN
) -> ActionResult:
    """Re-read the order from VTEX (through the outbox, so it waits its turn after the
    order's pending commands); one pending refresh per order is enough."""
    with transaction.atomic():
        order = order_lock(order)
        refusal_raise(refresh_refusal, order)
        pending = (
            VtexCommand.objects.filter(order=order, kind=kinds.Refresh.kind, state__in=OPEN_STATES)
            .order_by("pk")
            .first()
        )
        if pending is not None:
            return ActionResult(order=order, command=pending, created=False)
        return order_command_enqueue(
            order=order,
            user=user,
            source=source,
            kind=kinds.Refresh.kind,
            key=kinds.Refresh.key_for(order.vtex_order_id, uuid.uuid4().hex),
            payload=kinds.NoPayload(),
        )


# fmt: off
OPERATIONS = (
    Operation("refresh", gettext_lazy("Refresh from VTEX"), REFRESH,
              refresh_refusal, order_refresh,
              queued=gettext_lazy("Refresh")),
)
# fmt: on
