"""The rate governor (vtex/governor.py): every reader together stays below VTEX's limit.

The schedule's arithmetic is checked on a simulated clock (hypothesis: any limit, window and
headroom); the shared Redis schedule by readers with separate clients against the sandbox's
rate limit, scaled down to seconds: the sandbox's own call log must show no 429 and a window
filled to at least 95 % of the limit.
"""

from __future__ import annotations

import itertools
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.harness import densest_window
from tests.vtex.support import make_config
from vtex import VtexClient, VtexRateLimited
from vtex.governor import (
    CATALOG,
    FEED,
    ORDER_WRITE,
    ORDERS_READ,
    PAYMENTS,
    LocalStore,
    RateGovernor,
    RateLimit,
    RedisStore,
    parse_limits,
    request_family,
)

GET_ORDER = "/api/oms/pvt/orders/"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@settings(max_examples=200, deadline=None)
@given(
    requests=st.integers(min_value=20, max_value=20000),
    seconds=st.sampled_from([1.0, 5.0, 60.0, 3600.0]),
    headroom=st.floats(min_value=0.95, max_value=0.99),
    gaps=st.lists(st.floats(min_value=0, max_value=3), max_size=20),
)
def test_a_greedy_reader_never_exceeds_the_limit_and_gets_95_percent_of_it(
    requests, seconds, headroom, gaps
):
    clock = FakeClock()
    limit = RateLimit(requests, seconds)
    governor = RateGovernor(
        {ORDERS_READ: limit}, store=LocalStore(clock), headroom=headroom, sleep=clock.sleep
    )
    sent: list[float] = []
    # Quiet spells (a whole window or more) refill the burst; then read flat out.
    for gap in gaps:
        clock.sleep(gap * seconds)
        for _ in range(requests // 10):
            governor.wait(ORDERS_READ)
            sent.append(clock.now)
    start = clock.now
    for _ in range(3 * requests):
        governor.wait(ORDERS_READ)
        sent.append(clock.now)
    assert densest_window(sent, seconds) <= requests
    flat_out = [moment for moment in sent if moment >= start]
    windows = (flat_out[-1] - start) / seconds
    assert len(flat_out) >= 0.95 * requests * windows


def test_a_family_without_a_limit_never_waits():
    clock = FakeClock()
    governor = RateGovernor(
        {ORDERS_READ: RateLimit(20, 1)}, store=LocalStore(clock), sleep=clock.sleep
    )
    for _ in range(1000):
        governor.wait(FEED)
    assert clock.now == 1000.0


def test_the_local_store_divides_the_limit_among_the_processes_that_share_the_account():
    clock = FakeClock()
    governor = RateGovernor(
        {ORDERS_READ: RateLimit(6000)},
        store=LocalStore(clock),
        processes=3,
        divide_local=True,
        sleep=clock.sleep,
    )
    sent = []
    for _ in range(6000):
        governor.wait(ORDERS_READ)
        sent.append(clock.now)
    assert densest_window(sent, 60) <= 2000
    assert densest_window(sent, 60) >= 0.95 * 2000


@pytest.mark.parametrize(
    ("method", "path", "family"),
    [
        ("GET", "/api/oms/pvt/orders/1234-01", ORDERS_READ),
        ("GET", "/api/oms/pvt/orders", ORDERS_READ),
        ("GET", "/api/oms/pvt/orders/1234-01/payment-transaction", ORDER_WRITE),
        ("POST", "/api/oms/pvt/orders/1234-01/invoice", ORDER_WRITE),
        ("PATCH", "/api/order-system/orders/1234-01/changes", ORDER_WRITE),
        ("GET", "/api/orders/feed", FEED),
        ("POST", "/api/orders/feed", FEED),
        ("POST", "/api/sku-binding/pvt/skuseller/changenotification/1/2", CATALOG),
        ("GET", "/api/pvt/transactions/T1", PAYMENTS),
    ],
)
def test_each_request_belongs_to_its_resource_family(method, path, family):
    assert request_family(method, path) == family


def test_limits_read_from_settings_text():
    assert parse_limits("orders_read=3000, catalog=100/10,feed=off") == {
        ORDERS_READ: RateLimit(3000, 60),
        CATALOG: RateLimit(100, 10),
        FEED: None,
    }
    with pytest.raises(ValueError, match="family"):
        parse_limits("getorder=10")
    with pytest.raises(ValueError, match="rate limit"):
        parse_limits("orders_read=many")


def test_a_slot_further_than_the_client_may_wait_is_not_taken_and_nothing_is_sent(sandbox):
    order_id = sandbox.create_orders(1)[0]
    governor = RateGovernor({ORDERS_READ: RateLimit(30, 60)}, headroom=0.96)
    client = VtexClient(make_config(sandbox, max_rate_limit_wait=0.5), governor=governor)
    client.get_order(order_id)  # the burst: one slot at once, the next in 2 s
    sandbox.clear_calls()
    with pytest.raises(VtexRateLimited, match="orders_read"):
        client.get_order(order_id)
    assert sandbox.calls(path_contains=GET_ORDER) == []


# --- Shared by every reader: Redis, against the sandbox's limit ------------------------------

# VTEX's 6,000 a minute scaled down so the test takes seconds; the window stays long enough
# for the headroom (4 %: 0.4 s) to absorb a loaded machine's jitter between slot and arrival.
LIMIT = RateLimit(200, 10.0)
HEADROOM = 0.96
READERS = 2
READS = 300  # a window and a half


def reader_governor(url: str) -> RateGovernor:
    """What each process builds: its own connection to the shared schedule."""
    return RateGovernor(
        {ORDERS_READ: LIMIT}, store=RedisStore(url), scope="sandbox", headroom=HEADROOM
    )


def test_readers_in_separate_processes_share_the_limit_and_draw_no_429(sandbox, redis_server):
    from orders.services.sync import order_documents_fetch

    sandbox.set_faults(
        rate_limit_per_minute=LIMIT.requests,
        rate_limit_window_seconds=LIMIT.per_seconds,
        paths=[GET_ORDER],
        methods=["GET"],
    )
    order_ids = sandbox.create_orders(READS)
    sandbox.clear_calls()
    share = READS // READERS

    def drain(index: int) -> list:
        # Each reader as the drain reads: its own client, a pool of 4 threads.
        client = VtexClient(make_config(sandbox), governor=reader_governor(redis_server.url))
        mine = order_ids[index * share :][: share if index < READERS - 1 else None]
        with ThreadPoolExecutor(4) as pool:
            return order_documents_fetch(client=client, order_ids=mine, pool=pool)

    with ThreadPoolExecutor(READERS) as readers:
        fetched = [item for part in readers.map(drain, range(READERS)) for item in part]

    calls = sandbox.calls(method="GET", path_contains=GET_ORDER)
    assert [c for c in calls if c["status"] == 429] == []
    assert len(calls) == READS
    assert all(isinstance(document, dict) for _, document in fetched)
    served = [datetime.fromisoformat(c["at"]).timestamp() for c in calls]
    assert LIMIT.requests * 0.95 <= densest_window(served, LIMIT.per_seconds) <= LIMIT.requests


def test_without_the_governor_the_same_readers_draw_429s(sandbox):
    """The limit the test above keeps is a real one: ungoverned, the readers hit it."""
    sandbox.set_faults(
        rate_limit_per_minute=LIMIT.requests,
        rate_limit_window_seconds=LIMIT.per_seconds,
        retry_after=0.01,
        paths=[GET_ORDER],
        methods=["GET"],
    )
    order_ids = sandbox.create_orders(LIMIT.requests + 20)
    sandbox.clear_calls()
    client = VtexClient(make_config(sandbox, get_retries=0))
    for order_id in order_ids:
        try:
            client.get_order(order_id)
        except VtexRateLimited:
            break
    assert [c for c in sandbox.calls(path_contains=GET_ORDER) if c["status"] == 429]


def test_when_redis_stops_answering_each_process_keeps_its_share_and_says_so(
    sandbox, redis_server, caplog
):
    order_id = sandbox.create_orders(1)[0]
    clock = FakeClock()
    governor = RateGovernor(
        {ORDERS_READ: RateLimit(60, 60)},
        store=RedisStore(redis_server.url),
        scope="sandbox",
        processes=3,
        sleep=clock.sleep,
    )
    client = VtexClient(make_config(sandbox, max_rate_limit_wait=10), governor=governor)
    client.get_order(order_id)
    redis_server.stop()
    with caplog.at_level(logging.WARNING, logger="vtex.governor"):
        client.get_order(order_id)
        client.get_order(order_id)
    # A third of 60 a minute (at 97 %): about 3 s apart, and the reads still went out.
    assert clock.now - 1000.0 == pytest.approx(60 / (20 * 0.97), abs=0.3)
    assert len(sandbox.calls(path_contains=GET_ORDER)) == 3
    assert "shared store unavailable" in caplog.text
    assert redis_server.url not in caplog.text


def test_concurrent_reservations_in_redis_are_each_counted_once(redis_server):
    """The Lua script refills and takes atomically: 16 threads asking at once get 16
    different slots, spaced by the interval."""
    store = RedisStore(redis_server.url)
    waits: list[float] = []
    lock = threading.Lock()

    def ask() -> None:
        wait = store.reserve("vtex:rate:test:orders_read", 0.1, 0.0, 60)
        with lock:
            waits.append(wait)

    threads = [threading.Thread(target=ask) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    waits.sort()
    gaps = [later - earlier for earlier, later in itertools.pairwise(waits)]
    assert len(waits) == 16
    assert all(gap == pytest.approx(0.1, abs=0.02) for gap in gaps)
