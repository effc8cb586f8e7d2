"""The VTEX orders feed (v3): configure it, and drain it into the mirror."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from backoffice.vtex import vtex_client
from orders.models import Actor
from orders.services.sync import fetch_pool, order_documents_fetch, orders_upsert_from_documents
from orders.status import OrderStatus
from vtex import MAX_FEED_LOT, VtexClient, VtexError, VtexNotFound, VtexRateLimited, VtexRejected

logger = logging.getLogger(__name__)


@dataclass
class FeedDrainResult:
    batches: int = 0
    items: int = 0
    orders_synced: int = 0
    orders_created: int = 0
    status_changes: int = 0
    handles_committed: int = 0
    orders_failed: int = 0
    # Why the drain stopped before the feed was empty, if it did.
    stopped_by_budget: bool = False
    rate_limited: bool = False
    # VTEX deletes a feed that saw no events for its retention period; the drain recreates it.
    feed_configured: bool = False


def feed_statuses() -> list[str]:
    """The FromWorkflow status list: the setting, or every status VTEX documents."""
    return list(settings.ORDERS_FEED_STATUSES) or [status.value for status in OrderStatus]


def feed_drain_budget() -> float:
    """Seconds a drain may keep fetching batches.

    A fetched batch is hidden from other readers for the feed's visibility timeout; the
    drain stops fetching early enough that the last batch is synced and committed well
    within it, so no item is handed out twice because we were slow.
    """
    return float(
        min(
            settings.ORDERS_FEED_DRAIN_BUDGET_SECONDS,
            settings.ORDERS_FEED_VISIBILITY_TIMEOUT_SECONDS / 2,
        )
    )


def feed_configure(
    *, statuses: Sequence[str] | None = None, client: VtexClient | None = None
) -> list[str]:
    """Point this appKey's feed at the workflow statuses the mirror follows."""
    client = client or vtex_client()
    chosen = list(statuses) if statuses else feed_statuses()
    client.set_feed_config(
        statuses=chosen,
        visibility_timeout=settings.ORDERS_FEED_VISIBILITY_TIMEOUT_SECONDS,
        retention=settings.ORDERS_FEED_RETENTION_SECONDS,
    )
    return chosen


def feed_drain(
    *, client: VtexClient | None = None, time_budget: float | None = None
) -> FeedDrainResult:
    """Read the feed batch by batch until it is empty or the time budget runs out.

    Each order of a batch is read from VTEX once (VTEX delivers duplicates; an order that
    moved twice appears twice), the batch is written in one transaction, and its handles
    are committed to VTEX only after that transaction committed: a crash in between makes
    VTEX hand the items out again, and the re-sync is idempotent. Handles of an order that
    could not be read for a passing reason are not committed: VTEX redelivers them after
    the visibility timeout. An order VTEX refuses (4xx) is logged, counted in
    ``orders_failed`` and committed; only an authentication failure stops the drain.
    """
    if not transaction.get_autocommit():
        raise RuntimeError("feed_drain commits feed handles after its own transactions")
    client = client or vtex_client()
    budget = feed_drain_budget() if time_budget is None else time_budget
    deadline = time.monotonic() + budget
    result = FeedDrainResult()

    with fetch_pool() as pool:
        while True:
            if time.monotonic() >= deadline:
                result.stopped_by_budget = True
                break
            try:
                items = client.get_feed_items(max_lot=MAX_FEED_LOT)
            except VtexRateLimited:
                result.rate_limited = True
                break
            except VtexNotFound:
                if result.feed_configured:
                    raise
                logger.warning("feed: this appKey has no feed configuration; configuring it")
                feed_configure(client=client)
                result.feed_configured = True
                continue
            if not items:
                break
            result.batches += 1
            result.items += len(items)
            if not _batch_sync(client=client, pool=pool, items=items, result=result):
                result.rate_limited = True
                break
    return result


def _batch_sync(
    *, client: VtexClient, pool: Executor, items: list[dict], result: FeedDrainResult
) -> bool:
    """Sync a batch's orders, then commit the handles of those done. False after a 429."""
    handles_by_order: dict[str, list[str]] = {}
    for item in items:
        handles_by_order.setdefault(str(item["orderId"]), []).append(item["handle"])

    done: list[str] = []
    documents = []
    rate_limited = False
    for vtex_order_id, fetched in order_documents_fetch(
        client=client, order_ids=list(handles_by_order), pool=pool
    ):
        if isinstance(fetched, VtexNotFound):
            # Nothing to mirror (VTEX keeps orders two years): committing ends redelivery.
            logger.warning("feed: order %s not found in VTEX, dropped", vtex_order_id)
            done.extend(handles_by_order[vtex_order_id])
        elif isinstance(fetched, VtexRateLimited):
            rate_limited = True
        elif isinstance(fetched, VtexRejected):
            # VTEX refuses this order (4xx): redelivering would be refused again and again.
            logger.error(
                "feed: VTEX refused to read order %s (%s), dropped", vtex_order_id, fetched
            )
            result.orders_failed += 1
            done.extend(handles_by_order[vtex_order_id])
        elif isinstance(fetched, VtexError):
            logger.warning(
                "feed: order %s not read (%s), left to redeliver", vtex_order_id, fetched
            )
            result.orders_failed += 1
        else:
            documents.append(fetched)

    if documents:
        for synced in orders_upsert_from_documents(documents=documents, source=Actor.FEED):
            done.extend(handles_by_order[synced.vtex_order_id])
            result.orders_synced += 1
            result.orders_created += synced.created
            result.status_changes += synced.status_changed
    # The upsert's transaction has committed by now: only now may VTEX forget these events.
    client.commit_feed_items(done)
    result.handles_committed += len(done)
    return not rate_limited
