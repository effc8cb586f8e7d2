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
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.actor import Actor
from orders.documents import Document, Incoming, PackageRows, package_rows
from orders.models import (
    EventType,
    Invoice,
    InvoiceItem,
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


@dataclass(frozen=True)
class SyncResult:
    vtex_order_id: str
    created: bool = False
    status_changed: bool = False
    from_status: str = ""
    to_status: str = ""
    # The document was older than the mirror (another reader already stored a newer one).
    stale: bool = False


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
    incoming: dict[str, Incoming] = {}
    for document in documents:
        candidate = Incoming.read(document)
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
    *, new: list[Incoming], source: Actor | str
) -> list[tuple[Order, Incoming]] | None:
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


def _order_lock_or_create(entry: Incoming) -> tuple[Order, bool]:
    try:
        with transaction.atomic():  # a savepoint, as in _orders_bulk_create
            order = Order.objects.create(
                vtex_order_id=entry.vtex_order_id, synced_at=timezone.now(), **entry.fields
            )
        return order, True
    except IntegrityError:
        existing = (
            Order.objects.select_for_update().filter(vtex_order_id=entry.vtex_order_id).first()
        )
        if existing is None:
            raise
        return existing, False


def _created_children_write(*, created: list[tuple[Order, Incoming]], source: Actor | str) -> None:
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
            (order, package_rows(package, entry.items))
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
    invoices: list[tuple[Order, PackageRows]] = field(default_factory=list)
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
    *, order: Order, entry: Incoming, source: Actor | str, writes: _UpdateWrites
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


# --- Items and invoices ---------------------------------------------------------------------


def _items_replace_if_changed(*, order: Order, items: list[dict[str, Any]]) -> None:
    if _rows(order.items.all(), items) == items:
        return
    # VTEX order changes add and remove lines; the document is the whole truth, so replace.
    order.items.all().delete()
    OrderItem.objects.bulk_create(OrderItem(order=order, **item) for item in items)


def _invoices_create(*, wanted: list[tuple[Order, PackageRows]]) -> None:
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


def _invoices_update(*, order: Order, entry: Incoming, writes: _UpdateWrites) -> None:
    """Create or update one `Invoice` per package.

    An invoice the mirror has and VTEX does not list is left alone: VTEX never removes an
    invoice, and the operations side records an invoice before VTEX confirms it.
    """
    existing = {(invoice.type, invoice.number): invoice for invoice in order.invoices.all()}
    for package in entry.packages:
        rows = package_rows(package, entry.items)
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


def _rows(related: Any, wanted: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The related rows as dicts of the wanted columns (uses the prefetch cache)."""
    if not wanted:
        return [{} for _ in related]
    return [{name: getattr(row, name) for name in wanted[0]} for row in related]
