"""Feed import: orders waiting in the VTEX feed (some events twice), drained by one
`feed_drain` into an empty mirror (a fresh database: ANALYZE has not run), beside its floor
(the same GetOrders through our client and its fetch pool, no database); then a drain against
the sandbox's rate limit at VTEX's GetOrder rate, governed as configured, counting 429s."""

from __future__ import annotations

import os
import time
from collections import Counter
from datetime import datetime

from django.conf import settings
from django.db.models import Count
from django.test import override_settings

from bench.harness import (
    MEMORY_RUN_SHARE,
    Bench,
    Figures,
    count,
    create_orders_in_status_mix,
    densest_window,
    measured,
    mebibytes,
    rate,
    require,
    sandbox_in_child_process,
    seconds,
)
from core.vtex import vtex_client, vtex_config
from orders.models import EventType, Order, OrderEvent
from orders.services.feed import FeedDrainResult, feed_configure, feed_drain
from orders.services.sync import fetch_pool, order_documents_fetch
from vtex import VtexClient
from vtex.governor import ORDERS_READ, RateLimit

ORDERS = 2000
DUPLICATE_RATE = 0.2
# The drain's budget is a scheduling choice (the next minute's run goes on); here it must
# not cut the measured run short.
TIME_BUDGET_SECONDS = 600.0
# Targets (issue 20): the drain at >= 0.9x its floor; at VTEX's limit, no 429 and >= 95 % of it.
FLOOR_TARGET = 0.9
RATE_SHARE_TARGET = 0.95
# VTEX's 6,000 GetOrder a minute, as the same rate over a 20 s window (the sandbox's limit
# and the governor's), so that a window and a half passes in half a minute. The governor's
# headroom (3 % of the window) absorbs the jitter between a slot and the request's arrival:
# 0.6 s here, 1.8 s over VTEX's minute.
VTEX_RATE = RateLimit(6000, 60.0)
RATE_WINDOW_SECONDS = 20.0
RATE_LIMITED_WINDOWS = 1.5
GET_ORDER = "/api/oms/pvt/orders/"


def run(bench: Bench) -> Figures:
    # Python's peak allocation is measured on a smaller drain of its own: tracemalloc would
    # slow the timed one down a few times.
    traced_orders = bench.scaled(ORDERS * MEMORY_RUN_SHARE)
    with sandbox_in_child_process(bench) as child:
        client, order_ids, waiting = _feed_waiting(child, traced_orders)
        with measured(trace_python=True) as traced:
            result = feed_drain(client=client, time_budget=TIME_BUDGET_SECONDS)
        _check(client, result, order_ids, waiting)

    orders = bench.scaled(ORDERS)
    client, order_ids, waiting = _feed_waiting(bench, orders)
    bench.control.clear_calls()
    # The sandbox limits nothing in this run: neither does the governor (the floor is
    # measured without it too; see settings_environment).
    with measured() as measurement:
        result = feed_drain(client=client, time_budget=TIME_BUDGET_SECONDS)
    calls = bench.control.calls()
    _check(client, result, order_ids, waiting)
    floor_seconds = _floor_seconds(order_ids)
    drain_rate = orders / measurement.seconds
    floor_rate = orders / floor_seconds
    limited = _rate_limited_run(bench)

    kinds = Counter(_call_kind(call) for call in calls)
    return [
        ("orders waiting in the feed", f"{count(orders)} (the store's status mix)"),
        (f"feed items (duplicate rate {DUPLICATE_RATE})", count(waiting)),
        ("wall time", seconds(measurement.seconds)),
        ("orders/s", rate(orders, measurement.seconds)),
        (
            f"floor: the same GetOrders, our client, {settings.ORDERS_SYNC_FETCH_WORKERS} "
            "threads, no database",
            f"{floor_rate:,.1f} orders/s ({seconds(floor_seconds)})",
        ),
        (
            "drain / floor",
            f"{drain_rate / floor_rate:.2f}x (target >= {FLOOR_TARGET}x)",
        ),
        ("feed batches (maxlot 10)", count(result.batches)),
        ("HTTP requests to the sandbox", count(len(calls))),
        (
            "  of which",
            f"feed reads {count(kinds['feed read'])}, feed commits "
            f"{count(kinds['feed commit'])}, GetOrder {count(kinds['GetOrder'])}, "
            f"other {count(kinds['other'])}",
        ),
        ("SQL queries (total)", count(measurement.queries)),
        ("SQL queries per order", f"{measurement.queries / orders:.2f}"),
        ("peak RSS growth", mebibytes(measurement.rss_growth_bytes)),
        (
            f"peak Python memory (tracemalloc, drain of {count(traced_orders)} orders)",
            mebibytes(traced.python_peak_bytes),
        ),
        ("check: orders mirrored", f"{count(orders)} of {count(orders)}, each imported once"),
        ("check: feed items left / handles committed", f"0 / {count(result.handles_committed)}"),
        *limited,
    ]


def _floor_seconds(order_ids: list[str]) -> float:
    """Seconds our client takes to GET ``order_ids`` through the drain's fetch pool, with no
    database and no governor: what the drain cannot beat."""
    client = VtexClient(vtex_config())
    with fetch_pool() as pool:
        started = time.perf_counter()
        fetched = order_documents_fetch(client=client, order_ids=order_ids, pool=pool)
        elapsed = time.perf_counter() - started
    require(all(isinstance(d, dict) for _, d in fetched), "a GetOrder of the floor failed")
    return elapsed


def _rate_limited_run(bench: Bench) -> Figures:
    """A drain against the sandbox's GetOrder limit at VTEX's rate, governed as configured
    (the Redis of VTEX_RATE_LIMIT_REDIS_URL, else this process's own schedule)."""
    limit = RateLimit(
        max(20, round(bench.scale * VTEX_RATE.requests * RATE_WINDOW_SECONDS / 60)),
        RATE_WINDOW_SECONDS,
    )
    orders = round(limit.requests * RATE_LIMITED_WINDOWS)
    client, order_ids, waiting = _feed_waiting(bench, orders)
    bench.control.set_faults(
        rate_limit_per_minute=limit.requests,
        rate_limit_window_seconds=limit.per_seconds,
        paths=[GET_ORDER],
        methods=["GET"],
    )
    bench.control.clear_calls()
    redis_url = os.environ.get("VTEX_RATE_LIMIT_REDIS_URL", "")
    with (
        override_settings(
            VTEX_RATE_LIMITS={ORDERS_READ: limit},
            VTEX_RATE_LIMIT_REDIS_URL=redis_url,
            VTEX_RATE_LIMIT_PROCESSES=1,
        ),
        measured() as measurement,
    ):
        result = feed_drain(time_budget=TIME_BUDGET_SECONDS)
    calls = bench.control.calls(method="GET", path_contains=GET_ORDER)
    bench.control.clear_faults()
    _check(client, result, order_ids, waiting)
    refused = sum(1 for call in calls if call["status"] == 429)
    served = [datetime.fromisoformat(c["at"]).timestamp() for c in calls if c["status"] == 200]
    densest = densest_window(served, limit.per_seconds)
    where = "Redis (VTEX_RATE_LIMIT_REDIS_URL)" if redis_url else "this process"
    return [
        (
            "rate-limited drain",
            f"{count(orders)} orders, the sandbox's limit {count(limit.requests)} GetOrder per "
            f"{limit.per_seconds:g} s (VTEX's 6,000/min rate), governor in {where}",
        ),
        ("  wall time", seconds(measurement.seconds)),
        ("  429 answers", f"{count(refused)} of {count(len(calls))} GetOrders (target 0)"),
        (
            "  busiest window",
            f"{count(densest)} GetOrders = {densest / limit.requests:.1%} of the limit "
            f"(target >= {RATE_SHARE_TARGET:.0%}, never above 100 %)",
        ),
    ]


def _feed_waiting(bench: Bench, orders: int) -> tuple[VtexClient, list[str], int]:
    """A fresh store whose feed holds the events of ``orders`` new orders (some twice)."""
    bench.fresh_store()
    client = vtex_client()
    feed_configure(client=client)
    bench.control.set_options(duplicate_rate=DUPLICATE_RATE)
    order_ids = create_orders_in_status_mix(bench.control, orders)
    return client, order_ids, client.get_feed_config()["quantity"]


def _check(client: VtexClient, result: FeedDrainResult, order_ids: list[str], waiting: int) -> None:
    orders = len(order_ids)
    left = client.get_feed_config()["quantity"]
    mirrored = set(Order.objects.values_list("vtex_order_id", flat=True))
    imported = OrderEvent.objects.filter(type=EventType.IMPORTED)
    require(not result.stopped_by_budget and not result.rate_limited, f"drain stopped: {result}")
    require(result.orders_failed == 0, f"{result.orders_failed} orders failed to sync")
    require(mirrored == set(order_ids), f"{len(mirrored)} of {orders} orders mirrored")
    require(imported.count() == orders, f"{imported.count()} import events for {orders} orders")
    require(
        not imported.values("order").annotate(n=Count("pk")).filter(n__gt=1).exists(),
        "an order was imported twice",
    )
    require(left == 0, f"{left} items left in the feed")
    require(
        result.handles_committed == waiting,
        f"{result.handles_committed} handles committed of {waiting}",
    )


def _call_kind(call: dict) -> str:
    if call["path"] == "/api/orders/feed":
        return "feed read" if call["method"] == "GET" else "feed commit"
    if call["method"] == "GET" and call["path"].startswith("/api/oms/pvt/orders/"):
        return "GetOrder"
    return "other"
