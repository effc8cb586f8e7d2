"""Backfill (list endpoint by creation-date windows) and reconciliation, against the sandbox."""

import io
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from django.core.management import call_command
from django.utils import timezone

from orders.models import EventType, Order, OrderEvent
from orders.services import backfill
from orders.services.backfill import order_reconcile
from orders.tasks import orders_backfill_recent_task
from vtex import MAX_LIST_PAGES

pytestmark = pytest.mark.django_db(transaction=True)


def list_calls(sandbox) -> list[dict]:
    return [
        call
        for call in sandbox.calls(method="GET", path_contains="/api/oms/pvt/orders")
        if call["path"] == "/api/oms/pvt/orders"
    ]


def page_of(call: dict) -> int:
    return int(parse_qs(call["query"])["page"][0])


def test_a_backfill_of_more_orders_than_30_pages_hold_never_asks_beyond_page_30(
    vtex_sandbox, monkeypatch
):
    # ListOrders serves 30 pages (the sandbox refuses page 31), so a window holding more orders
    # must be split. With VTEX's pages of 100 that takes over 3,000 orders (bench/backfill.py
    # reads such a store); with pages of 5 it takes over 150: 400 orders over 60 days are read
    # in windows of about 15 days, and unsplit only the 150 of the first 30 pages would be.
    monkeypatch.setattr(backfill, "PER_PAGE", 5)
    monkeypatch.setattr(backfill, "WINDOW_CAPACITY", MAX_LIST_PAGES * 5)
    now = timezone.now()
    order_ids = vtex_sandbox.create_orders(
        400,
        status="ready-for-handling",
        created_from=now - timedelta(days=60),
        created_to=now - timedelta(minutes=1),
    )
    out = io.StringIO()

    call_command(
        "vtex_import",
        "--backfill",
        "--since",
        (timezone.localdate() - timedelta(days=61)).isoformat(),
        stdout=out,
    )

    assert "400 orders listed, 400 synced (400 new" in out.getvalue()
    assert Order.objects.count() == 400
    assert set(Order.objects.values_list("vtex_order_id", flat=True)) == set(order_ids)
    calls = list_calls(vtex_sandbox)
    assert {call["status"] for call in calls} == {200}
    assert {parse_qs(call["query"])["per_page"][0] for call in calls} == {"5"}
    assert max(page_of(call) for call in calls) <= 30
    assert OrderEvent.objects.filter(type=EventType.IMPORTED, source="backfill").count() == 400


def test_a_backfill_can_keep_to_some_statuses(vtex_sandbox):
    now = timezone.now()
    window = {"created_from": now - timedelta(days=3), "created_to": now - timedelta(days=1)}
    handling = vtex_sandbox.create_orders(4, status="handling", **window)
    vtex_sandbox.create_orders(3, status="canceled", **window)

    call_command(
        "vtex_import",
        "--backfill",
        "--since",
        (timezone.localdate() - timedelta(days=4)).isoformat(),
        "--status",
        "handling",
        stdout=io.StringIO(),
    )

    assert set(Order.objects.values_list("vtex_order_id", flat=True)) == set(handling)


def test_the_nightly_backfill_reads_the_last_two_days_only(vtex_sandbox):
    now = timezone.now()
    recent = vtex_sandbox.create_orders(
        5, created_from=now - timedelta(days=1), created_to=now - timedelta(minutes=5)
    )
    vtex_sandbox.create_orders(
        5, created_from=now - timedelta(days=10), created_to=now - timedelta(days=5)
    )

    orders_backfill_recent_task.run()

    assert set(Order.objects.values_list("vtex_order_id", flat=True)) == set(recent)


def test_reconcile_rereads_open_orders_left_unchanged_and_skips_final_ones(vtex_sandbox):
    now = timezone.now()
    window = {"created_from": now - timedelta(days=2), "created_to": now - timedelta(days=1)}
    [stuck] = vtex_sandbox.create_orders(1, status="ready-for-handling", **window)
    [done] = vtex_sandbox.create_orders(1, status="invoiced", **window)
    [fresh] = vtex_sandbox.create_orders(1, status="handling", **window)
    call_command(
        "vtex_import",
        "--backfill",
        "--since",
        (timezone.localdate() - timedelta(days=3)).isoformat(),
        stdout=io.StringIO(),
    )
    # The mirror last read these hours ago; `fresh` was read a minute ago.
    Order.objects.exclude(vtex_order_id=fresh).update(synced_at=now - timedelta(hours=8))
    Order.objects.all().update(vtex_last_change=now - timedelta(hours=8))
    # A change the feed never delivered (no feed is configured in this test).
    vtex_sandbox.set_status(stuck, "handling")
    vtex_sandbox.clear_calls()

    result = order_reconcile(unchanged_for=timedelta(hours=6))

    assert (result.orders_checked, result.status_changes) == (1, 1)
    read = {call["path"] for call in vtex_sandbox.calls(method="GET")}
    assert read == {f"/api/oms/pvt/orders/{stuck}"}
    change = OrderEvent.objects.get(type=EventType.STATUS_CHANGED)
    assert (change.order.vtex_order_id, change.from_status, change.to_status, change.source) == (
        stuck,
        "ready-for-handling",
        "handling",
        "reconcile",
    )
    assert Order.objects.get(vtex_order_id=done).status == "invoiced"


def test_reconcile_moves_on_from_orders_vtex_does_not_serve_and_skips_old_ones(vtex_sandbox):
    now = timezone.now()
    window = {"created_from": now - timedelta(days=2), "created_to": now - timedelta(days=1)}
    gone, ancient, stuck = vtex_sandbox.create_orders(3, status="ready-for-handling", **window)
    call_command(
        "vtex_import",
        "--backfill",
        "--since",
        (timezone.localdate() - timedelta(days=3)).isoformat(),
        stdout=io.StringIO(),
    )
    Order.objects.all().update(
        synced_at=now - timedelta(hours=8), vtex_last_change=now - timedelta(hours=8)
    )
    # An order VTEX answers 404 for, read longest ago: first in line.
    Order.objects.filter(vtex_order_id=gone).update(
        vtex_order_id="9999999999999-01", synced_at=now - timedelta(hours=9)
    )
    # Beyond VTEX's two years: never asked for.
    Order.objects.filter(vtex_order_id=ancient).update(created_at=now - timedelta(days=800))
    vtex_sandbox.set_status(stuck, "handling")
    vtex_sandbox.clear_calls()

    first = order_reconcile(unchanged_for=timedelta(hours=6), limit=1)
    second = order_reconcile(unchanged_for=timedelta(hours=6), limit=1)
    third = order_reconcile(unchanged_for=timedelta(hours=6), limit=1)

    assert (first.orders_failed, first.orders_checked) == (1, 0)
    assert (second.orders_failed, second.orders_checked, second.status_changes) == (0, 1, 1)
    assert (third.orders_failed, third.orders_checked) == (0, 0)
    read = [call["path"] for call in vtex_sandbox.calls(method="GET")]
    assert read == ["/api/oms/pvt/orders/9999999999999-01", f"/api/oms/pvt/orders/{stuck}"]
    assert Order.objects.get(vtex_order_id=stuck).status == "handling"
    assert Order.objects.get(vtex_order_id=ancient).reconciled_at is None
