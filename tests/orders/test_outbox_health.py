"""Telling that no worker has taken a command for a while: the last attempt, and what is due."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from orders.operations.start_handling import order_start_handling
from outbox.models import CommandAttempt, CommandState, VtexCommand
from outbox.selectors import outbox_last_delivery
from tests.orders.factories import OrderFactory
from tests.orders.operations import (
    mirrored_orders,
)

pytestmark = pytest.mark.django_db

STALL = timedelta(minutes=2)


def command(order, key: str, state: str, **fields) -> VtexCommand:
    return VtexCommand.objects.create(
        subject=order, source="admin", kind="refresh", key=key, state=state, **fields
    )


def test_an_empty_outbox_has_nothing_due_and_is_not_stalled():
    health = outbox_last_delivery()

    assert (health.last_attempt_at, health.due, health.oldest_due_at) == (None, 0, None)
    assert not health.stalled(after=STALL)


def test_the_last_attempt_is_the_one_a_worker_made_last(
    vtex_store, django_capture_on_commit_callbacks
):
    orders = mirrored_orders(vtex_store, 2, status="ready-for-handling")
    before = timezone.now()
    for order in orders:
        # Eager delivery: each command is attempted as its transaction commits.
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            order_start_handling(order=order, user=None)

    health = outbox_last_delivery()

    newest = CommandAttempt.objects.order_by("-attempted_at").first()
    assert CommandAttempt.objects.count() == 2
    assert health.last_attempt_at == newest.attempted_at
    assert health.last_attempt_at >= before
    assert health.due == 0
    assert not health.stalled(after=timedelta(0))


def test_due_counts_pending_and_retrying_commands_whose_time_has_come():
    order = OrderFactory()
    now = timezone.now()
    pending = command(order, "pending", CommandState.PENDING)
    retrying = command(
        order, "retry-due", CommandState.RETRYING, next_attempt_at=now - timedelta(minutes=5)
    )
    command(order, "retry-later", CommandState.RETRYING, next_attempt_at=now + timedelta(minutes=1))
    command(order, "paused", CommandState.PENDING, next_attempt_at=now + timedelta(seconds=30))
    command(order, "sending", CommandState.SENDING, sending_since=now)
    for state in (CommandState.SUCCEEDED, CommandState.REJECTED, CommandState.DEAD):
        command(order, state, state)

    health = outbox_last_delivery(now=now)

    assert health.due == 2
    assert health.checked_at == now
    # The retry became due five minutes ago, before the pending command was even created.
    assert health.oldest_due_at == retrying.next_attempt_at < pending.created_at
    # A paused command is counted once its pause is over.
    assert outbox_last_delivery(now=now + timedelta(minutes=2)).due == 4


def test_stalled_when_a_command_waited_longer_than_the_limit_and_nothing_was_attempted():
    order = OrderFactory()
    waiting = command(order, "waiting", CommandState.PENDING)
    old_attempt = CommandAttempt.objects.create(
        command=command(order, "done", CommandState.SUCCEEDED), method="GET", path="/", outcome="ok"
    )
    # auto_now_add fields: move them back in time as a worker that died long ago would leave them.
    long_ago = timezone.now() - timedelta(minutes=10)
    VtexCommand.objects.filter(pk=waiting.pk).update(created_at=long_ago)
    CommandAttempt.objects.filter(pk=old_attempt.pk).update(attempted_at=long_ago)

    assert outbox_last_delivery().stalled(after=STALL)

    # A worker took a command a moment ago: not stalled, even with one still waiting.
    CommandAttempt.objects.create(command=waiting, method="POST", path="/", outcome="retrying")
    assert not outbox_last_delivery().stalled(after=STALL)


def test_a_command_that_just_became_due_is_not_a_stall():
    order = OrderFactory()
    attempt = CommandAttempt.objects.create(
        command=command(order, "done", CommandState.SUCCEEDED), method="GET", path="/", outcome="ok"
    )
    CommandAttempt.objects.filter(pk=attempt.pk).update(
        attempted_at=timezone.now() - timedelta(hours=5)
    )
    # Hours without anything to send, then a new command: workers have had no time yet.
    command(order, "new", CommandState.PENDING)

    health = outbox_last_delivery()

    assert health.due == 1
    assert not health.stalled(after=STALL)


def test_two_queries_whatever_the_size_of_the_outbox(django_assert_num_queries):
    order = OrderFactory()
    for number in range(30):
        done = command(order, f"done-{number}", CommandState.SUCCEEDED)
        CommandAttempt.objects.create(command=done, method="GET", path="/", outcome="ok")

    with django_assert_num_queries(2):
        outbox_last_delivery()
