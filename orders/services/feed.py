"""The VTEX orders feed (v3): configure it, and drain it into the mirror."""

from __future__ import annotations

import logging
import random
import time
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.actor import Actor
from core.vtex import vtex_client
from orders.models import ORDERS_FEED, FeedHealth, FeedOutcome
from orders.services.changes import order_changes_follow
from orders.services.mirror import orders_import
from orders.services.sync import fetch_pool, order_document_fetch
from orders.services.tallies import order_status_tally_compact
from orders.status import OrderStatus
from vtex import (
    MAX_FEED_LOT,
    VtexAuthError,
    VtexClient,
    VtexError,
    VtexNotFound,
    VtexRateLimited,
    VtexRejected,
    VtexTransientError,
    rate_limit_pause,
)

logger = logging.getLogger(__name__)

# A failed feed commit (5xx, dropped connection, 429) is tried this many times in a row, with
# capped exponential backoff between tries, and never past the drain's deadline. Handles still
# uncommitted are retried with the next batch's, and VTEX hands out whatever is left after the
# visibility timeout: the re-sync is idempotent.
COMMIT_ATTEMPTS = 4
COMMIT_BACKOFF_SECONDS = 0.25
COMMIT_BACKOFF_MAX_SECONDS = 4.0
# Batches whose orders are being read while the drain writes another (each batch is
# ORDERS_FEED_LOTS_PER_BATCH lots, hidden from other readers for the visibility timeout).
BATCHES_IN_FLIGHT = 1


@dataclass
class FeedDrainResult:
    batches: int = 0
    items: int = 0
    orders_synced: int = 0
    orders_created: int = 0
    status_changes: int = 0
    handles_committed: int = 0
    orders_failed: int = 0
    # Feed commits (POST of handles) that failed; each was retried or its handles carried on.
    commit_failures: int = 0
    # Handles still uncommitted when the drain ended: VTEX hands their items out again after
    # the visibility timeout, and the next drain re-syncs them (harmless, idempotent).
    handles_uncommitted: int = 0
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
    """Drain the feed (``_feed_drain``) and record how it went in ``FeedHealth``.

    A drain that raised failed (VTEX's error is kept; a 401/403 is told apart: the
    credentials were refused); so did one that VTEX's rate limit stopped before its first
    batch. The error is re-raised for the caller.
    """
    try:
        result = _feed_drain(client=client, time_budget=time_budget)
    except VtexAuthError as error:
        feed_health_record(outcome=FeedOutcome.CREDENTIALS_REFUSED, error=str(error))
        raise
    except Exception as error:
        feed_health_record(outcome=FeedOutcome.FAILED, error=f"{type(error).__name__}: {error}")
        raise
    if result.rate_limited and not result.batches:
        feed_health_record(
            outcome=FeedOutcome.FAILED,
            error="VTEX's rate limit (429) stopped the drain before its first batch",
        )
    else:
        feed_health_record(outcome=FeedOutcome.SUCCEEDED, result=result)
    # The statuses the drain moved, folded into one tally row each for the next reads.
    order_status_tally_compact()
    return result


def feed_health_record(
    *, outcome: FeedOutcome, result: FeedDrainResult | None = None, error: str = ""
) -> None:
    """Rewrite the orders feed's ``FeedHealth`` row after a drain (one upsert)."""
    now = timezone.now()
    health, _ = FeedHealth.objects.get_or_create(name=ORDERS_FEED)
    health.last_run_at = now
    health.last_outcome = outcome
    if outcome == FeedOutcome.SUCCEEDED:
        health.last_success_at = now
        health.failures_in_a_row = 0
        health.items_left = bool(result and result.stopped_by_budget)
        health.last_items = result.items if result else 0
    else:
        health.failures_in_a_row += 1
        health.last_error = error[:2000]
        health.last_error_at = now
    health.save()


def _feed_drain(
    *, client: VtexClient | None = None, time_budget: float | None = None
) -> FeedDrainResult:
    """Read the feed batch by batch until it is empty or the time budget runs out.

    A batch is a few lots (``ORDERS_FEED_LOTS_PER_BATCH``); its orders are read by the fetch
    pool while the previous batch is written. Each order of a batch is read from VTEX once
    (VTEX delivers duplicates; an order that moved twice appears twice), the batch is
    written in one transaction, and its handles
    are committed to VTEX only after that transaction committed: a crash in between makes
    VTEX hand the items out again, and the re-sync is idempotent. Handles of an order that
    could not be read for a passing reason are not committed: VTEX redelivers them after
    the visibility timeout. An order VTEX refuses (4xx) is logged, counted in
    ``orders_failed`` and committed. A commit that fails (5xx, dropped connection, 429) is
    retried with backoff within the time budget and its handles ride along with the next
    batch's; the drain goes on either way, and what stays uncommitted comes back after the
    visibility timeout. Only an authentication failure stops the drain.
    """
    if not transaction.get_autocommit():
        raise RuntimeError("feed_drain commits feed handles after its own transactions")
    client = client or vtex_client()
    budget = feed_drain_budget() if time_budget is None else time_budget
    deadline = time.monotonic() + budget
    result = FeedDrainResult()
    uncommitted: list[str] = []

    # Each batch's orders are read by the pool while the previous batches are written: the
    # drain keeps BATCHES_IN_FLIGHT batches fetching beside the one it writes, so the pool
    # never idles while the feed is read or the database written.
    inflight: deque[_Batch] = deque()
    stop = False
    with fetch_pool() as pool:
        while True:
            if not stop:
                items, stop = _lots_read(client=client, deadline=deadline, result=result)
                if items:
                    inflight.append(_batch_fetch_start(client=client, pool=pool, items=items))
            if not inflight:
                break
            if len(inflight) <= BATCHES_IN_FLIGHT and not stop:
                continue
            done, orders_rate_limited = _batch_write(
                client=client, batch=inflight.popleft(), result=result
            )
            # The upsert's transaction has committed by now: only now may VTEX forget these.
            uncommitted = _handles_commit(
                client=client, handles=[*uncommitted, *done], deadline=deadline, result=result
            )
            # A pause that outlasts the budget would only make the next calls wait or fail.
            pause = rate_limit_pause.remaining()
            if orders_rate_limited or (pause > 0 and time.monotonic() + pause >= deadline):
                result.rate_limited = True
                stop = True
    if uncommitted and not result.rate_limited and time.monotonic() < deadline:
        # The last batch's commit may have run out of tries with time left.
        uncommitted = _handles_commit(
            client=client, handles=uncommitted, deadline=deadline, result=result
        )
    result.handles_uncommitted += len(uncommitted)
    if result.handles_uncommitted:
        logger.warning(
            "feed: %d handles left uncommitted after %d failed commits; "
            "VTEX hands their items out again after the visibility timeout",
            result.handles_uncommitted,
            result.commit_failures,
        )
    return result


def _handles_commit(
    *, client: VtexClient, handles: list[str], deadline: float, result: FeedDrainResult
) -> list[str]:
    """Commit ``handles``, retrying a failed commit with backoff; return those to carry on.

    A 429 (or the process-wide pause another call's 429 started) is waited out when the pause
    ends before ``deadline``; a 5xx or a dropped connection is retried after a capped,
    jittered exponential backoff. The commit is retried as a whole: committing a handle
    twice (a commit VTEX applied but whose answer was lost) is harmless. What is returned
    is still valid (the drain ends well within the visibility timeout) and goes with the
    next commit; handles VTEX refused (4xx) are left to its redelivery, since carrying them
    would get every later commit refused. Logs name the number of handles and VTEX's error,
    never the handles (they carry the account and appKey).
    """
    if not handles:
        return []
    for attempt in range(1, COMMIT_ATTEMPTS + 1):
        # A write is refused unsent during the process's 429 pause: wait it out first when it
        # ends in time (the next batch, read while this one was written, may come at once).
        pause = rate_limit_pause.remaining()
        if pause > 0 and time.monotonic() + pause < deadline:
            time.sleep(pause)
        try:
            client.commit_feed_items(handles)
        except (VtexTransientError, VtexRateLimited, VtexNotFound, VtexRejected) as error:
            result.commit_failures += 1
            if isinstance(error, VtexNotFound | VtexRejected):
                logger.error(
                    "feed: VTEX refused the commit of %d handles (%s); "
                    "left for VTEX to hand out again",
                    len(handles),
                    error,
                )
                result.handles_uncommitted += len(handles)
                return []
            if isinstance(error, VtexRateLimited):
                wait = max(error.retry_after, rate_limit_pause.remaining())
            else:
                delay = min(COMMIT_BACKOFF_SECONDS * 2 ** (attempt - 1), COMMIT_BACKOFF_MAX_SECONDS)
                wait = random.uniform(delay / 2, delay)
            retry = attempt < COMMIT_ATTEMPTS and time.monotonic() + wait < deadline
            logger.warning(
                "feed: commit of %d handles failed (try %d of %d): %s; %s",
                len(handles),
                attempt,
                COMMIT_ATTEMPTS,
                error,
                f"retrying in {wait:.1f}s" if retry else "kept for a later commit",
            )
            if not retry:
                return handles
            time.sleep(wait)
        else:
            result.handles_committed += len(handles)
            return []
    raise AssertionError("unreachable: the last attempt returns")


def _lots_read(
    *, client: VtexClient, deadline: float, result: FeedDrainResult
) -> tuple[list[dict], bool]:
    """Read up to ``ORDERS_FEED_LOTS_PER_BATCH`` lots of the feed; return their items and
    whether the drain stops reading (the feed is empty, the budget ran out, or a 429)."""
    items: list[dict] = []
    for _ in range(max(1, settings.ORDERS_FEED_LOTS_PER_BATCH)):
        if time.monotonic() >= deadline:
            result.stopped_by_budget = True
            return items, True
        try:
            lot = client.get_feed_items(max_lot=MAX_FEED_LOT)
        except VtexRateLimited:
            result.rate_limited = True
            return items, True
        except VtexNotFound:
            if result.feed_configured:
                raise
            logger.warning("feed: this appKey has no feed configuration; configuring it")
            feed_configure(client=client)
            result.feed_configured = True
            continue
        if not lot:
            return items, True
        result.batches += 1
        result.items += len(lot)
        items.extend(lot)
    return items, False


@dataclass
class _Batch:
    """Feed items whose orders are being read: each order once, with all its handles."""

    handles_by_order: dict[str, list[str]]
    fetches: list[tuple[str, Future]]


def _batch_fetch_start(*, client: VtexClient, pool: Executor, items: list[dict]) -> _Batch:
    handles_by_order: dict[str, list[str]] = {}
    for item in items:
        handles_by_order.setdefault(str(item["orderId"]), []).append(item["handle"])
    fetches = [
        (order_id, pool.submit(order_document_fetch, client=client, vtex_order_id=order_id))
        for order_id in handles_by_order
    ]
    return _Batch(handles_by_order=handles_by_order, fetches=fetches)


def _batch_write(
    *, client: VtexClient, batch: _Batch, result: FeedDrainResult
) -> tuple[list[str], bool]:
    """Write a batch's orders (one transaction); return the handles of those done, and
    whether VTEX answered 429."""
    handles_by_order = batch.handles_by_order
    done: list[str] = []
    documents = []
    rate_limited = False
    for vtex_order_id, future in batch.fetches:
        _, fetched = future.result()
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
        synced_orders = orders_import(documents=documents, source=Actor.FEED)
        # An order change VTEX finished comes as a feed event: its status and log follow.
        order_changes_follow(vtex_order_ids=[s.vtex_order_id for s in synced_orders], client=client)
        for synced in synced_orders:
            done.extend(handles_by_order[synced.vtex_order_id])
            result.orders_synced += 1
            result.orders_created += synced.created
            result.status_changes += synced.status_changed
    return done, rate_limited
