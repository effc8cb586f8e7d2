"""Celery entry points of the orders app: thin wrappers that take ids and call one service.

Periodic tasks take a `TaskLock` so a run never overlaps the previous one of the same
task; the lock's expiry frees it when a worker dies mid-run.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from core.actor import Actor
from core.locks import task_lock, task_lock_acquire, task_lock_release
from orders.selectors.changes import order_sync_state
from orders.services.backfill import order_backfill, order_reconcile
from orders.services.feed import feed_drain, feed_drain_budget
from orders.services.mirror import order_sync
from vtex import VtexRateLimited, VtexTransientError

logger = logging.getLogger(__name__)

FEED_DRAIN = "orders.feed_drain"
ORDERS_RECONCILE = "orders.orders_reconcile"
ORDERS_BACKFILL_RECENT = "orders.orders_backfill_recent"
ORDER_SYNC = "orders.order_sync"

# How long "a sync of this order is queued and has not started" holds: replayed hook
# notifications queue nothing more meanwhile. Longer than a sync normally waits in the queue;
# short, so that a lost message holds back no notification for long (the feed brings it too).
ORDER_SYNC_QUEUED_TTL = timedelta(minutes=5)
# What order_sync_enqueue did with a notification.
ORDER_SYNC_QUEUED = "queued"
ORDER_SYNC_ALREADY_QUEUED = "already_queued"
ORDER_SYNC_UP_TO_DATE = "up_to_date"


@shared_task(name=FEED_DRAIN)
def feed_drain_task() -> dict[str, Any] | None:
    # The lock outlives the drain's budget by a margin, never by the whole visibility timeout:
    # a dead worker's lock must free up before its uncommitted items come back.
    ttl = timedelta(seconds=feed_drain_budget() + 60)
    with task_lock(name=FEED_DRAIN, ttl=ttl) as acquired:
        if not acquired:
            return None
        result = feed_drain()
    logger.info("feed drain: %s", result)
    return asdict(result)


@shared_task(name=ORDERS_RECONCILE)
def orders_reconcile_task() -> dict[str, Any] | None:
    with task_lock(name=ORDERS_RECONCILE, ttl=timedelta(hours=1)) as acquired:
        if not acquired:
            return None
        result = order_reconcile(
            unchanged_for=timedelta(hours=settings.ORDERS_RECONCILE_AFTER_HOURS),
            limit=settings.ORDERS_RECONCILE_LIMIT,
        )
    logger.info("reconcile: %s", result)
    return asdict(result)


@shared_task(name=ORDERS_BACKFILL_RECENT)
def orders_backfill_recent_task() -> dict[str, Any] | None:
    """Nightly safety net: re-read every order created in the last days."""
    with task_lock(name=ORDERS_BACKFILL_RECENT, ttl=timedelta(hours=6)) as acquired:
        if not acquired:
            return None
        until = timezone.now()
        result = order_backfill(
            since=until - timedelta(days=settings.ORDERS_BACKFILL_NIGHTLY_DAYS),
            until=until,
            source=Actor.BACKFILL,
        )
    logger.info("nightly backfill: %s", result)
    return asdict(result)


@shared_task(
    bind=True,
    name=ORDER_SYNC,
    autoretry_for=(VtexTransientError,),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=8,
)
def order_sync_task(
    self, vtex_order_id: str, source: str = Actor.HOOK, queued_as: str = ""
) -> dict[str, Any]:
    """Sync one order (queued by the hook endpoint); the feed still brings it if this fails."""
    if queued_as:
        # Before the read: a notification arriving from now on may change what VTEX answers,
        # so it queues another sync.
        task_lock_release(name=_order_sync_queued(vtex_order_id), owner=queued_as)
    try:
        result = order_sync(vtex_order_id=vtex_order_id, source=source)
    except VtexRateLimited as error:
        raise self.retry(exc=error, countdown=max(error.retry_after or 60, 1)) from error
    return asdict(result)


def order_sync_enqueue(
    *,
    vtex_order_id: str,
    source: str,
    current_change: datetime | None = None,
    last_change: datetime | None = None,
) -> str:
    """Queue `order_sync_task` for a notified order, unless it would read nothing new.

    ``current_change`` / ``last_change``: the notification's ``CurrentChange`` (when the change
    it announces happened, the order's ``lastChange`` after it) and ``LastChange`` (the change
    before it). Answers what was done:

    - ``ORDER_SYNC_UP_TO_DATE``: the mirror already holds the announced change (its
      ``vtex_last_change`` is at least ``current_change``, or later than ``last_change``:
      changes follow one another), so a replayed notification costs one row lookup;
    - ``ORDER_SYNC_ALREADY_QUEUED``: a sync is queued and has not started yet: it reads the
      order when it runs, so it sees whatever the new notification announced. The mark lives
      in the database (a `TaskLock` row the task deletes as it starts), which the web
      processes and the workers share; it expires after ``ORDER_SYNC_QUEUED_TTL`` should the
      message be lost;
    - ``ORDER_SYNC_QUEUED``: a sync was queued; for an order read less than
      ``ORDERS_HOOK_COALESCE_SECONDS`` ago it runs that long after the last read, so a burst of
      notifications (replays, or undated ones) costs one read of VTEX per period.

    Raises when the broker does not take the message (and drops the mark).
    """
    mirror = order_sync_state(vtex_order_id=vtex_order_id)
    if mirror is not None and mirror.holds_change(
        current_change=current_change, last_change=last_change
    ):
        return ORDER_SYNC_UP_TO_DATE
    name = _order_sync_queued(vtex_order_id)
    owner = uuid.uuid4().hex
    if not task_lock_acquire(name=name, owner=owner, ttl=ORDER_SYNC_QUEUED_TTL):
        return ORDER_SYNC_ALREADY_QUEUED
    coalesce = timedelta(seconds=settings.ORDERS_HOOK_COALESCE_SECONDS)
    countdown = 0.0
    if mirror is not None:
        countdown = max((mirror.synced_at + coalesce - timezone.now()).total_seconds(), 0.0)
    try:
        # retry=False: a broker that does not answer must not eat the caller's time (VTEX
        # gives the hook 5 s); the caller answers so that VTEX notifies again.
        order_sync_task.apply_async(
            kwargs={"vtex_order_id": vtex_order_id, "source": source, "queued_as": owner},
            # None (no delay) keeps the message free of an ETA; celery-types only says float.
            countdown=countdown or None,  # type: ignore[arg-type]
            retry=False,
        )
    except BaseException:
        task_lock_release(name=name, owner=owner)
        raise
    return ORDER_SYNC_QUEUED


def _order_sync_queued(vtex_order_id: str) -> str:
    return f"{ORDER_SYNC}:queued:{vtex_order_id}"
