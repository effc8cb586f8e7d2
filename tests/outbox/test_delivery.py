"""Delivering commands to the sandbox over HTTP: success, VTEX's refusals, failures that may
have taken effect (re-read, never a blind resend), backoff, giving up, outages, 429 pauses and
the order of one subject's commands.

Tests assert the command rows, their attempts and the calls the sandbox received, never how
the engine batches or schedules its sends.
"""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from core.vtex import vtex_client
from outbox.delivery import commands_deliver
from outbox.models import CommandState, DeliveryPause, VtexCommand
from tests.outbox.support import (
    RecordingSubject,
    attempts_of,
    deliver_all,
    enqueue,
    start_handling_calls,
    time_passes,
)
from vtex import VtexRateLimited, rate_limit_pause

pytestmark = pytest.mark.django_db

START_HANDLING = {"paths": ["/api/oms/pvt/orders/"], "methods": ["POST"]}


def test_a_sent_command_succeeds_with_its_attempt_recorded_and_its_subject_told(
    vtex_store, groups, ready_orders
):
    alpha, _beta = groups
    [order_id] = ready_orders(1)
    command = enqueue(alpha, order_id, scratch="not kept once sent")

    commands_deliver()

    command.refresh_from_db()
    assert (command.state, command.attempts, command.failures) == (CommandState.SUCCEEDED, 1, 0)
    assert command.finished_at is not None and command.next_attempt_at is None
    assert command.payload == {"order_id": order_id}  # the kind's settled payload
    [attempt] = command.attempt_log.all()
    assert (attempt.method, attempt.response_status, attempt.outcome) == ("POST", 204, "succeeded")
    assert attempt.path == f"/api/oms/pvt/orders/{order_id}/start-handling"
    assert start_handling_calls(vtex_store) == [(order_id, 204)]
    assert RecordingSubject.log == [
        ("settled", [(command.key, "succeeded")]),
        ("after_settled", [command.key]),
    ]


def test_a_4xx_is_rejected_at_once_with_vtex_s_words_and_never_resent(vtex_store, groups):
    alpha, _beta = groups
    [order_id] = vtex_store.create_orders(1, status="invoiced")
    command = enqueue(alpha, order_id)

    commands_deliver()
    time_passes(3600)
    commands_deliver()

    command.refresh_from_db()
    assert (command.state, command.attempts, command.last_error_code) == (
        CommandState.REJECTED,
        1,
        "OMS003",
    )
    assert command.last_error_message  # VTEX's message, for operators
    assert attempts_of(command) == [("POST", 409, "rejected")]
    assert start_handling_calls(vtex_store) == [(order_id, 409)]
    assert RecordingSubject.log[0] == ("settled", [(command.key, "rejected")])


def test_a_command_its_kind_refuses_is_rejected_without_calling_vtex(vtex_store, groups):
    alpha, _beta = groups
    [order_id] = vtex_store.create_orders(1)
    command = enqueue(alpha, order_id, refuse="the order left the warehouse")

    commands_deliver()

    command.refresh_from_db()
    assert (command.state, command.last_error_code, command.last_error_message) == (
        CommandState.REJECTED,
        "TEST-REFUSED",
        "the order left the warehouse",
    )
    assert attempts_of(command) == [("", None, "rejected")]
    assert vtex_store.calls() == []


def test_a_5xx_is_retried_with_growing_backoff_after_a_reread(vtex_store, groups, settings):
    alpha, _beta = groups
    settings.VTEX_COMMAND_BACKOFF_SECONDS = 60
    settings.VTEX_COMMAND_BACKOFF_MAX_SECONDS = 900
    [order_id] = vtex_store.create_orders(1)
    vtex_store.set_faults(rate_500=1.0, **START_HANDLING)
    command = enqueue(alpha, order_id)

    commands_deliver()

    command.refresh_from_db()
    assert (command.state, command.needs_verification, command.attempts, command.failures) == (
        CommandState.RETRYING,
        True,
        1,
        1,
    )
    first_wait = command.next_attempt_at - timezone.now()
    assert timedelta(seconds=29) < first_wait <= timedelta(seconds=60)
    commands_deliver()  # not due yet: nothing goes out
    assert len(start_handling_calls(vtex_store)) == 1

    time_passes(60)
    commands_deliver()

    command.refresh_from_db()
    assert (command.attempts, command.failures) == (2, 2)
    second_wait = command.next_attempt_at - timezone.now()
    assert timedelta(seconds=59) < second_wait <= timedelta(seconds=120)
    vtex_store.clear_faults()

    time_passes(120)
    commands_deliver()

    command.refresh_from_db()
    assert command.state == CommandState.SUCCEEDED
    # Each retry read the order first: not applied, so the write went out again.
    assert attempts_of(command) == [
        ("POST", 500, "failed"),
        ("POST", 500, "failed"),
        ("POST", 204, "succeeded"),
    ]
    assert len(vtex_store.calls(method="GET", path_contains=order_id)) == 2
    assert start_handling_calls(vtex_store) == [(order_id, 500), (order_id, 500), (order_id, 204)]


def test_a_5xx_after_the_effect_is_found_by_the_reread_and_not_resent(vtex_store, groups):
    alpha, _beta = groups
    [order_id] = vtex_store.create_orders(1)
    vtex_store.set_faults(rate_500=1.0, fail_after_apply=True, **START_HANDLING)
    command = enqueue(alpha, order_id)
    commands_deliver()
    vtex_store.clear_faults()

    deliver_all()

    command.refresh_from_db()
    assert (command.state, command.attempts, command.needs_verification) == (
        CommandState.SUCCEEDED,
        1,
        False,
    )
    assert attempts_of(command) == [("POST", 500, "failed"), ("GET", 200, "already-applied")]
    assert start_handling_calls(vtex_store) == [(order_id, 500)]
    assert vtex_store.order(order_id)["start_handling_calls"] == 1


def test_a_timeout_is_verified_by_a_reread_and_the_applied_write_is_not_resent(
    vtex_store, groups, settings
):
    alpha, _beta = groups
    settings.VTEX_TIMEOUT_SECONDS = 0.2
    [order_id] = vtex_store.create_orders(1)
    # VTEX takes the write but answers after the client gave up.
    vtex_store.set_faults(latency_ms=600, **START_HANDLING)
    command = enqueue(alpha, order_id)

    commands_deliver()

    command.refresh_from_db()
    assert (command.state, command.needs_verification) == (CommandState.RETRYING, True)
    assert attempts_of(command) == [("POST", None, "failed")]
    # The sandbox's request thread finishes the write on its own; wait for it.
    deadline = time.monotonic() + 5
    while vtex_store.order(order_id)["order"]["status"] != "handling":
        assert time.monotonic() < deadline, "the sandbox never applied the write"
        time.sleep(0.02)
    vtex_store.clear_faults()

    deliver_all()

    command.refresh_from_db()
    assert command.state == CommandState.SUCCEEDED
    assert attempts_of(command) == [("POST", None, "failed"), ("GET", 200, "already-applied")]
    assert vtex_store.order(order_id)["start_handling_calls"] == 1


def test_a_command_is_given_up_after_max_failures_and_its_subject_told(
    vtex_store, groups, settings
):
    alpha, _beta = groups
    settings.VTEX_COMMAND_MAX_ATTEMPTS = 3
    [order_id] = vtex_store.create_orders(1)
    vtex_store.set_faults(rate_503=1.0, **START_HANDLING)
    command = enqueue(alpha, order_id)

    for _round in range(5):
        time_passes(3600)
        commands_deliver()

    command.refresh_from_db()
    assert (command.state, command.attempts, command.failures) == (CommandState.DEAD, 3, 3)
    assert command.last_error_code == "503" and command.finished_at is not None
    assert len(start_handling_calls(vtex_store)) == 3
    assert ("settled", [(command.key, "failed")]) in RecordingSubject.log


def test_an_outage_of_any_length_loses_nothing_and_sends_once(vtex_store, groups, settings):
    alpha, beta = groups
    settings.VTEX_COMMAND_MAX_ATTEMPTS = 2
    first, second = vtex_store.create_orders(2)
    one = enqueue(alpha, first)
    two = enqueue(beta, second)
    vtex_store.server.stop()

    for _round in range(4):
        time_passes(3600)
        commands_deliver()

    one.refresh_from_db()
    two.refresh_from_db()
    # Nothing reached VTEX: no attempt counts towards giving up.
    assert {(c.state, c.failures) for c in (one, two)} == {(CommandState.PENDING, 0)}
    assert one.attempts == two.attempts == 4
    assert {a[2] for a in attempts_of(one)} == {"not-sent"}
    vtex_store.server.start()

    deliver_all()

    assert set(VtexCommand.objects.values_list("state", flat=True)) == {CommandState.SUCCEEDED}
    assert sorted(start_handling_calls(vtex_store)) == sorted([(first, 204), (second, 204)])


def test_a_429_pauses_every_command_to_vtex_for_retry_after_shared_with_the_client(
    vtex_store, groups
):
    alpha, beta = groups
    orders = vtex_store.create_orders(3)
    vtex_store.set_faults(rate_429=1.0, retry_after=30, **START_HANDLING)
    commands = [enqueue(alpha, orders[0]), enqueue(beta, orders[1])]

    commands_deliver()

    received = start_handling_calls(vtex_store)
    assert received and {status for _order, status in received} == {429}
    pause = DeliveryPause.objects.get(target="store")
    assert timedelta(seconds=25) < pause.until - timezone.now() <= timedelta(seconds=30)
    # The same process's VTEX client waits too: a write is not even sent meanwhile.
    assert 25 < rate_limit_pause.remaining() <= 30
    with pytest.raises(VtexRateLimited):
        vtex_client().start_handling(orders[2])
    for command in commands:
        command.refresh_from_db()
        # A 429 is "not now": no attempt spent, due when the pause ends.
        assert (command.state, command.attempts, command.failures) == (CommandState.PENDING, 0, 0)
        assert command.next_attempt_at >= pause.until - timedelta(seconds=0.01)
    vtex_store.clear_faults()
    late = enqueue(alpha, orders[2], key="alpha:late")

    commands_deliver()
    time_passes(20)
    commands_deliver()

    assert start_handling_calls(vtex_store) == received  # the pause holds
    time_passes(11)

    commands_deliver()

    assert set(VtexCommand.objects.values_list("state", flat=True)) == {CommandState.SUCCEEDED}
    sent = [order for order, status in start_handling_calls(vtex_store) if status == 204]
    assert sorted(sent) == sorted(orders)
    assert late.attempt_log.count() == 1


def test_a_subject_s_commands_go_out_first_in_first_out(vtex_store, groups):
    alpha, beta = groups
    first, second, other = vtex_store.create_orders(3)
    # Only the first command of alpha fails.
    vtex_store.set_faults(
        rate_500=1.0, paths=[f"/api/oms/pvt/orders/{first}/start-handling"], methods=["POST"]
    )
    one = enqueue(alpha, first)
    two = enqueue(alpha, second)
    three = enqueue(beta, other)

    commands_deliver()

    one.refresh_from_db()
    two.refresh_from_db()
    three.refresh_from_db()
    # alpha's second waits behind its first; beta's goes out meanwhile.
    assert (one.state, two.state, three.state) == (
        CommandState.RETRYING,
        CommandState.PENDING,
        CommandState.SUCCEEDED,
    )
    assert start_handling_calls(vtex_store, second) == []
    vtex_store.clear_faults()

    deliver_all()

    alpha_calls = [call for call in start_handling_calls(vtex_store) if call[0] in (first, second)]
    assert alpha_calls == [(first, 500), (first, 204), (second, 204)]
    assert set(VtexCommand.objects.values_list("state", flat=True)) == {CommandState.SUCCEEDED}
