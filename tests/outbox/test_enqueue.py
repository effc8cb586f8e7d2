"""Writing a command: in the caller's transaction, one command per key, delivered after commit."""

import pytest
from django.contrib.auth.models import Group
from django.db import transaction

from outbox.delivery import commands_deliver
from outbox.enqueue import COMMAND_KEY_MAX_LENGTH, command_enqueue, command_key
from outbox.models import CommandState, VtexCommand
from outbox.selectors import subject_commands
from tests.outbox.support import KIND, SOURCE, attempts_of, enqueue, start_handling_calls

pytestmark = pytest.mark.django_db


def test_a_double_submit_is_one_command_sent_once_after_commit(
    vtex_store, groups, ready_orders, django_capture_on_commit_callbacks
):
    alpha, _beta = groups
    [order_id] = ready_orders(1)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            first, created = command_enqueue(
                subject=alpha,
                kind=KIND,
                key="alpha:1",
                payload={"order_id": order_id},
                source=SOURCE,
            )
            assert start_handling_calls(vtex_store) == []  # nothing leaves before the commit
        with transaction.atomic():
            again, created_again = command_enqueue(
                subject=alpha,
                kind=KIND,
                key="alpha:1",
                payload={"order_id": order_id},
                source=SOURCE,
            )

    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert len(callbacks) == 1
    command = VtexCommand.objects.get()
    assert (command.state, command.attempts, command.subject) == (
        CommandState.SUCCEEDED,
        1,
        alpha,
    )
    assert start_handling_calls(vtex_store) == [(order_id, 204)]
    assert vtex_store.order(order_id)["order"]["status"] == "handling"
    assert [c.pk for c in subject_commands(subject=alpha)] == [command.pk]


def test_a_rolled_back_transaction_writes_and_sends_nothing(
    vtex_store, groups, ready_orders, django_capture_on_commit_callbacks
):
    alpha, _beta = groups
    [order_id] = ready_orders(1)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError, match="operator changed their mind"),
        transaction.atomic(),
    ):
        enqueue(alpha, order_id)
        raise RuntimeError("operator changed their mind")

    assert callbacks == []
    assert not VtexCommand.objects.exists()
    assert start_handling_calls(vtex_store) == []


def test_an_unknown_kind_or_an_overlong_key_is_refused_when_written(groups):
    alpha, _beta = groups

    with pytest.raises(LookupError, match="no command type"), transaction.atomic():
        command_enqueue(subject=alpha, kind="no-such-kind", key="k", source=SOURCE)
    with pytest.raises(ValueError, match="at most"), transaction.atomic():
        command_enqueue(
            subject=alpha, kind=KIND, key="k" * (COMMAND_KEY_MAX_LENGTH + 1), source=SOURCE
        )

    assert not VtexCommand.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_command_outside_a_transaction_is_refused():
    alpha = Group.objects.create(name="alpha")

    with pytest.raises(RuntimeError, match="inside the transaction"):
        command_enqueue(subject=alpha, kind=KIND, key="k", payload={"order_id": "1"}, source=SOURCE)

    assert not VtexCommand.objects.exists()


def test_a_long_key_is_shortened_deterministically_and_stays_readable():
    long_tail = "T" * 300

    key = command_key("1234-01", "tracking", long_tail)

    assert len(key) <= COMMAND_KEY_MAX_LENGTH
    assert key.startswith("1234-01:tracking:sha256-")
    assert key == command_key("1234-01", "tracking", long_tail)
    assert key != command_key("1234-01", "tracking", long_tail + "X")
    assert command_key("1234-01", "invoice", "NF1") == "1234-01:invoice:NF1"


def test_a_rejected_command_gives_its_key_up_to_a_new_request(vtex_store, groups):
    alpha, _beta = groups
    [order_id] = vtex_store.create_orders(1, status="invoiced")
    rejected = enqueue(alpha, order_id, key="alpha:again")
    commands_deliver()
    rejected.refresh_from_db()
    assert rejected.state == CommandState.REJECTED

    renewed = enqueue(alpha, order_id, key="alpha:again")

    rejected.refresh_from_db()
    assert renewed.pk != rejected.pk
    assert (renewed.key, renewed.state) == ("alpha:again", CommandState.PENDING)
    assert rejected.key == f"alpha:again~{rejected.pk}"
    assert attempts_of(rejected) == [("POST", 409, "rejected")]
