"""Mirror VTEX orders: read them (GetOrder) and upsert the orders, items and invoices.

Idempotent: syncing the same document twice writes no second event and no second row.
Safe under concurrency: the orders are locked (``select_for_update``) for the whole
upsert, a concurrent first import is resolved through the unique order id, and a
document older than the mirror (a slow reader losing a race) changes nothing.
Fast in bulk: a feed batch or a backfill chunk is one transaction, and its new orders
are written with a handful of bulk INSERTs whatever their number.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from orders.models import (
    Actor,
    EventType,
    Invoice,
    InvoiceItem,
    InvoiceType,
    Order,
    OrderEvent,
    OrderItem,
    TrackingEvent,
)
from orders.services.audit import events_record_many
from vtex import (
    VtexClient,
    VtexError,
    VtexNotFound,
    VtexRateLimited,
    VtexRejected,
    VtexTransientError,
)

logger = logging.getLogger(__name__)

Document = dict[str, Any]

MASK = "***"
# Personal data VTEX puts in a GetOrder document. The mirror keeps what operators need in
# columns (where the admin can mask it per user); the stored raw document keeps none of it.
PERSONAL_KEYS = frozenset(
    {
        "email",
        "followUpEmail",
        "firstName",
        "lastName",
        "clientName",
        "document",
        "phone",
        "corporateName",
        "tradeName",
        "corporateDocument",
        "stateInscription",
        "corporatePhone",
        "userProfileId",
        "receiverName",
        "street",
        "number",
        "complement",
        "reference",
        "postalCode",
        "geoCoordinates",
        "cardHolder",
        "cardNumber",
        "firstDigits",
        "lastDigits",
        "cvv2",
        "expireMonth",
        "expireYear",
        # packageAttachment.packages[].embeddedInvoice: the NF-e XML, which names the
        # customer (CPF, name, address). The invoice's number, key and value have columns.
        "embeddedInvoice",
    }
)


@dataclass(frozen=True)
class SyncResult:
    vtex_order_id: str
    created: bool = False
    status_changed: bool = False
    from_status: str = ""
    to_status: str = ""
    # The document was older than the mirror (another reader already stored a newer one).
    stale: bool = False


@dataclass(frozen=True)
class _Incoming:
    """A GetOrder document read into the rows it gives."""

    vtex_order_id: str
    document: Document
    fields: dict[str, Any]
    items: list[dict[str, Any]]
    packages: list[Document]

    @classmethod
    def read(cls, document: Document) -> _Incoming:
        return cls(
            vtex_order_id=str(document["orderId"]),
            document=document,
            fields=order_fields_from_document(document),
            items=items_from_document(document),
            packages=((document.get("packageAttachment") or {}).get("packages")) or [],
        )

    def older_than(self, moment: datetime | None) -> bool:
        mine = self.fields["vtex_last_change"]
        return mine is not None and moment is not None and mine < moment


def order_upsert_from_document(*, document: Document, source: Actor | str) -> SyncResult:
    """Upsert one order, its items and invoices from a GetOrder document."""
    [result] = orders_upsert_from_documents(documents=[document], source=source)
    return result


def orders_upsert_from_documents(
    *, documents: Sequence[Document], source: Actor | str
) -> list[SyncResult]:
    """Upsert orders, their items and invoices from GetOrder documents, in one transaction.

    Writes an "imported" event the first time an order is seen and a "status changed"
    event (from, to, source) when VTEX's status differs from the mirror's, in that same
    transaction. Results come in order-id order.

    The orders already mirrored are locked first, in one query ordered by pk as every
    other writer locks orders; the new ones are inserted together afterwards. Two writers
    of the same orders therefore wait for each other instead of deadlocking, and the one
    that loses the race to insert an order updates it instead.
    """
    incoming: dict[str, _Incoming] = {}
    for document in documents:
        candidate = _Incoming.read(document)
        current = incoming.get(candidate.vtex_order_id)
        if current is None or current.older_than(candidate.fields["vtex_last_change"]):
            incoming[candidate.vtex_order_id] = candidate

    results: dict[str, SyncResult] = {}
    with transaction.atomic():
        mirrored = _orders_locked(list(incoming))
        new = [incoming[i] for i in sorted(incoming) if i not in mirrored]
        created = _orders_bulk_create(new=new, source=source)
        if created is None:
            # A concurrent importer inserted some of these first: one at a time, then.
            created = []
            for entry in new:
                order, was_created = _order_lock_or_create(entry)
                if was_created:
                    created.append((order, entry))
                else:
                    mirrored[entry.vtex_order_id] = order
            _created_children_write(created=created, source=source)
        for order, entry in created:
            results[entry.vtex_order_id] = SyncResult(
                vtex_order_id=entry.vtex_order_id, created=True, to_status=order.status
            )

        writes = _UpdateWrites()
        for order in sorted(mirrored.values(), key=lambda order: order.pk):
            entry = incoming[order.vtex_order_id]
            results[entry.vtex_order_id] = _order_update(
                order=order, entry=entry, source=source, writes=writes
            )
        writes.flush()
    return [results[vtex_order_id] for vtex_order_id in sorted(results)]


def order_document_fetch(
    *, client: VtexClient, vtex_order_id: str
) -> tuple[str, Document | VtexError]:
    """GET one order; an error about this order alone (not found, refused with a 4xx,
    transient failure, rate limit) comes back instead of the document, so one order VTEX
    refuses stops no batch. Only what stops every read (``VtexAuthError``) raises."""
    try:
        return vtex_order_id, client.get_order(vtex_order_id)
    except (VtexNotFound, VtexRejected, VtexTransientError, VtexRateLimited) as error:
        return vtex_order_id, error


def order_documents_fetch(
    *, client: VtexClient, order_ids: Sequence[str], pool: Executor | None = None
) -> list[tuple[str, Document | VtexError]]:
    """`order_document_fetch` for several orders (through ``pool``'s threads when given)."""
    if pool is None:
        return [order_document_fetch(client=client, vtex_order_id=i) for i in order_ids]
    futures = [pool.submit(order_document_fetch, client=client, vtex_order_id=i) for i in order_ids]
    return [future.result() for future in futures]


def fetch_pool() -> ThreadPoolExecutor:
    """Threads that read orders from VTEX while the calling thread writes the database."""
    return ThreadPoolExecutor(
        max_workers=max(1, settings.ORDERS_SYNC_FETCH_WORKERS), thread_name_prefix="vtex-fetch"
    )


def _orders_locked(vtex_order_ids: list[str]) -> dict[str, Order]:
    if not vtex_order_ids:
        return {}
    orders = (
        Order.objects.select_for_update()
        .filter(vtex_order_id__in=vtex_order_ids)
        .order_by("pk")
        # The stored document is large and never compared (see _order_update).
        .defer("raw_document")
        .prefetch_related("items", "invoices__items", "invoices__tracking_events")
    )
    return {order.vtex_order_id: order for order in orders}


def _orders_bulk_create(
    *, new: list[_Incoming], source: Actor | str
) -> list[tuple[Order, _Incoming]] | None:
    """Insert the new orders and their rows in bulk; None when one of them already exists."""
    if not new:
        return []
    now = timezone.now()
    try:
        # A savepoint: on PostgreSQL a concurrent importer's INSERT of the same order makes
        # this one wait for its commit and then fail, which leaves the transaction usable.
        with transaction.atomic():
            orders = Order.objects.bulk_create(
                Order(vtex_order_id=entry.vtex_order_id, synced_at=now, **entry.fields)
                for entry in new
            )
    except IntegrityError:
        return None
    created = list(zip(orders, new, strict=True))
    _created_children_write(created=created, source=source)
    return created


def _order_lock_or_create(entry: _Incoming) -> tuple[Order, bool]:
    try:
        with transaction.atomic():  # a savepoint, as in _orders_bulk_create
            order = Order.objects.create(
                vtex_order_id=entry.vtex_order_id, synced_at=timezone.now(), **entry.fields
            )
        return order, True
    except IntegrityError:
        order = Order.objects.select_for_update().filter(vtex_order_id=entry.vtex_order_id).first()
        if order is None:
            raise
        return order, False


def _created_children_write(*, created: list[tuple[Order, _Incoming]], source: Actor | str) -> None:
    """The imported events, items and invoices of orders just inserted, in bulk."""
    if not created:
        return
    events_record_many(
        events=[
            OrderEvent(
                order=order,
                type=EventType.IMPORTED,
                source=source,
                to_status=order.status,
                payload={"lastChange": entry.document.get("lastChange")},
            )
            for order, entry in created
        ]
    )
    OrderItem.objects.bulk_create(
        OrderItem(order=order, **item) for order, entry in created for item in entry.items
    )
    _invoices_create(
        wanted=[
            (order, _package_rows(package, entry.items))
            for order, entry in created
            for package in entry.packages
        ]
    )


@dataclass
class _UpdateWrites:
    """What the updates of a batch of orders insert, written together at its end: their
    audit rows, their new invoices and their invoices' new lines and tracking events."""

    untouched: list[int] = field(default_factory=list)
    events: list[OrderEvent] = field(default_factory=list)
    invoices: list[tuple[Order, _PackageRows]] = field(default_factory=list)
    children: list[tuple[Invoice, list[dict[str, Any]], list[dict[str, Any]]]] = field(
        default_factory=list
    )

    def flush(self) -> None:
        # Orders VTEX did not change still record that they were read (reconcile skips them).
        if self.untouched:
            Order.objects.filter(pk__in=self.untouched).update(synced_at=timezone.now())
        if self.events:
            events_record_many(events=self.events)
        _invoices_create(wanted=self.invoices)
        _invoice_children_create(self.children)


def _order_update(
    *, order: Order, entry: _Incoming, source: Actor | str, writes: _UpdateWrites
) -> SyncResult:
    if entry.older_than(order.vtex_last_change):
        logger.info("order %s: ignoring a document older than the mirror", order.vtex_order_id)
        return SyncResult(
            vtex_order_id=order.vtex_order_id,
            stale=True,
            from_status=order.status,
            to_status=order.status,
        )

    from_status = order.status
    # The stored document is not read back to compare: VTEX moves lastChange (a column) with
    # every change of the order, so the document is rewritten whenever a column changed.
    changed = [
        name
        for name, value in entry.fields.items()
        if name != "raw_document" and getattr(order, name) != value
    ]
    if changed:
        changed.append("raw_document")
        for name in changed:
            setattr(order, name, entry.fields[name])
        order.synced_at = timezone.now()
        order.save(update_fields=[*changed, "synced_at"])
    else:
        writes.untouched.append(order.pk)

    status_changed = from_status != order.status
    if status_changed:
        writes.events.append(
            OrderEvent(
                order=order,
                type=EventType.STATUS_CHANGED,
                source=source,
                from_status=from_status,
                to_status=order.status,
                payload={"lastChange": entry.document.get("lastChange")},
            )
        )
    _items_replace_if_changed(order=order, items=entry.items)
    if entry.packages:
        _invoices_update(order=order, entry=entry, writes=writes)
    return SyncResult(
        vtex_order_id=order.vtex_order_id,
        status_changed=status_changed,
        from_status=from_status,
        to_status=order.status,
    )


# --- Reading VTEX's document ------------------------------------------------------------


def order_fields_from_document(document: Document) -> dict[str, Any]:
    """The `Order` columns a GetOrder document gives (all but the id and bookkeeping)."""
    totals = {total.get("id"): _int(total.get("value")) for total in document.get("totals") or []}
    client = document.get("clientProfileData") or {}
    shipping = document.get("shippingData") or {}
    address = shipping.get("address") or {}
    logistics = shipping.get("logisticsInfo") or []
    estimates = [
        moment
        for moment in (parse_vtex_datetime(info.get("shippingEstimateDate")) for info in logistics)
        if moment is not None
    ]
    store = document.get("storePreferencesData") or {}

    fields: dict[str, Any] = {
        "sequence": _str(document.get("sequence")),
        "order_group": _str(document.get("orderGroup")),
        "marketplace_order_id": _str(document.get("marketplaceOrderId")),
        "marketplace_services_endpoint": _str(document.get("marketplaceServicesEndpoint")),
        "seller_order_id": _str(document.get("sellerOrderId")),
        "origin": _str(document.get("origin")),
        "sales_channel": _str(document.get("salesChannel")),
        "affiliate_id": _str(document.get("affiliateId")),
        "status": _str(document.get("status")),
        "value": _int(document.get("value")),
        "items_total": totals.get("Items", 0),
        "discounts_total": totals.get("Discounts", 0),
        "shipping_total": totals.get("Shipping", 0),
        "tax_total": totals.get("Tax", 0),
        "currency_code": _str(store.get("currencyCode")) or "BRL",
        "created_at": parse_vtex_datetime(document.get("creationDate")) or timezone.now(),
        "authorized_at": parse_vtex_datetime(document.get("authorizedDate")),
        "invoiced_at": parse_vtex_datetime(document.get("invoicedDate")),
        "vtex_last_change": parse_vtex_datetime(document.get("lastChange")),
        "customer_first_name": _str(client.get("firstName")),
        "customer_last_name": _str(client.get("lastName")),
        "customer_email": _str(client.get("email")),
        "customer_document_type": _str(client.get("documentType")),
        "customer_document": _str(client.get("document")),
        "customer_phone": _str(client.get("phone")),
        "customer_is_corporate": bool(client.get("isCorporate")),
        "customer_corporate_name": _str(client.get("corporateName")),
        "customer_trade_name": _str(client.get("tradeName")),
        "customer_corporate_document": _str(client.get("corporateDocument")),
        "customer_state_inscription": _str(client.get("stateInscription")),
        "customer_corporate_phone": _str(client.get("corporatePhone")),
        "shipping_receiver_name": _str(address.get("receiverName")),
        "shipping_postal_code": _str(address.get("postalCode")),
        "shipping_street": _str(address.get("street")),
        "shipping_number": _str(address.get("number")),
        "shipping_complement": _str(address.get("complement")),
        "shipping_neighborhood": _str(address.get("neighborhood")),
        "shipping_city": _str(address.get("city")),
        "shipping_state": _str(address.get("state")),
        "shipping_country": _str(address.get("country")),
        "selected_sla": _joined(info.get("selectedSla") for info in logistics),
        "carrier": _joined(info.get("deliveryCompany") for info in logistics),
        "estimated_delivery_at": max(estimates) if estimates else None,
        **_payment_fields(document.get("paymentData") or {}),
        "raw_document": document_mask(document),
    }
    return _clipped(Order, fields)


def _payment_fields(payment_data: Document) -> dict[str, Any]:
    transactions = payment_data.get("transactions") or []
    active = [t for t in transactions if t.get("isActive", True)] or transactions
    payments = [payment for t in active for payment in (t.get("payments") or [])]
    return {
        "payment_method": _joined(p.get("paymentSystemName") for p in payments),
        "payment_group": _joined(p.get("group") for p in payments),
        "payment_installments": max((_int(p.get("installments")) for p in payments), default=0),
        "payment_transaction_id": _str(active[0].get("transactionId")) if active else "",
    }


def items_from_document(document: Document) -> list[dict[str, Any]]:
    """`OrderItem` columns for each of VTEX's items[], in VTEX's order (position = index)."""
    return [
        _clipped(
            OrderItem,
            {
                "position": position,
                "sku_id": _str(item.get("id")),
                "product_id": _str(item.get("productId")),
                "ref_id": _str(item.get("refId")),
                "ean": _str(item.get("ean")),
                "name": _str(item.get("name")),
                "quantity": _int(item.get("quantity")),
                "unit_price": _int(item.get("price")),
                "list_price": _int(item.get("listPrice")),
                "selling_price": _int(item.get("sellingPrice")),
                "measurement_unit": _str(item.get("measurementUnit")),
                "unit_multiplier": _decimal(item.get("unitMultiplier"), default=Decimal(1)),
                "seller": _str(item.get("seller")),
                "image_url": _str(item.get("imageUrl")),
            },
        )
        for position, item in enumerate(document.get("items") or [])
    ]


def document_mask(document: Document) -> Document:
    """A copy of ``document`` with every personal value replaced by ``***``."""

    def mask(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                key: (MASK if key in PERSONAL_KEYS and value not in (None, "") else mask(value))
                for key, value in node.items()
            }
        if isinstance(node, list):
            return [mask(value) for value in node]
        return node

    # mask() builds new containers all the way down, so the caller's document is untouched.
    return mask(document)


def parse_vtex_datetime(value: Any) -> datetime | None:
    """VTEX dates: ISO 8601, often with 7-digit fractions; a missing offset means UTC."""
    if not value or not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        logger.warning("unreadable VTEX date %r", value)
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_vtex_date(value: Any) -> date | None:
    """A tracking event's day. A plain ``YYYY-MM-DD`` (what carriers and operators send) is
    that day: read as midnight UTC it was shown as the evening before in Brazil. A date with
    a time (VTEX's ``createDate``, ``lastChange``) is the day it was in the back office's
    time zone."""
    if not value or not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        moment = parse_vtex_datetime(value)
    return None if moment is None else timezone.localdate(moment)


# --- Items and invoices ---------------------------------------------------------------------


def _items_replace_if_changed(*, order: Order, items: list[dict[str, Any]]) -> None:
    if _rows(order.items.all(), items) == items:
        return
    # VTEX order changes add and remove lines; the document is the whole truth, so replace.
    order.items.all().delete()
    OrderItem.objects.bulk_create(OrderItem(order=order, **item) for item in items)


@dataclass(frozen=True)
class _PackageRows:
    fields: dict[str, Any]
    lines: list[dict[str, Any]]
    tracking: list[dict[str, Any]]

    @property
    def key(self) -> tuple[str, str]:
        return (self.fields["type"], self.fields["number"])


def _package_rows(package: Document, items: list[dict[str, Any]]) -> _PackageRows:
    """`Invoice`, `InvoiceItem` and `TrackingEvent` columns of one of VTEX's packages."""
    sku_by_position = {item["position"]: item["sku_id"] for item in items}
    courier_status = package.get("courierStatus") or {}
    return _PackageRows(
        fields=_invoice_fields(package),
        lines=sorted(
            (
                _clipped(
                    InvoiceItem,
                    {
                        "item_index": _int(line.get("itemIndex")),
                        "sku_id": sku_by_position.get(_int(line.get("itemIndex")), ""),
                        "quantity": _int(line.get("quantity")),
                        "unit_price": _int(line.get("price")),
                    },
                )
                for line in package.get("items") or []
            ),
            # The database lists them in this order too: comparing the two stays cheap.
            key=lambda line: line["item_index"],
        ),
        tracking=sorted(
            (
                _clipped(
                    TrackingEvent,
                    {
                        "city": _str(event.get("city")),
                        "state": _str(event.get("state")),
                        "description": _str(event.get("description")),
                        "occurred_at": parse_vtex_date(
                            event.get("date") or event.get("createDate") or event.get("lastChange")
                        ),
                    },
                )
                for event in courier_status.get("data") or []
            ),
            key=lambda event: (event["occurred_at"] is not None, event["occurred_at"] or 0),
        ),
    )


def _invoices_create(*, wanted: list[tuple[Order, _PackageRows]]) -> None:
    if not wanted:
        return
    invoices = Invoice.objects.bulk_create(
        Invoice(order=order, **rows.fields) for order, rows in wanted
    )
    _invoice_children_create(
        [
            (invoice, rows.lines, rows.tracking)
            for invoice, (_, rows) in zip(invoices, wanted, strict=True)
        ]
    )


def _invoices_update(*, order: Order, entry: _Incoming, writes: _UpdateWrites) -> None:
    """Create or update one `Invoice` per package.

    An invoice the mirror has and VTEX does not list is left alone: VTEX never removes an
    invoice, and the operations side records an invoice before VTEX confirms it.
    """
    existing = {(invoice.type, invoice.number): invoice for invoice in order.invoices.all()}
    for package in entry.packages:
        rows = _package_rows(package, entry.items)
        invoice = existing.get(rows.key)
        if invoice is None:
            writes.invoices.append((order, rows))
            continue
        changed = [name for name, value in rows.fields.items() if getattr(invoice, name) != value]
        if changed:
            for name in changed:
                setattr(invoice, name, rows.fields[name])
            invoice.save(update_fields=changed)
        lines_changed = _rows(invoice.items.all(), rows.lines) != rows.lines
        tracking_changed = _rows(invoice.tracking_events.all(), rows.tracking) != rows.tracking
        if lines_changed:
            invoice.items.all().delete()
        if tracking_changed:
            invoice.tracking_events.all().delete()
        writes.children.append(
            (
                invoice,
                rows.lines if lines_changed else [],
                rows.tracking if tracking_changed else [],
            )
        )


def _invoice_children_create(
    children: list[tuple[Invoice, list[dict[str, Any]], list[dict[str, Any]]]],
) -> None:
    InvoiceItem.objects.bulk_create(
        InvoiceItem(invoice=invoice, **line) for invoice, lines, _ in children for line in lines
    )
    TrackingEvent.objects.bulk_create(
        TrackingEvent(invoice=invoice, **event)
        for invoice, _, tracking in children
        for event in tracking
    )


def _invoice_fields(package: Document) -> dict[str, Any]:
    courier_status = package.get("courierStatus") or {}
    invoice_type = _str(package.get("type")) or InvoiceType.OUTPUT
    return _clipped(
        Invoice,
        {
            "number": _str(package.get("invoiceNumber")),
            "type": invoice_type,
            "value": _int(package.get("invoiceValue")),
            "issued_at": parse_vtex_datetime(package.get("issuanceDate")),
            "key": _str(package.get("invoiceKey")),
            "url": _str(package.get("invoiceUrl")),
            "courier": _str(package.get("courier")),
            "tracking_number": _str(package.get("trackingNumber")),
            "tracking_url": _str(package.get("trackingUrl")),
            "dispatched_at": parse_vtex_datetime(package.get("dispatchedDate")),
            "delivered": bool(courier_status.get("finished")),
            "delivered_at": parse_vtex_datetime(courier_status.get("deliveredDate")),
        },
    )


def _rows(related: Any, wanted: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The related rows as dicts of the wanted columns (uses the prefetch cache)."""
    if not wanted:
        return [{} for _ in related]
    return [{name: getattr(row, name) for name in wanted[0]} for row in related]


# --- Small conversions ------------------------------------------------------------------


def _str(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _decimal(value: Any, *, default: Decimal) -> Decimal:
    try:
        return Decimal(str(value)).quantize(Decimal("0.0001")) if value is not None else default
    except InvalidOperation:
        return default


def _joined(values: Any) -> str:
    seen: list[str] = []
    for value in values:
        text = _str(value)
        if text and text not in seen:
            seen.append(text)
    return ", ".join(seen)


def _clipped(model: type[models.Model], fields: dict[str, Any]) -> dict[str, Any]:
    """Cut strings to the column's length: one over-long VTEX field must not stop an import."""
    for name, value in fields.items():
        max_length = model._meta.get_field(name).max_length
        if isinstance(value, str) and max_length and len(value) > max_length:
            fields[name] = value[:max_length]
    return fields
