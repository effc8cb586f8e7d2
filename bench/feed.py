"""Feed import: orders waiting in the VTEX feed (some events twice), drained by one
`feed_drain` into an empty mirror."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count

from backoffice.vtex import vtex_client
from bench.harness import (
    MEMORY_RUN_SHARE,
    Bench,
    Figures,
    count,
    create_orders_in_status_mix,
    measured,
    mebibytes,
    rate,
    require,
    sandbox_in_child_process,
    seconds,
)
from orders.models import EventType, Order, OrderEvent
from orders.services.feed import FeedDrainResult, feed_configure, feed_drain
from vtex import VtexClient

ORDERS = 2000
DUPLICATE_RATE = 0.2
# The drain's budget is a scheduling choice (the next minute's run goes on); here it must
# not cut the measured run short.
TIME_BUDGET_SECONDS = 600.0


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
    with measured() as measurement:
        result = feed_drain(client=client, time_budget=TIME_BUDGET_SECONDS)
    calls = bench.control.calls()
    _check(client, result, order_ids, waiting)

    kinds = Counter(_call_kind(call) for call in calls)
    return [
        ("orders waiting in the feed", f"{count(orders)} (the store's status mix)"),
        (f"feed items (duplicate rate {DUPLICATE_RATE})", count(waiting)),
        ("wall time", seconds(measurement.seconds)),
        ("orders/s", rate(orders, measurement.seconds)),
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
