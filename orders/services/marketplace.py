"""Orders a VTEX marketplace placed with the back office as its seller.

The seller endpoints (``catalog.seller``) receive them: the placement, the marketplace's
authorization to dispatch (fulfill) and its cancellation. Such an order lives in the
marketplace's OMS, not the store's (``Order.at_marketplace``): nothing reads it from VTEX,
so the mirror moves here, on what the marketplace tells the seller and on what the seller's
own commands (invoices, tracking, cancellation, sent to the order's
``marketplaceServicesEndpoint`` by the outbox) did once they succeeded.

Apps that hold something for these orders (the catalog's stock reservations) register a
listener with ``orders.services.marketplace_status.on_marketplace_order_closed``: it runs in
the transaction that makes the order invoiced or canceled. The orders app never imports them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.db import transaction

from core.actor import Actor
from core.refusals import Refused
from orders.command_kinds import OrderCommand
from orders.documents import Document
from orders.models import (
    EventType,
    Order,
    OrderEvent,
)
from orders.selectors.invoicing import order_invoicing_summary
from orders.services.marketplace_status import marketplace_status_set
from orders.services.sync import orders_upsert_from_documents
from orders.status import OrderStatus
from outbox.models import VtexCommand
from outbox.registry import command_type

# What the marketplace's authorization and cancellation move the order from and to.
AUTHORIZED_FROM = OrderStatus.WAITING_FFMT_AUTHORIZATION
AUTHORIZED_TO = OrderStatus.READY_FOR_HANDLING


class MarketplaceOrderRefused(Refused):
    """The seller refuses what the marketplace asked; ``code`` and ``message`` go back to it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)


# --- What the marketplace asks ------------------------------------------------------------------


def marketplace_order_create(*, document: Document) -> tuple[Order, bool]:
    """Mirror an order the marketplace placed, from a GetOrder-shaped ``document`` whose
    ``orderId`` and ``sellerOrderId`` are the seller order id and which carries the
    marketplace's ``marketplaceServicesEndpoint``. An order already placed (the marketplace
    retrying) comes back unchanged, with ``created`` False."""
    if not document.get("marketplaceServicesEndpoint") or (
        document.get("orderId") != document.get("sellerOrderId")
    ):
        raise ValueError("a marketplace order's document names its services endpoint and its id")
    with transaction.atomic():
        existing = Order.objects.select_for_update().filter(vtex_order_id=document["orderId"])
        order = existing.first()
        if order is not None:
            return order, False
        # A concurrent placement of the same order makes this one update it (same document,
        # nothing changes) and say it did not create it.
        [result] = orders_upsert_from_documents(documents=[document], source=Actor.SELLER_API)
        return Order.objects.get(vtex_order_id=document["orderId"]), result.created


def marketplace_order_authorize(*, order: Order, marketplace_order_id: str) -> OrderEvent:
    """The marketplace authorizes dispatch (payment approved): the order becomes ready for
    handling. Asked again, the first authorization answers (its receipt)."""
    with transaction.atomic():
        order = _lock(order, marketplace_order_id)
        if order.status == AUTHORIZED_FROM:
            return marketplace_status_set(
                order=order,
                to_status=AUTHORIZED_TO,
                source=Actor.SELLER_API,
                receipt=uuid.uuid4().hex,
                payload={"marketplace": "fulfill"},
            )
        earlier = _status_event(order, from_status=AUTHORIZED_FROM, to_status=AUTHORIZED_TO)
        if earlier is not None:
            return earlier
        raise MarketplaceOrderRefused(
            "ORDER_NOT_WAITING_AUTHORIZATION",
            f"Order {order.vtex_order_id} is {order.status}: it was not waiting for the "
            "marketplace's authorization.",
        )


def marketplace_order_cancel(
    *,
    order: Order,
    marketplace_order_id: str,
    reason: str,
    request_id: str = "",
    lock_expired: str = "",
) -> OrderEvent:
    """The marketplace cancels: accepted until the seller sent (or queued) a sale invoice.
    Asked again once canceled, the first cancellation answers (its receipt).

    With ``lock_expired`` (the order's ``lockTTL``), the seller cancels an order the
    marketplace did not authorize within the time it held the units: only while the order
    still waits for that authorization, audited as such (source reconciliation)."""
    with transaction.atomic():
        order = _lock(order, marketplace_order_id)
        if lock_expired and order.status != AUTHORIZED_FROM:
            raise MarketplaceOrderRefused(
                "ORDER_NOT_WAITING_AUTHORIZATION",
                f"Order {order.vtex_order_id} is {order.status}: it no longer waits for the "
                "marketplace's authorization.",
            )
        if order.status == OrderStatus.CANCELED:
            # Canceled already (by the marketplace before, or by the seller's own request).
            earlier = _status_event(order, to_status=OrderStatus.CANCELED, any_source=True)
            if earlier is not None:
                return earlier
        summary = order_invoicing_summary(order=order)
        if summary.output_total > 0 or order.status in (OrderStatus.INVOICE, OrderStatus.INVOICED):
            raise MarketplaceOrderRefused(
                "ORDER_INVOICED",
                f"Order {order.vtex_order_id} is invoiced (or its invoice is being sent): the "
                "seller does not cancel it; a return invoice has to come first.",
            )
        if order.status == OrderStatus.CANCELED:
            raise MarketplaceOrderRefused(
                "ORDER_CANCELED", f"Order {order.vtex_order_id} is already canceled."
            )
        if lock_expired:
            return marketplace_status_set(
                order=order,
                to_status=OrderStatus.CANCELED,
                source=Actor.RECONCILE,
                payload={
                    "marketplace": "lock-expired",
                    "lock_ttl": lock_expired[:10],
                    "reason": reason[:500],
                },
            )
        return marketplace_status_set(
            order=order,
            to_status=OrderStatus.CANCELED,
            source=Actor.SELLER_API,
            receipt=uuid.uuid4().hex,
            payload={"marketplace": "cancel", "reason": reason[:500], "request_id": request_id},
        )


# --- What the seller's own commands did ---------------------------------------------------------


def marketplace_commands_applied(*, commands: Sequence[VtexCommand]) -> None:
    """Bring the mirror of marketplace orders up to what their succeeded commands did at the
    marketplace (each kind says what: ``OrderCommand.applied_at_marketplace``). Runs in the
    transaction that records the commands' outcome."""
    for command in sorted(commands, key=lambda command: command.pk):
        order = Order.objects.select_for_update().get(pk=command.subject_id)
        kind = command_type(command.kind)
        if isinstance(kind, OrderCommand) and order.at_marketplace:
            kind.applied_at_marketplace(order, command)


# --- Shared -------------------------------------------------------------------------------------


def _lock(order: Order, marketplace_order_id: str) -> Order:
    order = Order.objects.select_for_update().get(pk=order.pk)
    if marketplace_order_id and marketplace_order_id != order.marketplace_order_id:
        raise MarketplaceOrderRefused(
            "MARKETPLACE_ORDER_MISMATCH",
            f"Order {order.vtex_order_id} belongs to marketplace order "
            f"{order.marketplace_order_id}, not {marketplace_order_id}.",
        )
    return order


def _status_event(
    order: Order, *, to_status: str, from_status: str = "", any_source: bool = False
) -> OrderEvent | None:
    events = OrderEvent.objects.filter(
        order=order, type=EventType.STATUS_CHANGED, to_status=to_status
    )
    if not any_source:
        events = events.filter(source=Actor.SELLER_API)
    if from_status:
        events = events.filter(from_status=from_status)
    return events.order_by("pk").first()
