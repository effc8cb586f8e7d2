"""Failures on the way to VTEX: 5xx, timeouts, dropped connections and 429s.

GETs are retried; writes never are (VTEX has no idempotency header, the outbox decides after
re-reading the order). A 429 pauses every client of the process for Retry-After seconds.
"""

import os
import threading
import time

import pytest

from tests.vtex.support import new_order, settled_calls, vtex_calls
from vtex import VtexRateLimited, VtexTransientError, rate_limit_pause


@pytest.mark.parametrize(("fault", "status"), [("rate_500", 500), ("rate_503", 503)])
def test_get_retries_server_errors_then_gives_up(make_client, sandbox, fault, status):
    order_id = new_order(sandbox)
    sandbox.set_faults(**{fault: 1.0}, methods=["GET"])

    with pytest.raises(VtexTransientError) as caught:
        make_client(get_retries=2).get_order(order_id)

    assert caught.value.status == status
    assert [call["status"] for call in vtex_calls(sandbox, method="GET")] == [status] * 3


def test_get_recovers_when_vtex_comes_back(make_client, sandbox, sandbox_server, caplog):
    order_id = new_order(sandbox)
    client = make_client(get_retries=5, backoff_base=0.2)
    sandbox_server.stop()
    # An outage also ends the established keep-alive connections.
    client.session.close()
    restart = threading.Timer(0.3, sandbox_server.start)
    restart.start()

    document = client.get_order(order_id)

    restart.join()
    assert document["orderId"] == order_id
    assert "connection failed" in caplog.text
    assert [call["status"] for call in vtex_calls(sandbox, method="GET")] == [200]


def test_a_write_is_not_retried_after_a_server_error(client, sandbox):
    order_id = new_order(sandbox)
    # The sandbox applies the request, then answers 500: VTEX got it, the answer got lost.
    sandbox.set_faults(rate_500=1.0, methods=["POST"], fail_after_apply=True)

    with pytest.raises(VtexTransientError) as caught:
        client.start_handling(order_id)

    assert caught.value.status == 500
    assert len(vtex_calls(sandbox, method="POST")) == 1
    sandbox.clear_faults()
    assert client.get_order(order_id)["status"] == "handling"


def test_get_timeouts_are_retried(make_client, sandbox):
    order_id = new_order(sandbox)
    sandbox.set_faults(latency_ms=500, methods=["GET"])

    with pytest.raises(VtexTransientError, match="timed out") as caught:
        make_client(timeout=0.15, get_retries=1).get_order(order_id)

    assert caught.value.status is None
    assert len(settled_calls(sandbox, 2, method="GET")) == 2


def test_a_write_that_timed_out_is_not_retried(make_client, sandbox):
    order_id = new_order(sandbox)
    sandbox.set_faults(latency_ms=500, methods=["POST"])

    with pytest.raises(VtexTransientError, match="timed out"):
        make_client(timeout=0.15).start_handling(order_id)

    assert len(settled_calls(sandbox, 1, method="POST")) == 1
    sandbox.clear_faults()
    assert sandbox.order(order_id)["start_handling_calls"] == 1


def test_dropped_connections_are_retried_for_gets(make_client, sandbox):
    order_id = new_order(sandbox)
    sandbox.set_faults(drop_rate=1.0, methods=["GET"])

    with pytest.raises(VtexTransientError, match="connection failed"):
        make_client(get_retries=2).get_order(order_id)

    assert [call["status"] for call in vtex_calls(sandbox, method="GET")] == [None] * 3


def test_a_dropped_write_is_not_retried(client, sandbox):
    order_id = new_order(sandbox)
    sandbox.set_faults(drop_rate=1.0, methods=["POST"])

    with pytest.raises(VtexTransientError, match="connection failed"):
        client.cancel_order(order_id, reason="Sem estoque")

    assert len(vtex_calls(sandbox, method="POST")) == 1
    assert sandbox.order(order_id)["cancel_calls"] == 0


def _raised(call) -> Exception | None:
    try:
        call()
    except Exception as error:
        return error
    return None


def test_a_429_pauses_every_client_of_the_process(make_client, sandbox):
    order_id = new_order(sandbox)
    throttled, other = make_client(), make_client(timeout=3.0)
    sandbox.set_faults(rate_429=1.0, retry_after=0.6, methods=["POST"])

    with pytest.raises(VtexRateLimited) as caught:
        throttled.start_handling(order_id)
    sandbox.clear_faults()

    assert (caught.value.status, caught.value.retry_after) == (429, 0.6)
    # Another client, in another thread, is refused without sending anything.
    refused: list[Exception | None] = []
    worker = threading.Thread(
        target=lambda: refused.append(_raised(lambda: other.cancel_order(order_id, reason="x")))
    )
    worker.start()
    worker.join()
    assert isinstance(refused[0], VtexRateLimited)
    assert 0 < refused[0].retry_after <= 0.6
    assert len(vtex_calls(sandbox, method="POST")) == 1

    # A GET sleeps the pause out, then goes through.
    started = time.monotonic()
    assert other.get_order(order_id)["status"] == "ready-for-handling"
    assert time.monotonic() - started >= 0.3
    assert rate_limit_pause.remaining() == 0
    throttled.start_handling(order_id)
    assert sandbox.order(order_id)["order"]["status"] == "handling"


def test_a_get_waits_out_a_429_and_retries(client, sandbox):
    order_id = new_order(sandbox)
    sandbox.set_faults(rate_429=1.0, retry_after=0.5, methods=["GET"])

    def lift_after_first_429() -> None:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if any(c["status"] == 429 for c in vtex_calls(sandbox, method="GET")):
                sandbox.clear_faults()
                return
            time.sleep(0.02)

    lifter = threading.Thread(target=lift_after_first_429)
    lifter.start()
    started = time.monotonic()

    document = client.get_order(order_id)

    lifter.join()
    assert document["orderId"] == order_id
    assert time.monotonic() - started >= 0.45
    assert [call["status"] for call in vtex_calls(sandbox, method="GET")] == [429, 200]


def test_a_pause_longer_than_the_wait_budget_fails_fast(make_client, sandbox):
    order_id = new_order(sandbox)
    client = make_client(max_rate_limit_wait=0.5)
    sandbox.set_faults(rate_429=1.0, retry_after=30, methods=["POST"])
    with pytest.raises(VtexRateLimited):
        client.start_handling(order_id)
    sandbox.clear_faults()

    started = time.monotonic()
    with pytest.raises(VtexRateLimited) as caught:
        client.get_order(order_id)

    assert time.monotonic() - started < 0.5
    assert 29 < caught.value.retry_after <= 30
    assert vtex_calls(sandbox, method="GET") == []


def test_a_forked_child_gets_its_own_session(client, sandbox):
    order_id = new_order(sandbox)
    client.get_order(order_id)
    parent_session = client.session

    child = os.fork()
    if child == 0:
        # In the child: never return into pytest, report through the exit code.
        ok = False
        try:
            ok = client.session is not parent_session
            ok = ok and client.get_order(order_id)["orderId"] == order_id
        finally:
            os._exit(0 if ok else 1)
    _, status = os.waitpid(child, 0)

    assert os.waitstatus_to_exitcode(status) == 0
    assert client.session is parent_session
    assert len(vtex_calls(sandbox, method="GET")) == 2
