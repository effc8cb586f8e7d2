"""Draining the VTEX feed into the mirror, against the sandbox over HTTP."""

import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count

from core.vtex import vtex_client
from orders.models import EventType, Order, OrderEvent
from orders.services.feed import feed_drain
from vtex import VtexRejected


def run_import(*args: str) -> str:
    out = io.StringIO()
    call_command("vtex_import", *args, stdout=out)
    return out.getvalue()


def feed_left(sandbox) -> int:
    return vtex_client().get_feed_config()["quantity"]


def committed_handles(sandbox) -> int:
    return sum(
        len(call["body"]["handles"])
        for call in sandbox.calls(method="POST", path_contains="/api/orders/feed")
        if call["path"] == "/api/orders/feed" and call["status"] == 200
    )


@pytest.mark.django_db(transaction=True)
def test_one_import_mirrors_300_orders_from_a_feed_with_duplicates(vtex_sandbox):
    call_command("vtex_feed_configure", stdout=io.StringIO())
    vtex_sandbox.set_options(duplicate_rate=0.5)
    order_ids = vtex_sandbox.create_orders(300, status="ready-for-handling")
    queued = feed_left(vtex_sandbox)
    assert queued > 300  # duplicates are waiting too

    output = run_import()

    # A twin in another batch is synced again, harmlessly: only 300 are new.
    assert "(300 new, 0 status changes)" in output
    assert f"{queued} handles committed, 0 failed" in output
    assert set(Order.objects.values_list("vtex_order_id", flat=True)) == set(order_ids)
    for order in Order.objects.prefetch_related("items"):
        document = vtex_sandbox.order(order.vtex_order_id)["order"]
        totals = {total["id"]: total["value"] for total in document["totals"]}
        assert (order.value, order.status) == (document["value"], document["status"])
        assert (
            order.items_total,
            order.discounts_total,
            order.shipping_total,
            order.tax_total,
        ) == (
            totals["Items"],
            totals["Discounts"],
            totals["Shipping"],
            totals["Tax"],
        )
        assert [
            (i.sku_id, i.quantity, i.unit_price, i.list_price, i.selling_price)
            for i in order.items.all()
        ] == [
            (i["id"], i["quantity"], i["price"], i["listPrice"], i["sellingPrice"])
            for i in document["items"]
        ]
    assert feed_left(vtex_sandbox) == 0
    assert committed_handles(vtex_sandbox) == queued
    imported = OrderEvent.objects.filter(type=EventType.IMPORTED)
    assert imported.count() == 300
    assert not imported.values("order").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert set(imported.values_list("source", flat=True)) == {"feed"}

    second = run_import()

    assert "0 batches, 0 items, 0 orders synced" in second
    assert Order.objects.count() == 300
    assert OrderEvent.objects.count() == 300


@pytest.mark.django_db(transaction=True)
def test_a_status_change_reaches_the_mirror_at_the_next_drain(vtex_sandbox):
    call_command("vtex_feed_configure", stdout=io.StringIO())
    order_id, other_id = vtex_sandbox.create_orders(2, status="ready-for-handling")
    run_import()

    vtex_sandbox.set_status(order_id, "handling")
    output = run_import()

    assert "1 orders synced (0 new, 1 status changes)" in output
    assert Order.objects.get(vtex_order_id=order_id).status == "handling"
    assert Order.objects.get(vtex_order_id=other_id).status == "ready-for-handling"
    [change] = OrderEvent.objects.filter(type=EventType.STATUS_CHANGED)
    assert (change.order.vtex_order_id, change.from_status, change.to_status, change.source) == (
        order_id,
        "ready-for-handling",
        "handling",
        "feed",
    )


@pytest.mark.django_db(transaction=True)
def test_a_failure_between_the_database_commit_and_the_feed_commit_loses_and_duplicates_nothing(
    vtex_sandbox, settings
):
    # Short, so the drain's budget (half of it) is too; the test then advances the sandbox's
    # clock past it for the uncommitted items to come back.
    settings.ORDERS_FEED_VISIBILITY_TIMEOUT_SECONDS = 3
    call_command("vtex_feed_configure", stdout=io.StringIO())
    vtex_sandbox.set_options(duplicate_rate=0.5)
    order_ids = vtex_sandbox.create_orders(25, status="ready-for-handling")
    vtex_sandbox.set_faults(rate_500=1.0, paths=["/api/orders/feed"], methods=["POST"])

    output = run_import()  # every feed commit fails: the drain ends, without an error

    assert "feed commits failed" in output
    assert Order.objects.count() > 0  # the database commit happened
    assert committed_handles(vtex_sandbox) == 0  # the feed commit did not
    vtex_sandbox.clear_faults()
    vtex_sandbox.advance_clock(3.2)

    run_import()

    assert set(Order.objects.values_list("vtex_order_id", flat=True)) == set(order_ids)
    assert OrderEvent.objects.filter(type=EventType.IMPORTED).count() == 25
    assert OrderEvent.objects.count() == 25
    assert feed_left(vtex_sandbox) == 0


@pytest.mark.django_db(transaction=True)
def test_two_drains_at_once_create_no_duplicate_order_or_event(vtex_sandbox, require_postgres):
    call_command("vtex_feed_configure", stdout=io.StringIO())
    # Each group of ten orders enters the feed twice in a row (created, then moved to
    # handling): one batch each, so the two drains receive the same orders at the same time.
    order_ids: list[str] = []
    for _ in range(15):
        group = vtex_sandbox.create_orders(10, status="ready-for-handling")
        for order_id in group:
            vtex_sandbox.set_status(order_id, "handling")
        order_ids += group
    vtex_sandbox.set_faults(latency_ms=5)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def drain() -> None:
        try:
            start.wait()
            feed_drain(time_budget=60)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=drain) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Order.objects.count() == 150
    assert set(Order.objects.values_list("vtex_order_id", flat=True)) == set(order_ids)
    assert set(Order.objects.values_list("status", flat=True)) == {"handling"}
    imported = OrderEvent.objects.filter(type=EventType.IMPORTED)
    assert imported.count() == 150
    assert not imported.values("order").annotate(n=Count("pk")).filter(n__gt=1).exists()
    # Both drains read the order after it moved: neither may invent a status change.
    assert not OrderEvent.objects.filter(type=EventType.STATUS_CHANGED).exists()
    assert feed_left(vtex_sandbox) == 0


@pytest.mark.django_db(transaction=True)
def test_a_drain_recreates_a_feed_vtex_deleted_and_keeps_draining(vtex_sandbox):
    # VTEX deletes a feed that saw no events for its retention period (contract 11 #2):
    # the test sandbox starts with none.

    result = feed_drain()

    assert result.feed_configured
    config = vtex_client().get_feed_config()
    assert config["filter"]["type"] == "FromWorkflow"
    order_ids = vtex_sandbox.create_orders(3, status="ready-for-handling")
    assert feed_drain().orders_created == 3
    assert set(Order.objects.values_list("vtex_order_id", flat=True)) == set(order_ids)


@pytest.mark.django_db(transaction=True)
def test_an_order_vtex_refuses_to_read_is_counted_and_stops_no_batch(vtex_sandbox):
    call_command("vtex_feed_configure", stdout=io.StringIO())
    refused_id, *order_ids = vtex_sandbox.create_orders(4, status="ready-for-handling")
    client = vtex_client()
    read = client.get_order

    def get_order(vtex_order_id, *args, **kwargs):
        if vtex_order_id == refused_id:
            raise VtexRejected(
                "Bad request", status=400, method="GET", path=f"/api/oms/pvt/orders/{refused_id}"
            )
        return read(vtex_order_id, *args, **kwargs)

    client.get_order = get_order

    result = feed_drain(client=client)

    assert (result.orders_failed, result.orders_created) == (1, 3)
    assert set(Order.objects.values_list("vtex_order_id", flat=True)) == set(order_ids)
    # The refused order's handles are committed too: VTEX would refuse it again.
    assert result.handles_committed == result.items
    assert feed_left(vtex_sandbox) == 0
