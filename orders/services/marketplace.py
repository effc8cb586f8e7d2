"""Orders a VTEX marketplace placed with the back office as its seller.

The seller endpoints (``catalog.seller``) receive them: the placement, the marketplace's
authorization to dispatch (fulfill) and its cancellation. Such an order lives in the
marketplace's OMS, not the store's (``Order.at_marketplace``): nothing reads it from VTEX,
so the mirror moves here, on what the marketplace tells the seller and on what the seller's
own commands (invoices, tracking, cancellation, sent to the order's
``marketplaceServicesEndpoint`` by the outbox) did once they succeeded.

Apps that hold something for these orders (the catalog's stock reservations) register a
listener with ``on_marketplace_order_closed``: it runs in the transaction that makes the
order invoiced or canceled. The orders app never imports them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from orders.documents import Document, package_rows
from orders.models import (
    Actor,
    EventType,
    Invoice,
    InvoiceItem,
    InvoiceType,
    Order,
    OrderEvent,
    TrackingEvent,
)
from orders.models.order import untracked_since
from orders.selectors import order_invoicing_summary
from orders.services.audit import event_record
from orders.services.sync import orders_upsert_from_documents
from orders.status import OrderStatus
from outbox.models import VtexCommand

ClosedListener = Callable[..., None]
_closed_listeners: list[ClosedListener] = []

# What the marketplace's authorization and cancellation move the order from and to.
AUTHORIZED_FROM = OrderStatus.WAITING_FFMT_AUTHORIZATION
AUTHORIZED_TO = OrderStatus.READY_FOR_HANDLING
CLOSED_STATUSES = (OrderStatus.INVOICED, OrderStatus.CANCELED)


class MarketplaceOrderRefused(Exception):
    """The seller refuses what the marketplace asked; ``code`` and ``message`` go back to it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def on_marketplace_order_closed(listener: ClosedListener) -> ClosedListener:
    """Call ``listener(order=..., status=...)`` whenever a marketplace order becomes invoiced
    or canceled, inside that transaction (register once, in ``AppConfig.ready``)."""
    if listener not in _closed_listeners:
        _closed_listeners.append(listener)
    return listener


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
            return _status_set(
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
            return _status_set(
                order=order,
                to_status=OrderStatus.CANCELED,
                source=Actor.RECONCILE,
                payload={
                    "marketplace": "lock-expired",
                    "lock_ttl": lock_expired[:10],
                    "reason": reason[:500],
                },
            )
        return _status_set(
            order=order,
            to_status=OrderStatus.CANCELED,
            source=Actor.SELLER_API,
            receipt=uuid.uuid4().hex,
            payload={"marketplace": "cancel", "reason": reason[:500], "request_id": request_id},
        )


# --- What the seller's own commands did ---------------------------------------------------------


def marketplace_commands_applied(*, commands: Sequence[VtexCommand]) -> None:
    """Bring the mirror of marketplace orders up to what their succeeded commands did at the
    marketplace (an invoice, a tracking number, tracking events, a cancellation). Runs in the
    transaction that records the commands' outcome."""
    for command in sorted(commands, key=lambda command: command.pk):
        order = Order.objects.select_for_update().get(pk=command.subject_id)
        apply = _APPLY.get(command.kind)
        if apply is not None and order.at_marketplace:
            apply(order, command.payload)


def _invoice_applied(order: Order, payload: dict[str, Any]) -> None:
    if order.invoices.filter(type=payload["type"], number=payload["number"]).exists():
        return
    package = {
        "invoiceNumber": payload["number"],
        "type": payload["type"],
        "invoiceValue": payload["value"],
        "issuanceDate": payload["issued_at"],
        "invoiceKey": payload.get("key"),
        "invoiceUrl": payload.get("url"),
        "courier": payload.get("courier"),
        "trackingNumber": payload.get("tracking_number"),
        "trackingUrl": payload.get("tracking_url"),
        "dispatchedDate": payload.get("dispatched_at") or None,
        "items": [
            {"itemIndex": line["position"], "quantity": line["quantity"], "price": line["price"]}
            for line in payload.get("lines") or ()
        ],
    }
    items = [{"position": p, "sku_id": s} for p, s in order.items.values_list("position", "sku_id")]
    rows = package_rows(package, items)
    invoice = Invoice.objects.create(order=order, **rows.fields)
    InvoiceItem.objects.bulk_create(InvoiceItem(invoice=invoice, **line) for line in rows.lines)
    invoiced = sum(order.invoices.filter(type=InvoiceType.OUTPUT).values_list("value", flat=True))
    if (
        payload["type"] == InvoiceType.OUTPUT
        and invoiced >= order.value
        and order.status not in CLOSED_STATUSES
    ):
        order.invoiced_at = timezone.now()
        order.save(update_fields=["invoiced_at"])
        _status_set(
            order=order,
            to_status=OrderStatus.INVOICED,
            source=Actor.OUTBOX,
            payload={"invoice": payload["number"]},
        )
    # After the invoicing date, which an invoice without an issue time waits from.
    _untracked_since_refresh(order)


def _tracking_number_applied(order: Order, payload: dict[str, Any]) -> None:
    rows = package_rows(
        {
            "courier": payload.get("courier"),
            "trackingNumber": payload["tracking_number"],
            "trackingUrl": payload.get("tracking_url"),
            "dispatchedDate": payload.get("dispatched_at") or None,
        },
        [],
    )
    fields = {
        name: rows.fields[name]
        for name in ("courier", "tracking_number", "tracking_url", "dispatched_at")
    }
    order.invoices.filter(type=InvoiceType.OUTPUT, number=payload["invoice_number"]).update(
        **fields
    )
    _untracked_since_refresh(order)


def _untracked_since_refresh(order: Order) -> None:
    """``Order.untracked_since`` from the mirror's invoices of the order, as they now are."""
    order.untracked_since = untracked_since(
        order.invoices.values_list("type", "tracking_number", "issued_at"),
        invoiced_at=order.invoiced_at,
        created_at=order.created_at,
    )
    order.save(update_fields=["untracked_since"])


def _tracking_events_applied(order: Order, payload: dict[str, Any]) -> None:
    invoice = order.invoices.filter(
        type=InvoiceType.OUTPUT, number=payload["invoice_number"]
    ).first()
    if invoice is None:
        return
    rows = package_rows(
        {
            "courierStatus": {
                "data": payload.get("events") or [],
                "finished": payload["is_delivered"],
                "deliveredDate": payload.get("delivered_at") or None,
            }
        },
        [],
    )
    known = set(invoice.tracking_events.values_list("description", "occurred_at"))
    TrackingEvent.objects.bulk_create(
        TrackingEvent(invoice=invoice, **event)
        for event in rows.tracking
        if (event["description"], event["occurred_at"]) not in known
    )
    if rows.fields["delivered"]:
        invoice.delivered = True
        invoice.delivered_at = rows.fields["delivered_at"] or timezone.now()
        invoice.save(update_fields=["delivered", "delivered_at"])
        if not order.delivered:
            order.delivered = True
            order.save(update_fields=["delivered"])


def _cancel_applied(order: Order, payload: dict[str, Any]) -> None:
    if order.status != OrderStatus.CANCELED:
        _status_set(
            order=order,
            to_status=OrderStatus.CANCELED,
            source=Actor.OUTBOX,
            payload={"reason": payload.get("reason", "")},
        )


_APPLY: dict[str, Callable[[Order, dict[str, Any]], None]] = {
    "invoice": _invoice_applied,
    "tracking-number": _tracking_number_applied,
    "tracking-events": _tracking_events_applied,
    "cancel": _cancel_applied,
}


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


def _status_set(
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
