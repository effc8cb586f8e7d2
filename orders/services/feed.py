"""The VTEX orders feed (v3): configure it, and drain it into the mirror."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from backoffice.vtex import vtex_client
from orders.models import Actor
from orders.services.sync import order_sync
from orders.status import OrderStatus
from vtex import MAX_FEED_LOT, VtexClient, VtexNotFound, VtexRateLimited, VtexTransientError

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

    Each order of a batch is synced once (VTEX delivers duplicates; an order that moved
    twice appears twice) in its own transaction; the batch's handles are committed to
    VTEX only after those transactions committed, so a crash in between makes VTEX hand
    the items out again, and the re-sync is idempotent. Handles of an order whose sync
    failed for a passing reason are not committed: VTEX redelivers them after the
    visibility timeout.
    """
    if not transaction.get_autocommit():
        raise RuntimeError("feed_drain commits feed handles after its own transactions")
    client = client or vtex_client()
    budget = feed_drain_budget() if time_budget is None else time_budget
    deadline = time.monotonic() + budget
    result = FeedDrainResult()

    while True:
        if time.monotonic() >= deadline:
            result.stopped_by_budget = True
            break
        try:
            items = client.get_feed_items(max_lot=MAX_FEED_LOT)
        except VtexRateLimited:
            result.rate_limited = True
            break
        if not items:
            break
        result.batches += 1
        result.items += len(items)
        if not _batch_sync(client=client, items=items, result=result):
            result.rate_limited = True
            break
    return result


def _batch_sync(*, client: VtexClient, items: list[dict], result: FeedDrainResult) -> bool:
    """Sync a batch's orders, then commit the handles of those done. False after a 429."""
    handles_by_order: dict[str, list[str]] = {}
    for item in items:
        handles_by_order.setdefault(str(item["orderId"]), []).append(item["handle"])

    done: list[str] = []
    keep_going = True
    try:
        for vtex_order_id, handles in handles_by_order.items():
            try:
                synced = order_sync(vtex_order_id=vtex_order_id, source=Actor.FEED, client=client)
            except VtexNotFound:
                # Nothing to mirror (VTEX keeps orders two years): committing ends redelivery.
                logger.warning("feed: order %s not found in VTEX, dropped", vtex_order_id)
                done.extend(handles)
                continue
            except VtexTransientError as error:
                logger.warning(
                    "feed: order %s not synced (%s), left to redeliver", vtex_order_id, error
                )
                result.orders_failed += 1
                continue
            except VtexRateLimited:
                keep_going = False
                break
            done.extend(handles)
            result.orders_synced += 1
            result.orders_created += synced.created
            result.status_changes += synced.status_changed
    except Exception:
        # What reached the database is committed: spare VTEX and us its redelivery.
        try:
            client.commit_feed_items(done)
        except Exception:
            logger.exception("feed: committing %d handles after a failure also failed", len(done))
        raise
    client.commit_feed_items(done)
    result.handles_committed += len(done)
    return keep_going
