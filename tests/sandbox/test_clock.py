"""The sandbox's controllable clock (``/_sandbox/clock``): time passes without sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sandbox.control import SandboxControlError
from tests.sandbox.support import ORDERS, get_order, new_order


def sandbox_now(sandbox) -> datetime:
    return datetime.fromisoformat(sandbox.clock()["now"])


def test_advancing_the_clock_moves_the_dates_the_sandbox_writes(sandbox):
    sandbox.advance_clock(3 * 24 * 3600)
    order_id = new_order(sandbox)

    sandbox.vtex("POST", f"{ORDERS}/{order_id}/start-handling")

    last_change = datetime.fromisoformat(get_order(sandbox, order_id)["lastChange"])
    assert last_change - datetime.now(UTC) > timedelta(days=3) - timedelta(minutes=1)
    assert sandbox.clock()["offset_seconds"] == pytest.approx(3 * 24 * 3600)


def test_the_clock_can_be_set_to_a_later_moment(sandbox):
    later = datetime.now(UTC) + timedelta(hours=5)

    answer = sandbox.set_clock(later)

    assert abs(datetime.fromisoformat(answer["now"]) - later) < timedelta(seconds=5)
    assert abs(sandbox_now(sandbox) - later) < timedelta(seconds=5)


def test_a_transient_status_finishes_when_its_delay_has_passed_on_the_clock(sandbox):
    sandbox.set_options(transition_delay=3600)
    order_id = new_order(sandbox)
    sandbox.vtex("POST", f"{ORDERS}/{order_id}/start-handling")

    sandbox.advance_clock(3599)
    assert get_order(sandbox, order_id)["status"] == "start-handling"
    sandbox.advance_clock(2)
    assert get_order(sandbox, order_id)["status"] == "handling"


@pytest.mark.parametrize(
    "body",
    [
        {"advance": -1},
        {"advance": "10"},
        {"advance": True},
        {"advance": 1e300},
        {"now": "2001-01-01T00:00:00Z"},
        {"now": "yesterday"},
        {"now": 5},
        {"advance": 1, "now": "2999-01-01T00:00:00Z"},
        {},
        {"later": 5},
    ],
)
def test_the_clock_never_goes_back_and_bad_requests_are_refused_with_a_message(sandbox, body):
    before = sandbox.clock()["offset_seconds"]

    response = sandbox.session.post(f"{sandbox.base_url}/_sandbox/clock", json=body)

    assert response.status_code == 400
    assert response.json()["error"]["message"]
    assert sandbox.clock()["offset_seconds"] == before


def test_a_reset_puts_the_clock_back_on_the_machines_time(sandbox):
    sandbox.advance_clock(3600)

    sandbox.reset()

    assert sandbox.clock()["offset_seconds"] == 0
    assert abs(sandbox_now(sandbox) - datetime.now(UTC)) < timedelta(seconds=5)


def test_the_control_client_reports_a_refusal(sandbox):
    with pytest.raises(SandboxControlError, match="only moves forward"):
        sandbox.advance_clock(-5)
