"""The sweeper: hands out what is due and what a lost broker message left behind, and takes
back a command whose worker died while sending it (verified before any resend)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from outbox.delivery import commands_deliver
from outbox.models import CommandState, VtexCommand
from outbox.sweep import commands_sweep
from tests.outbox.support import attempts_of, enqueue, start_handling_calls, time_passes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _stuck_after_a_minute(settings):
    settings.VTEX_COMMAND_STUCK_SECONDS = 60


def test_a_lost_broker_message_loses_nothing(vtex_store, groups):
    alpha, _beta = groups
    [order_id] = vtex_store.create_orders(1)
    # The on-commit hand-out never runs here: exactly what a lost broker message looks like.
    command = enqueue(alpha, order_id)

    # Handed out a moment ago: the broker is given time.
    assert commands_sweep().dispatched == 0
    assert start_handling_calls(vtex_store) == []
    time_passes(61)

    report = commands_sweep()

    assert (report.unstuck, report.dispatched) == (0, 1)
    command.refresh_from_db()
    assert (command.state, command.attempts) == (CommandState.SUCCEEDED, 1)
    assert start_handling_calls(vtex_store) == [(order_id, 204)]
    assert commands_sweep().dispatched == 0


def test_due_retries_are_handed_out_and_waiting_ones_are_not(vtex_store, groups, settings):
    alpha, beta = groups
    settings.VTEX_COMMAND_BACKOFF_SECONDS = 60
    settings.VTEX_COMMAND_BACKOFF_MAX_SECONDS = 900
    first, second = vtex_store.create_orders(2)
    vtex_store.set_faults(rate_500=1.0, paths=["/api/oms/pvt/orders/"], methods=["POST"])
    failing = enqueue(alpha, first)
    commands_deliver()
    vtex_store.clear_faults()
    waiting = enqueue(beta, second)
    VtexCommand.objects.filter(pk=waiting.pk).update(
        next_attempt_at=timezone.now() + timedelta(hours=1), enqueued_at=None
    )

    assert commands_sweep().dispatched == 0  # the retry's backoff is not over
    time_passes(61)
    report = commands_sweep()

    assert report.dispatched == 1
    failing.refresh_from_db()
    waiting.refresh_from_db()
    assert (failing.state, waiting.state) == (CommandState.SUCCEEDED, CommandState.PENDING)
    assert start_handling_calls(vtex_store) == [(first, 500), (first, 204)]


def test_a_command_stuck_in_sending_is_verified_and_not_resent_when_applied(vtex_store, groups):
    alpha, _beta = groups
    [order_id] = vtex_store.create_orders(1)
    command = enqueue(alpha, order_id)
    # A worker sent it, VTEX applied it, and the worker died before recording anything.
    assert vtex_store.vtex("POST", f"/api/oms/pvt/orders/{order_id}/start-handling").ok
    VtexCommand.objects.filter(pk=command.pk).update(
        state=CommandState.SENDING, sending_since=timezone.now(), enqueued_at=None
    )
    assert commands_sweep().unstuck == 0  # still within a worker's time
    time_passes(61)

    report = commands_sweep()

    assert (report.unstuck, report.dispatched) == (1, 1)
    command.refresh_from_db()
    assert command.state == CommandState.SUCCEEDED
    assert attempts_of(command) == [("GET", 200, "already-applied")]
    assert vtex_store.order(order_id)["start_handling_calls"] == 1


def test_a_command_stuck_before_reaching_vtex_is_sent_after_the_reread(vtex_store, groups):
    alpha, _beta = groups
    [order_id] = vtex_store.create_orders(1)
    command = enqueue(alpha, order_id)
    VtexCommand.objects.filter(pk=command.pk).update(
        state=CommandState.SENDING, sending_since=timezone.now() - timedelta(minutes=5)
    )

    assert commands_sweep().unstuck == 1

    command.refresh_from_db()
    assert command.state == CommandState.SUCCEEDED
    assert attempts_of(command) == [("POST", 204, "succeeded")]
    assert len(vtex_store.calls(method="GET", path_contains=order_id)) == 1
    assert start_handling_calls(vtex_store) == [(order_id, 204)]
