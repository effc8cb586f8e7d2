"""A command kind and a subject that belong to no app, for the outbox engine's own tests.

``StartHandling`` is one real VTEX write (``POST .../start-handling``, sent to the sandbox over
HTTP) with a verification read (``GET`` the order: past ``ready-for-handling`` means it was
applied). Its subject is a ``django.contrib.auth`` ``Group``: the engine takes any model.
``RecordingSubject`` keeps what the engine told the subject's app (settled, re-read, an
operator's act), so tests check those hooks without the orders app.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import F

from outbox import choices, registry
from outbox.enqueue import command_enqueue
from outbox.models import OPEN_STATES, DeliveryPause, VtexCommand
from outbox.registry import CommandType, Subject, register, register_sources, register_subject
from outbox.sweep import commands_sweep
from vtex import rate_limit_pause

KIND = "outbox-test-start-handling"
SOURCE = "outbox-test"
APPLIED_STATUSES = {"start-handling", "handling", "invoice", "invoiced"}


@dataclass(frozen=True)
class StartHandlingPayload:
    order_id: str
    # When set, the command can no longer be sent as it stands (checked before each attempt).
    refuse: str = ""
    # Something not to keep once the command will not be sent again.
    scratch: str = ""


class StartHandling(CommandType):
    kind = KIND
    label = "Outbox test: start handling"
    payload_class = StartHandlingPayload

    def send(self, command, client):
        return client.start_handling(self.payload(command).order_id)

    def verification_read(self, command, client):
        return client.get_order(self.payload(command).order_id)

    def applied(self, command, document):
        return document.get("status") in APPLIED_STATUSES

    def refusal(self, command):
        reason = self.payload(command).refuse
        return ("TEST-REFUSED", reason) if reason else None

    def settled_payload(self, command):
        return {key: value for key, value in command.payload.items() if key != "scratch"}


class RecordingSubject(Subject):
    model = Group
    log: list[tuple] = []

    def settled(self, settled, *, client):
        self.log.append(("settled", [(s.command.key, str(s.result.outcome)) for s in settled]))

    def after_settled(self, settled, *, client):
        self.log.append(("after_settled", [s.command.key for s in settled]))

    def operator_acted(self, command, *, user, action, details):
        self.log.append((action, command.key, user.username, details))


@contextmanager
def outbox_test_kind_registered() -> Iterator[None]:
    """The test kind, its subject and its source, registered for one test only: the registry
    is the process's, and a kind left in it would show in every later test's admin (the kind
    filter of the command list) as an English label in the Portuguese pages."""
    register(StartHandling)
    register_subject(RecordingSubject())
    register_sources([(SOURCE, "Outbox tests")])
    try:
        yield
    finally:
        choices.kinds.pop(StartHandling.kind, None)
        choices.sources.pop(SOURCE, None)
        registry._subjects.pop(Group, None)


def enqueue(group: Group, order_id: str, *, key: str | None = None, **payload) -> VtexCommand:
    """One command in its own transaction (its on-commit hand-out runs only where the test
    executes on-commit callbacks: elsewhere it is a lost broker message)."""
    with transaction.atomic():
        command, _created = command_enqueue(
            subject=group,
            kind=KIND,
            key=key or f"{group.name}:{order_id}:start-handling",
            payload={"order_id": order_id, **payload},
            source=SOURCE,
        )
    return command


def time_passes(seconds: float) -> None:
    """Let ``seconds`` of the back office's time pass for the outbox: every wait it keeps
    (backoff, hand-out, sending, the 429 pauses in the database and in the VTEX client) is
    that much nearer its end. Tests move time instead of sleeping."""
    delta = timedelta(seconds=seconds)
    for field in ("next_attempt_at", "enqueued_at", "sending_since"):
        VtexCommand.objects.filter(**{f"{field}__isnull": False}).update(
            **{field: F(field) - delta}
        )
    DeliveryPause.objects.update(until=F("until") - delta)
    remaining = rate_limit_pause.remaining()
    rate_limit_pause.clear()
    if remaining > seconds:
        rate_limit_pause.extend(remaining - seconds)


def deliver_all(*, rounds: int = 20) -> None:
    """Sweep (eager delivery) and let time pass until no command is left open."""
    for _round in range(rounds):
        if not VtexCommand.objects.filter(state__in=OPEN_STATES).exists():
            return
        time_passes(3600)
        commands_sweep()
    left = list(VtexCommand.objects.filter(state__in=OPEN_STATES).values_list("key", "state"))
    raise AssertionError(f"commands still open: {left}")


def attempts_of(command: VtexCommand) -> list[tuple]:
    return list(command.attempt_log.values_list("method", "response_status", "outcome"))


def start_handling_calls(sandbox, order_id: str | None = None) -> list[tuple[str, int]]:
    """(order id, status) of each start-handling POST the sandbox received, in order."""
    return [
        (call["path"].split("/")[-2], call["status"])
        for call in sandbox.calls(method="POST", path_contains="/start-handling")
        if order_id is None or f"/{order_id}/" in call["path"]
    ]
