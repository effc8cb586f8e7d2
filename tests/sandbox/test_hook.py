"""Hook config: ping on save, refusal when the URL does not answer 200, notifications."""

from __future__ import annotations

import pytest

from tests.contract.openapi import validate_hook_notification
from tests.fixtures.recorder import RecordingServer
from tests.sandbox.support import ORDERS, error_code

CONFIG = "/api/orders/hook/config"


@pytest.fixture
def receiver():
    server = RecordingServer()
    yield server
    server.close()


def _hook_config(url: str, statuses=None) -> dict:
    return {
        "filter": {"type": "FromWorkflow", "status": statuses or []},
        "hook": {"url": url, "headers": {"key": "shared-secret"}},
    }


def test_saving_a_hook_pings_it_and_stores_the_config(sandbox, receiver):
    response = sandbox.vtex("POST", CONFIG, json=_hook_config(receiver.url + "/vtex/hook"))

    assert response.status_code == 200
    (ping,) = receiver.wait_for(1)
    assert ping["body"] == {"hookConfig": "ping"}
    assert ping["headers"]["Key"] == "shared-secret"
    assert sandbox.vtex("GET", CONFIG).json()["hook"]["url"] == receiver.url + "/vtex/hook"


def test_a_hook_that_does_not_answer_200_is_refused(sandbox):
    failing = RecordingServer(lambda request: (500, None))
    try:
        response = sandbox.vtex("POST", CONFIG, json=_hook_config(failing.url))
    finally:
        failing.close()

    assert response.status_code == 400
    assert error_code(response) == "SBX-HOOK-PING"
    assert sandbox.vtex("GET", CONFIG).status_code == 404


def test_an_unreachable_hook_is_refused(sandbox):
    closed = RecordingServer()
    url = closed.url
    closed.close()

    response = sandbox.vtex("POST", CONFIG, json=_hook_config(url))

    assert response.status_code == 400


def test_status_changes_are_pushed_with_the_configured_headers(sandbox, receiver):
    sandbox.vtex("POST", CONFIG, json=_hook_config(receiver.url, ["handling"]))
    order_id = sandbox.create_orders(1)[0]

    sandbox.vtex("POST", f"{ORDERS}/{order_id}/start-handling")

    requests_seen = receiver.wait_for(2)
    notification = requests_seen[1]
    assert notification["headers"]["Key"] == "shared-secret"
    body = notification["body"]
    validate_hook_notification(body)
    assert (body["OrderId"], body["State"], body["LastState"]) == (
        order_id,
        "handling",
        "start-handling",
    )
    assert body["Origin"] == {"Account": "sandbox", "Key": sandbox.app_key}
    assert len(requests_seen) == 2


def test_failed_notifications_are_retried_and_recorded(sandbox):
    answers = iter([200, 500, 503, 200])
    flaky = RecordingServer(lambda request: (next(answers, 200), None))
    try:
        sandbox.vtex("POST", CONFIG, json=_hook_config(flaky.url))
        sandbox.create_orders(1)
        flaky.wait_for(4)
    finally:
        flaky.close()

    deliveries = sandbox.hook_deliveries()
    assert [d["status"] for d in deliveries] == [500, 503, 200]
    assert [d["attempt"] for d in deliveries] == [1, 2, 3]


def test_deleting_the_hook_stops_notifications(sandbox, receiver):
    sandbox.vtex("POST", CONFIG, json=_hook_config(receiver.url))

    assert sandbox.vtex("DELETE", CONFIG).status_code == 200
    sandbox.create_orders(1)

    assert sandbox.vtex("GET", CONFIG).status_code == 404
    assert len(receiver.wait_for(2, timeout=0.3)) == 1
