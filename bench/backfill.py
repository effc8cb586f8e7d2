"""Backfill: a store of orders created over 60 days, read by `order_backfill` through the
list endpoint (at most 30 pages per filter) into an empty mirror."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs

from django.utils import timezone

from bench.harness import (
    MEMORY_RUN_SHARE,
    Bench,
    Figures,
    count,
    measured,
    mebibytes,
    rate,
    require,
    sandbox_in_child_process,
    seconds,
)
from orders.models import EventType, Order, OrderEvent
from orders.services.backfill import BackfillResult, order_backfill

ORDERS = 5000
DAYS = 60
LIST_PAGE_LIMIT = 30


def run(bench: Bench) -> Figures:
    # Python's peak allocation is measured on a smaller backfill of its own: tracemalloc
    # would slow the timed one down a few times.
    traced_orders = bench.scaled(ORDERS * MEMORY_RUN_SHARE)
    with sandbox_in_child_process(bench) as child:
        order_ids = _store(child, traced_orders)
        with measured(trace_python=True) as traced:
            result = _backfill()
        _check(result, order_ids)

    orders = bench.scaled(ORDERS)
    order_ids = _store(bench, orders)
    with measured() as measurement:
        result = _backfill()
    calls = bench.control.calls(method="GET", path_contains="/api/oms/pvt/orders")
    list_calls = [call for call in calls if call["path"] == "/api/oms/pvt/orders"]
    highest_page = max(int(parse_qs(call["query"])["page"][0]) for call in list_calls)
    require(highest_page <= LIST_PAGE_LIMIT, f"page {highest_page} asked (VTEX serves 30)")
    require({call["status"] for call in list_calls} == {200}, "a list page was refused")
    _check(result, order_ids)

    return [
        ("orders in the store", f"{count(orders)} created over {DAYS} days (status mix)"),
        ("wall time", seconds(measurement.seconds)),
        ("orders/s", rate(orders, measurement.seconds)),
        ("creation-date windows", count(result.windows)),
        ("list pages requested (100 per page)", count(len(list_calls))),
        ("highest page asked (VTEX serves 30)", count(highest_page)),
        ("GetOrder requests", count(len(calls) - len(list_calls))),
        ("SQL queries (total)", count(measurement.queries)),
        ("SQL queries per order", f"{measurement.queries / orders:.2f}"),
        ("peak RSS growth", mebibytes(measurement.rss_growth_bytes)),
        (
            f"peak Python memory (tracemalloc, backfill of {count(traced_orders)} orders)",
            mebibytes(traced.python_peak_bytes),
        ),
        ("check: orders mirrored", f"{count(orders)} of {count(orders)}, each imported once"),
    ]


def store_backfilled(bench: Bench, orders: int) -> None:
    """A fresh store of ``orders`` over 60 days, all of them mirrored (for the admin)."""
    order_ids = _store(bench, orders)
    _check(_backfill(), order_ids)


def _store(bench: Bench, orders: int) -> set[str]:
    """A fresh store of ``orders`` created over the last 60 days, and an empty mirror."""
    bench.fresh_store(orders=orders, days=DAYS)
    order_ids = {row["orderId"] for row in bench.control.orders()}
    require(len(order_ids) == orders, f"the store holds {len(order_ids)} orders, not {orders}")
    return order_ids


def _backfill() -> BackfillResult:
    now = timezone.now()
    return order_backfill(since=now - timedelta(days=DAYS + 1), until=now)


def _check(result: BackfillResult, order_ids: set[str]) -> None:
    orders = len(order_ids)
    mirrored = set(Order.objects.values_list("vtex_order_id", flat=True))
    imported = OrderEvent.objects.filter(type=EventType.IMPORTED).count()
    require(not result.rate_limited and result.orders_failed == 0, f"backfill: {result}")
    require(result.orders_listed == orders, f"{result.orders_listed} of {orders} orders listed")
    require(mirrored == order_ids, f"{len(mirrored)} of {orders} orders mirrored")
    require(imported == orders, f"{imported} import events for {orders} orders")
