"""Loading orders the feed did not bring: the first load, nightly backfill, reconciliation."""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import F, Q
from django.utils import timezone

from core.actor import Actor
from core.vtex import vtex_client
from orders.models import AT_MARKETPLACE, Order
from orders.services.changes import order_changes_follow_open
from orders.services.mirror import orders_import
from orders.services.sync import fetch_pool, order_document_fetch
from orders.status import FINAL_STATUSES
from vtex import (
    MAX_LIST_PAGES,
    VtexClient,
    VtexError,
    VtexRateLimited,
)

logger = logging.getLogger(__name__)

PER_PAGE = 100
# ListOrders serves 30 pages of 100: a window holding more is split in two.
WINDOW_CAPACITY = MAX_LIST_PAGES * PER_PAGE
# Below this a window is not split further (VTEX filters by millisecond); should a single
# second hold more than 3,000 orders, its first 3,000 are read and the rest is logged.
MIN_WINDOW = timedelta(seconds=1)
# Orders written per transaction (and read ahead from VTEX): bounds memory and lock time.
CHUNK = 100
# VTEX serves orders for two years: reconciliation does not ask for older ones.
VTEX_ORDER_RETENTION = timedelta(days=730)


@dataclass
class BackfillResult:
    windows: int = 0
    pages: int = 0
    orders_listed: int = 0
    orders_synced: int = 0
    orders_created: int = 0
    status_changes: int = 0
    orders_failed: int = 0
    rate_limited: bool = False


@dataclass
class ReconcileResult:
    orders_checked: int = 0
    status_changes: int = 0
    orders_failed: int = 0
    rate_limited: bool = False
    # Order changes whose status moved in VTEX (orders.services.changes).
    changes_moved: int = 0


def order_backfill(
    *,
    since: datetime,
    until: datetime,
    statuses: Sequence[str] | None = None,
    source: Actor | str = Actor.BACKFILL,
    client: VtexClient | None = None,
) -> BackfillResult:
    """Sync every order created in [since, until] (optionally only in ``statuses``).

    Walks the list endpoint in creation-date windows: a window whose total needs more
    than 30 pages is halved until each fits, so no page beyond 30 is ever asked for.
    """
    if since >= until:
        raise ValueError("since must be before until")
    client = client or vtex_client()
    result = BackfillResult()
    order_ids = _orders_listed(
        client=client, since=since, until=until, statuses=statuses, result=result
    )
    result.orders_listed = len(order_ids)
    _orders_sync(client=client, order_ids=order_ids, source=source, result=result)
    return result


def _orders_listed(
    *,
    client: VtexClient,
    since: datetime,
    until: datetime,
    statuses: Sequence[str] | None,
    result: BackfillResult,
) -> list[str]:
    seen: dict[str, None] = {}  # insertion-ordered set: windows share their boundary instant
    windows = [(since, until)]
    while windows:
        start, end = windows.pop()
        list_page = functools.partial(
            client.list_orders,
            statuses=statuses,
            created_from=start,
            created_to=end,
            per_page=PER_PAGE,
        )
        first = list_page(page=1)
        result.pages += 1
        paging = first.get("paging") or {}
        total = int(paging.get("total") or 0)
        if total > WINDOW_CAPACITY and end - start > MIN_WINDOW:
            middle = start + (end - start) / 2
            # A stack, later half pushed first: windows are read in creation order.
            windows.extend([(middle, end), (start, middle)])
            continue
        if total > WINDOW_CAPACITY:
            logger.error(
                "backfill: %d orders created within %s..%s, only %d are reachable",
                total,
                start.isoformat(),
                end.isoformat(),
                WINDOW_CAPACITY,
            )
        result.windows += 1
        seen.update((str(row["orderId"]), None) for row in first.get("list") or [])
        pages = min(int(paging.get("pages") or 1), MAX_LIST_PAGES)
        for page in range(2, pages + 1):
            body = list_page(page=page)
            result.pages += 1
            seen.update((str(row["orderId"]), None) for row in body.get("list") or [])
    return list(seen)


def _orders_sync(
    *,
    client: VtexClient,
    order_ids: Sequence[str],
    source: Actor | str,
    result: BackfillResult | ReconcileResult,
    tried: list[str] | None = None,
) -> None:
    """Read the orders from VTEX and write them, one chunk per transaction.

    Threads read the next chunk from VTEX (one GetOrder per order, the slow part) while
    this thread writes the current one, so a first load of thousands of orders is short.
    ``tried`` collects the orders VTEX answered for, read or refused (not rate-limited).
    """
    chunks = [order_ids[i : i + CHUNK] for i in range(0, len(order_ids), CHUNK)]
    with fetch_pool() as pool:

        def read(chunk: Sequence[str]) -> list[Future]:
            return [
                pool.submit(order_document_fetch, client=client, vtex_order_id=vtex_order_id)
                for vtex_order_id in chunk
            ]

        reading = read(chunks[0]) if chunks else []
        for number in range(len(chunks)):
            fetched = [future.result() for future in reading]
            reading = read(chunks[number + 1]) if number + 1 < len(chunks) else []
            documents = []
            for vtex_order_id, document in fetched:
                if isinstance(document, VtexRateLimited):
                    # The client already waited out what it could; the next run does the rest.
                    result.rate_limited = True
                    continue
                if tried is not None:
                    tried.append(vtex_order_id)
                if isinstance(document, VtexError):
                    logger.warning("%s: order %s not synced: %s", source, vtex_order_id, document)
                    result.orders_failed += 1
                else:
                    documents.append(document)
            for synced in orders_import(documents=documents, source=source):
                result.status_changes += synced.status_changed
                if isinstance(result, BackfillResult):
                    result.orders_synced += 1
                    result.orders_created += synced.created
                else:
                    result.orders_checked += 1
            if result.rate_limited:
                for future in reading:
                    future.cancel()
                return


def order_reconcile(
    *,
    unchanged_for: timedelta,
    limit: int = 500,
    client: VtexClient | None = None,
) -> ReconcileResult:
    """Re-read orders not in a final status that neither VTEX nor we touched for a while.

    Catches what the feed lost (events expire after the retention period, a missed
    hook): such an order's mirror stops moving while VTEX's does not. The least
    recently tried go first; ``limit`` keeps one run short.

    Every order VTEX answered for is marked tried (``reconciled_at``), read or not: one it
    no longer serves (404) or whose document changes nothing waits ``unchanged_for``
    like the others, so such orders never take a whole run again and again. Orders older
    than VTEX's two-year retention are not asked for, nor orders a marketplace placed on the
    seller endpoints (the store's OMS does not have them).
    """
    now = timezone.now()
    cutoff = now - unchanged_for
    order_ids = list(
        Order.objects.exclude(status__in=FINAL_STATUSES)
        .exclude(AT_MARKETPLACE)
        .filter(Q(vtex_last_change__lt=cutoff) | Q(vtex_last_change__isnull=True))
        .filter(synced_at__lt=cutoff)
        .filter(Q(reconciled_at__lt=cutoff) | Q(reconciled_at__isnull=True))
        .filter(created_at__gte=now - VTEX_ORDER_RETENTION)
        .order_by(F("reconciled_at").asc(nulls_first=True), "synced_at", "pk")
        .values_list("vtex_order_id", flat=True)[:limit]
    )
    result = ReconcileResult()
    tried: list[str] = []
    _orders_sync(
        client=client or vtex_client(),
        order_ids=order_ids,
        source=Actor.RECONCILE,
        result=result,
        tried=tried,
    )
    Order.objects.filter(vtex_order_id__in=tried).update(reconciled_at=timezone.now())
    result.changes_moved = order_changes_follow_open(limit=limit, client=client)
    return result
