"""The feed drain under VTEX's GetOrder limit: the governor the settings configure keeps it
below the limit (the sandbox's, scaled down to seconds), with no 429."""

import pytest

from orders.models import Order
from orders.services.feed import feed_configure, feed_drain
from vtex.governor import ORDERS_READ, RateLimit

GET_ORDER = "/api/oms/pvt/orders/"
LIMIT = RateLimit(60, 5.0)
ORDERS = 90  # a window and a half of reads


@pytest.fixture
def limited_feed(vtex_sandbox):
    feed_configure()
    order_ids = vtex_sandbox.create_orders(ORDERS, status="ready-for-handling")
    vtex_sandbox.set_faults(
        rate_limit_per_minute=LIMIT.requests,
        rate_limit_window_seconds=LIMIT.per_seconds,
        paths=[GET_ORDER],
        methods=["GET"],
    )
    vtex_sandbox.clear_calls()
    return order_ids


def get_order_statuses(sandbox) -> list[int]:
    return [c["status"] for c in sandbox.calls(method="GET", path_contains=GET_ORDER)]


@pytest.mark.django_db(transaction=True)
def test_the_drain_governed_by_the_settings_stays_under_the_limit(
    limited_feed, vtex_sandbox, redis_server, settings
):
    settings.VTEX_RATE_LIMITS = {ORDERS_READ: LIMIT}
    settings.VTEX_RATE_LIMIT_REDIS_URL = redis_server.url
    settings.VTEX_RATE_LIMIT_HEADROOM = 0.9

    result = feed_drain(time_budget=60)

    assert not result.rate_limited and result.orders_synced == ORDERS
    assert set(Order.objects.values_list("vtex_order_id", flat=True)) == set(limited_feed)
    statuses = get_order_statuses(vtex_sandbox)
    assert statuses.count(429) == 0
    assert len(statuses) == ORDERS


@pytest.mark.django_db(transaction=True)
def test_ungoverned_the_same_drain_runs_into_the_limit(limited_feed, vtex_sandbox, settings):
    settings.VTEX_RATE_LIMITS = {}
    vtex_sandbox.set_faults(
        rate_limit_per_minute=LIMIT.requests,
        rate_limit_window_seconds=LIMIT.per_seconds,
        retry_after=0.01,
        paths=[GET_ORDER],
        methods=["GET"],
    )

    feed_drain(time_budget=60)

    assert 429 in get_order_statuses(vtex_sandbox)
