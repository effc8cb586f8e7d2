"""Feed commits that fail (5xx before or after the write, dropped connections, 429): the drain
goes on, mirrors every order, and what stayed uncommitted is caught up after the visibility
timeout. Against the sandbox over HTTP, with its fault injection on the commit only."""

import io
import logging
import time

import pytest
from django.core.management import call_command
from django.db.models import Count

from core.vtex import vtex_client
from orders.models import EventType, Order, OrderEvent
from orders.services.feed import feed_drain

pytestmark = pytest.mark.django_db(transaction=True)

# POST /api/orders/feed is the commit; the feed configuration is written before the faults.
COMMIT = {"paths": ["/api/orders/feed"], "methods": ["POST"]}


@pytest.fixture(autouse=True)
def _one_lot_per_batch(settings):
    # A commit per lot of 10: enough commits for the faults, drawn at random, to hit some.
    settings.ORDERS_FEED_LOTS_PER_BATCH = 1


def feed_left() -> int:
    return vtex_client().get_feed_config()["quantity"]


def commit_calls(sandbox) -> list[dict]:
    return [
        call
        for call in sandbox.calls(method="POST", path_contains="/api/orders/feed")
        if call["path"] == "/api/orders/feed"
    ]


def imported_once(order_ids) -> None:
    assert set(Order.objects.values_list("vtex_order_id", flat=True)) == set(order_ids)
    imported = OrderEvent.objects.filter(type=EventType.IMPORTED)
    assert imported.count() == len(order_ids)
    assert not imported.values("order").annotate(n=Count("pk")).filter(n__gt=1).exists()


@pytest.mark.parametrize(
    "faults",
    [
        pytest.param({"rate_500": 0.6}, id="500-before-the-write"),
        pytest.param({"rate_503": 0.6, "fail_after_apply": True}, id="503-after-the-write"),
        pytest.param({"drop_rate": 0.6}, id="dropped-connection"),
        pytest.param({"drop_rate": 0.6, "fail_after_apply": True}, id="dropped-after-the-write"),
        pytest.param({"rate_429": 0.6, "retry_after": 0.2}, id="429-with-retry-after"),
        pytest.param(
            {
                "rate_500": 0.15,
                "rate_503": 0.15,
                "drop_rate": 0.15,
                "rate_429": 0.15,
                "retry_after": 0.2,
            },
            id="all-of-them",
        ),
    ],
)
def test_a_drain_whose_commits_fail_goes_on_and_mirrors_every_order(
    vtex_sandbox, settings, caplog, faults
):
    settings.ORDERS_FEED_VISIBILITY_TIMEOUT_SECONDS = 60
    call_command("vtex_feed_configure", stdout=io.StringIO())
    vtex_sandbox.set_options(duplicate_rate=0.5)
    # Some 75 items, so 8 batches or more: the faults (drawn at random) hit some commits.
    order_ids = vtex_sandbox.create_orders(50, status="ready-for-handling")
    queued = feed_left()
    vtex_sandbox.set_faults(**faults, **COMMIT)

    with caplog.at_level(logging.INFO):
        result = feed_drain()

    assert not result.stopped_by_budget
    assert not result.rate_limited
    imported_once(order_ids)
    assert result.items == queued
    commits = commit_calls(vtex_sandbox)
    failed = [call for call in commits if call["status"] != 200]
    assert failed  # the faults did hit the commits
    assert result.commit_failures == len(failed)
    # Every handle handed out was committed or is left to VTEX's redelivery, none counted twice.
    assert result.handles_committed + result.handles_uncommitted == result.items
    assert result.handles_committed == sum(
        len(call["body"]["handles"]) for call in commits if call["status"] == 200
    )
    assert feed_left() <= result.handles_uncommitted
    # The failures are logged, without the credentials or the handles (they carry the appKey).
    assert "feed: commit of" in caplog.text
    assert vtex_sandbox.app_key not in caplog.text
    assert vtex_sandbox.app_token not in caplog.text
    handles = {handle for call in commits for handle in call["body"]["handles"]}
    assert not any(handle in caplog.text for handle in handles)


def test_when_every_commit_fails_the_drain_ends_cleanly_and_the_next_one_catches_up(
    vtex_sandbox, settings
):
    # Short, so the drain's budget (half of it) is too; the test then advances the sandbox's
    # clock past it for the uncommitted items to come back.
    settings.ORDERS_FEED_VISIBILITY_TIMEOUT_SECONDS = 4
    call_command("vtex_feed_configure", stdout=io.StringIO())
    order_ids = vtex_sandbox.create_orders(10, status="ready-for-handling")
    vtex_sandbox.set_faults(rate_503=1.0, **COMMIT)
    started = time.monotonic()

    first = feed_drain()

    # Retried with backoff, within the drain's budget (half the visibility timeout).
    assert time.monotonic() - started < 4
    assert first.commit_failures == len(commit_calls(vtex_sandbox)) > 1
    assert (first.handles_committed, first.handles_uncommitted) == (0, first.items)
    imported_once(order_ids)
    assert feed_left() == first.items
    vtex_sandbox.clear_faults()

    assert feed_drain().items == 0  # the uncommitted items are still hidden
    vtex_sandbox.advance_clock(4.2)
    second = feed_drain()

    assert second.items == first.items
    assert (second.handles_committed, second.commit_failures) == (second.items, 0)
    assert second.orders_created == 0
    imported_once(order_ids)
    assert OrderEvent.objects.count() == len(order_ids)
    assert feed_left() == 0
