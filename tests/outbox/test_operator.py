"""What an operator does about a command: retry it now, or mark it resolved with a note."""

import pytest
from django.contrib.auth import get_user_model

from outbox.delivery import commands_deliver
from outbox.models import CommandState, VtexCommand
from outbox.operator import command_mark_resolved, command_retry_now
from outbox.sweep import commands_sweep
from tests.outbox.support import (
    RecordingSubject,
    attempts_of,
    enqueue,
    start_handling_calls,
    time_passes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(db):
    return get_user_model().objects.create_user(username="ana", password="unused-password")


def test_a_pending_command_resolved_by_hand_is_closed_and_never_sent(
    vtex_store, groups, operator, django_capture_on_commit_callbacks
):
    alpha, _beta = groups
    [order_id] = vtex_store.create_orders(1)
    command = enqueue(alpha, order_id, scratch="drop me once settled")

    assert command_mark_resolved(command=command, user=operator, note="  done in VTEX  ")

    command.refresh_from_db()
    assert (command.state, command.resolved_by, command.resolution_note) == (
        CommandState.DEAD,
        operator,
        "done in VTEX",
    )
    assert command.finished_at is not None and command.resolved_at is not None
    assert command.payload == {"order_id": order_id}
    assert RecordingSubject.log == [
        (
            "command-resolved",
            command.key,
            "ana",
            {"previous": CommandState.PENDING, "note": "done in VTEX"},
        )
    ]
    time_passes(3600)
    assert commands_sweep().dispatched == 0
    commands_deliver()
    assert start_handling_calls(vtex_store) == []


def test_a_resolution_needs_a_note(vtex_store, groups, operator):
    alpha, _beta = groups
    command = enqueue(alpha, vtex_store.create_orders(1)[0])

    with pytest.raises(ValueError, match="note"):
        command_mark_resolved(command=command, user=operator, note="   ")

    command.refresh_from_db()
    assert (command.state, command.resolved_at) == (CommandState.PENDING, None)


def test_a_rejected_command_resolved_by_hand_stays_rejected_and_leaves_the_attention_list(
    vtex_store, groups, operator
):
    from outbox.selectors import commands_needing_attention

    alpha, _beta = groups
    [order_id] = vtex_store.create_orders(1, status="invoiced")
    command = enqueue(alpha, order_id)
    commands_deliver()
    assert VtexCommand.objects.filter(commands_needing_attention()).count() == 1

    assert command_mark_resolved(command=command, user=operator, note="handled by phone")

    command.refresh_from_db()
    assert (command.state, command.resolution_note) == (CommandState.REJECTED, "handled by phone")
    assert not VtexCommand.objects.filter(commands_needing_attention()).exists()


def test_a_given_up_command_retried_now_is_reread_then_sent(
    vtex_store, groups, operator, settings, django_capture_on_commit_callbacks
):
    alpha, _beta = groups
    settings.VTEX_COMMAND_MAX_ATTEMPTS = 1
    [order_id] = vtex_store.create_orders(1)
    vtex_store.set_faults(rate_503=1.0, paths=["/api/oms/pvt/orders/"], methods=["POST"])
    command = enqueue(alpha, order_id)
    commands_deliver()
    command.refresh_from_db()
    assert command.state == CommandState.DEAD
    vtex_store.clear_faults()

    with django_capture_on_commit_callbacks(execute=True):
        assert command_retry_now(command=command, user=operator)

    command.refresh_from_db()
    assert command.state == CommandState.SUCCEEDED
    # Dead after a 503: it may have been applied, so VTEX was read before sending again.
    assert attempts_of(command) == [("POST", 503, "failed"), ("POST", 204, "succeeded")]
    assert len(vtex_store.calls(method="GET", path_contains=order_id)) == 1
    assert ("command-retry", command.key, "ana", {"previous": CommandState.DEAD}) in (
        RecordingSubject.log
    )


def test_what_succeeded_or_was_replaced_is_not_retried(vtex_store, groups, operator):
    alpha, _beta = groups
    [done_order] = vtex_store.create_orders(1)
    [invoiced] = vtex_store.create_orders(1, status="invoiced")
    done = enqueue(alpha, done_order)
    commands_deliver()
    replaced = enqueue(alpha, invoiced, key="alpha:replaced")
    commands_deliver()
    newer = enqueue(alpha, invoiced, key="alpha:replaced")
    replaced.refresh_from_db()

    assert not command_retry_now(command=done, user=operator)
    assert not command_retry_now(command=replaced, user=operator)
    assert replaced.state == CommandState.REJECTED and replaced.key.startswith("alpha:replaced~")
    assert newer.state == CommandState.PENDING
    assert not [entry for entry in RecordingSubject.log if entry[0] == "command-retry"]
