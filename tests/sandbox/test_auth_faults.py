"""Authentication on VTEX paths, injected faults, and stopping/restarting the server."""

from __future__ import annotations

import time

import pytest
import requests

from tests.sandbox.support import ORDERS, get_order, new_order

UNAUTHORIZED = {"error": {"code": "1", "message": "Unauthorized access", "exception": None}}
VTEX_PATHS = [
    ("GET", ORDERS),
    ("GET", f"{ORDERS}/1-01"),
    ("POST", f"{ORDERS}/1-01/start-handling"),
    ("GET", "/api/orders/feed"),
    ("POST", "/api/sku-binding/pvt/skuseller/changenotification/1/1"),
    ("PUT", "/suggestions/1/1"),
    ("POST", "/marketplace-services/api/oms/pvt/orders/1-01/invoice"),
]


@pytest.mark.parametrize(("method", "path"), VTEX_PATHS)
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-VTEX-API-AppKey": "test-appkey", "X-VTEX-API-AppToken": "wrong"},
        {"X-VTEX-API-AppKey": "other", "X-VTEX-API-AppToken": "test-apptoken"},
    ],
    ids=["missing", "wrong-token", "wrong-key"],
)
def test_wrong_or_missing_credentials_are_401(sandbox, method, path, headers):
    response = requests.request(method, sandbox.base_url + path, headers=headers, timeout=10)

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_control_api_needs_no_credentials(sandbox):
    assert requests.get(sandbox.base_url + "/_sandbox/health", timeout=10).status_code == 200


def test_rate_429_answers_with_retry_after_and_changes_nothing(sandbox):
    order_id = new_order(sandbox)
    sandbox.set_faults(rate_429=1.0, retry_after=3)

    response = sandbox.vtex("POST", f"{ORDERS}/{order_id}/start-handling")

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3"
    assert response.json()["error"]["code"] == "429"
    sandbox.clear_faults()
    assert get_order(sandbox, order_id)["status"] == "ready-for-handling"


def test_faults_are_scoped_by_path_prefix_and_method(sandbox):
    order_id = new_order(sandbox)
    sandbox.set_faults(rate_500=1.0, paths=["/api/oms/pvt/orders/"], methods=["POST"])

    assert sandbox.vtex("GET", f"{ORDERS}/{order_id}").status_code == 200
    assert sandbox.vtex("POST", f"{ORDERS}/{order_id}/start-handling").status_code == 500
    assert sandbox.vtex("GET", ORDERS).status_code == 200


def test_server_errors_are_500_or_503_in_the_envelope(sandbox):
    sandbox.set_faults(rate_503=1.0)

    response = sandbox.vtex("GET", ORDERS)

    assert response.status_code == 503
    assert response.json()["error"]["message"] == "Service Unavailable"


def test_shares_mix_faults_with_successes(sandbox):
    sandbox.set_faults(rate_500=0.5)

    statuses = [sandbox.vtex("GET", ORDERS).status_code for _ in range(60)]

    assert {200, 500} == set(statuses)


def test_dropped_connections_get_no_http_response(sandbox):
    sandbox.set_faults(drop_rate=1.0)

    with pytest.raises(requests.ConnectionError):
        requests.get(sandbox.base_url + ORDERS, headers=sandbox.vtex_headers, timeout=10)

    sandbox.clear_faults()
    assert sandbox.calls()[-1]["status"] is None
    assert sandbox.vtex("GET", ORDERS).status_code == 200


def test_fail_after_apply_loses_the_answer_but_keeps_the_write(sandbox):
    order_id = new_order(sandbox)
    sandbox.set_faults(rate_500=1.0, fail_after_apply=True, methods=["POST"])

    response = sandbox.vtex("POST", f"{ORDERS}/{order_id}/start-handling")

    assert response.status_code == 500
    assert get_order(sandbox, order_id)["status"] == "handling"


def test_latency_delays_answers(sandbox):
    sandbox.set_faults(latency_ms=150)

    started = time.monotonic()
    sandbox.vtex("GET", ORDERS)

    assert time.monotonic() - started >= 0.15


def test_rate_limit_per_minute_throttles_the_excess(sandbox):
    sandbox.set_faults(rate_limit_per_minute=3)

    statuses = [sandbox.vtex("GET", ORDERS) for _ in range(5)]

    assert [r.status_code for r in statuses] == [200, 200, 200, 429, 429]
    assert 1 <= int(statuses[3].headers["Retry-After"]) <= 60


def test_a_rate_limit_window_of_seconds_lets_requests_through_again_once_it_passed(sandbox):
    sandbox.set_faults(rate_limit_per_minute=2, rate_limit_window_seconds=0.5)

    first = [sandbox.vtex("GET", ORDERS).status_code for _ in range(3)]
    sandbox.advance_clock(0.6)
    later = sandbox.vtex("GET", ORDERS).status_code

    assert first == [200, 200, 429]
    assert later == 200


def test_invalid_fault_settings_are_refused(sandbox):
    for bad in (
        {"rate_429": 2},
        {"rate_500": 0.7, "rate_503": 0.7},
        {"colour": "red"},
        {"rate_limit_window_seconds": 0},
        {"rate_limit_window_seconds": "soon"},
    ):
        response = requests.put(sandbox.base_url + "/_sandbox/faults", json=bad, timeout=10)
        assert response.status_code == 400, bad


def test_faults_leave_the_control_api_alone(sandbox):
    sandbox.set_faults(rate_500=1.0)

    assert sandbox.health()["status"] == "ok"


def test_calls_are_logged_with_status_and_body(sandbox):
    order_id = new_order(sandbox)
    sandbox.vtex("POST", f"{ORDERS}/{order_id}/cancel", json={"reason": "teste"})

    (call,) = sandbox.calls(method="POST", path_contains="/cancel")

    assert call["body"] == {"reason": "teste"}
    assert call["status"] == 200
    assert call["path"] == f"{ORDERS}/{order_id}/cancel"


def test_stop_keeps_state_and_start_serves_the_same_port(sandbox, sandbox_server):
    order_id = new_order(sandbox)
    port = sandbox_server.port

    sandbox_server.stop()
    assert not sandbox_server.running
    with pytest.raises(requests.ConnectionError):
        requests.get(sandbox.base_url + "/_sandbox/health", timeout=2)
    sandbox_server.start()

    assert sandbox_server.port == port
    assert get_order(sandbox, order_id)["orderId"] == order_id
