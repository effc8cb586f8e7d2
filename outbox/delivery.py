"""The delivery engine: claim due commands in small batches, send them, record the batch.

One batch costs a few SQL statements whatever its size: the claim (due commands, first of
their subject, not paused, ``FOR UPDATE SKIP LOCKED`` so workers never wait for each other),
the subjects, and one transaction that records every attempt, moves every command (through
``outbox.states``) and lets the subjects' apps audit what settled. Calls to VTEX happen
outside any transaction. VTEX has no idempotency header, so a write whose answer was lost
(5xx, timeout) is never blindly repeated: the command is marked ``needs_verification`` and
its next attempt first reads VTEX and checks whether the effect is already there.

A batch's commands are sent at once, by up to ``VTEX_COMMAND_DELIVERY_THREADS`` threads that
only talk to VTEX; the calling thread claims and records. A batch holds at most one command
of each subject (the claim takes only the oldest open one), so sending it concurrently keeps
every subject first-in first-out; the rate governor, shared by the threads, paces them.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connections, transaction
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.utils import timezone

from core.vtex import vtex_client
from outbox.models import (
    DUE_STATES,
    OPEN_STATES,
    CommandAttempt,
    CommandState,
    CommandTarget,
    DeliveryPause,
    VtexCommand,
)
from outbox.records import (
    REQUEST_TEXT_LIMIT,
    RESPONSE_BODY_LIMIT,
    AttemptResult,
    Outcome,
    elapsed_ms,
    jsonable,
    responses_captured,
    result_from_error,
    result_from_response,
)
from outbox.registry import CommandType, Settled, command_type, subject_of
from outbox.states import Event, command_move
from vtex import VtexClient, VtexError, VtexNotFound

logger = logging.getLogger(__name__)

STORE_PAUSE_KEY = "store"
# Commands claimed at once: small, so a batch's commands are not held from other workers
# for long, and large enough that its fixed cost in SQL is shared.
BATCH_SIZE = 20
# A delivery task stops taking new batches after this long; the sweeper hands out the rest.
DELIVERY_BUDGET_SECONDS = 50.0
# What an attempt's outcome may change (updated_at is auto_now: save() sets it).
RECORDED_FIELDS = [
    "state",
    "sending_since",
    "enqueued_at",
    "next_attempt_at",
    "attempts",
    "failures",
    "finished_at",
    "needs_verification",
    "receipt",
    "last_error_code",
    "last_error_message",
    # Last: left out when the outcome kept the payload as it was.
    "payload",
]


@dataclass(frozen=True)
class Claim:
    command: VtexCommand
    claimed_from: str
    claimed_at: datetime


def commands_deliver(
    *,
    task_id: str = "",
    client: VtexClient | None = None,
    batch_size: int = BATCH_SIZE,
    budget_seconds: float = DELIVERY_BUDGET_SECONDS,
) -> int:
    """Deliver due commands, batch after batch, until none is due (or the budget is spent).

    Returns how many attempts were made. Commands of one subject go out one at a time,
    oldest first: a command waits while an earlier one of its subject is open. A run tries a
    command at most once: one that failed waits for its backoff and the sweeper, and one
    written during the run is left to the task its own commit queued.
    """
    client = client or vtex_client()
    started = timezone.now()
    deadline = time.monotonic() + budget_seconds
    attempts = 0
    with _sending_threads() as pool:
        while time.monotonic() < deadline:
            claims = _claim_batch(limit=batch_size, untouched_since=started)
            if not claims:
                break
            results = _attempt_batch(claims=claims, client=client, pool=pool)
            settled = _record_batch(results=results, task_id=task_id, client=client)
            attempts += sum(result is not None for _claim, result in results)
            _after_settled(settled, client=client)
    return attempts


def commands_due(*, now: datetime) -> QuerySet[VtexCommand]:
    """Due commands that are the oldest open command of their subject, oldest first."""
    earlier_open = VtexCommand.objects.filter(
        subject_type_id=OuterRef("subject_type_id"),
        subject_id=OuterRef("subject_id"),
        pk__lt=OuterRef("pk"),
        state__in=OPEN_STATES,
    )
    return (
        VtexCommand.objects.filter(state__in=DUE_STATES)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(~Exists(earlier_open))
        .order_by("pk")
    )


def paused_targets(*, now: datetime) -> list[str]:
    return list(DeliveryPause.objects.filter(until__gt=now).values_list("target", flat=True))


def pause_filter(paused: list[str]) -> Q:
    """Commands whose target VTEX asked to leave alone for now (429)."""
    condition = Q(pk__in=[])
    if STORE_PAUSE_KEY in paused:
        condition |= Q(target=CommandTarget.STORE)
    for key in paused:
        if key != STORE_PAUSE_KEY:
            condition |= Q(target=CommandTarget.MARKETPLACE, target_endpoint__contains=f"//{key}")
    return condition


def pause_key(command: VtexCommand) -> str:
    if command.target == CommandTarget.STORE:
        return STORE_PAUSE_KEY
    return urlsplit(command.target_endpoint).netloc or command.target_endpoint


# --- Claim ---------------------------------------------------------------------------------------


def _claim_batch(*, limit: int, untouched_since: datetime) -> list[Claim]:
    now = timezone.now()
    paused = paused_targets(now=now)
    with transaction.atomic():
        commands = list(
            commands_due(now=now)
            .filter(updated_at__lt=untouched_since)
            .exclude(pause_filter(paused))
            .select_for_update(skip_locked=True)[:limit]
        )
        claims = []
        for command in commands:
            claimed_from = command.state
            command_move(command, Event.CLAIM)
            command.sending_since = now
            command.enqueued_at = None
            command.updated_at = now
            claims.append(Claim(command=command, claimed_from=claimed_from, claimed_at=now))
        if commands:
            # Every claimed command moved to the same state with the same marks: one UPDATE.
            VtexCommand.objects.filter(pk__in=[command.pk for command in commands]).update(
                state=commands[0].state, sending_since=now, enqueued_at=None, updated_at=now
            )
    _subjects_load(commands)
    return claims


def _subjects_load(commands: list[VtexCommand]) -> None:
    """Each command's subject, one query per kind of subject (as its app reads it)."""
    by_type: dict[int, list[VtexCommand]] = defaultdict(list)
    for command in commands:
        by_type[command.subject_type_id].append(command)
    for type_id, group in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        subjects = subject_of(model).queryset().in_bulk([c.subject_id for c in group])
        for command in group:
            command.subject = subjects.get(command.subject_id)


# --- Attempt -------------------------------------------------------------------------------------


@contextmanager
def _sending_threads() -> Iterator[Executor | None]:
    """The threads a delivery run sends with (None: one at a time, in this thread)."""
    threads = settings.VTEX_COMMAND_DELIVERY_THREADS
    if threads <= 1:
        yield None
        return
    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="outbox-send")
    try:
        yield pool
    finally:
        pool.shutdown(wait=True)


def _attempt_batch(
    *, claims: list[Claim], client: VtexClient, pool: Executor | None = None
) -> list[tuple[Claim, AttemptResult | None]]:
    """Attempt each claimed command, at once when there is a pool; after a 429, the batch's
    commands to that target not yet started are not attempted at all (None): they wait out
    the pause like the rest of the outbox. Results come back in the claims' order."""
    paused: set[str] = set()
    lock = threading.Lock()

    def attempt(claim: Claim) -> AttemptResult | None:
        key = pause_key(claim.command)
        with lock:
            if key in paused:
                return None
        result = _attempt_guarded(claim=claim, client=client)
        if result.outcome == Outcome.RATE_LIMITED:
            with lock:
                paused.add(key)
        return result

    if pool is None or len(claims) == 1:
        return [(claim, attempt(claim)) for claim in claims]
    return list(zip(claims, pool.map(_in_sending_thread(attempt), claims), strict=True))


def _in_sending_thread(
    attempt: Callable[[Claim], AttemptResult | None],
) -> Callable[[Claim], AttemptResult | None]:
    def run(claim: Claim) -> AttemptResult | None:
        try:
            return attempt(claim)
        finally:
            # A kind's hook may read the database; the thread must not keep that connection
            # open after the run (Django opens one per thread and never closes it itself).
            connections.close_all()

    return run


def _attempt_guarded(*, claim: Claim, client: VtexClient) -> AttemptResult:
    """An attempt whose unexpected error (a bug, an answer nobody expected) is its own
    failure, never the batch's: the other commands are recorded as they went, and this one,
    which VTEX may have seen, is not left "sending" and is read back before a resend."""
    started = time.monotonic()
    try:
        return _attempt(claim=claim, client=client)
    except Exception as exc:
        logger.exception("command %s: unexpected error", claim.command.key)
        return AttemptResult(
            outcome=Outcome.FAILED,
            method="",
            path="",
            error_code=type(exc).__name__,
            error_message=client.redact(str(exc))[:REQUEST_TEXT_LIMIT],
            duration_ms=elapsed_ms(started),
        )


def _attempt(*, claim: Claim, client: VtexClient) -> AttemptResult:
    command = claim.command
    kind = command_type(command.kind)
    refusal = kind.refusal(command)
    if refusal is not None:
        code, message = refusal
        return AttemptResult(
            outcome=Outcome.REJECTED, method="", path="", error_code=code, error_message=message
        )
    if command.needs_verification:
        verification = _verify(command=command, kind=kind, client=client)
        if verification is not None:
            return verification
    return _send(command=command, kind=kind, client=client)


def _verify(*, command: VtexCommand, kind: CommandType, client: VtexClient) -> AttemptResult | None:
    """Read VTEX; a result when the effect is there or the read failed, else None (send)."""
    started = time.monotonic()
    with responses_captured(client) as responses:
        try:
            document = kind.verification_read(command, client)
        except VtexNotFound:
            return None
        except VtexError as exc:
            return result_from_error(
                exc, responses, started, payload=command.payload, client=client
            )
    if document is None or not kind.applied(command, document):
        return None
    result = result_from_response(
        Outcome.ALREADY_APPLIED, responses, started, fallback=("GET", "", None), client=client
    )
    result.document = document
    return result


def _send(*, command: VtexCommand, kind: CommandType, client: VtexClient) -> AttemptResult:
    started = time.monotonic()
    with responses_captured(client) as responses:
        try:
            answer = kind.send(command, client)
        except VtexError as exc:
            return result_from_error(
                exc, responses, started, payload=command.payload, client=client
            )
    result = result_from_response(
        Outcome.SUCCEEDED,
        responses,
        started,
        fallback=("", "", jsonable(command.payload)),
        client=client,
    )
    result.answer = answer
    if isinstance(answer, dict):
        result.receipt = str(answer.get("receipt") or "")
    return result


# --- Record --------------------------------------------------------------------------------------


def _record_batch(
    *, results: list[tuple[Claim, AttemptResult | None]], task_id: str, client: VtexClient
) -> list[Settled]:
    """Store the batch's attempts and move its commands on, in one transaction."""
    now = timezone.now()
    settled: list[Settled] = []
    with transaction.atomic():
        # The payload cannot change while a command is sending: the claim's copy is used.
        current = (
            VtexCommand.objects.select_for_update()
            .defer("payload")
            .in_bulk([claim.command.pk for claim, _result in results])
        )
        attempts, changed, unsent = [], [], []
        pauses: dict[str, datetime] = {}
        for claim, result in results:
            command = current.get(claim.command.pk)
            if result is None:
                unsent.append((claim, command))
                continue
            attempts.append(_attempt_row(claim.command, result, task_id))
            if command is None or not _still_ours(command, claim, result):
                # The sweeper took the command back meanwhile; the attempt stays on record.
                continue
            command.subject = claim.command.subject
            command.payload = claim.command.payload
            _apply_outcome(command=command, claim=claim, result=result, now=now)
            if result.outcome == Outcome.RATE_LIMITED:
                paused_until = command.next_attempt_at
                if paused_until is None:
                    raise RuntimeError("_apply_outcome left a rate-limited command without a pause")
                key = pause_key(command)
                pauses[key] = max(pauses.get(key, paused_until), paused_until)
            changed.append((command, claim.command.payload))
            if command.state in (CommandState.SUCCEEDED, CommandState.REJECTED, CommandState.DEAD):
                settled.append(Settled(command=command, result=result))
        _release_unsent(unsent, pauses=pauses, now=now)
        CommandAttempt.objects.bulk_create(attempts)
        # One UPDATE each: cheaper than bulk_update's CASE expressions for a batch this size.
        for command, payload in changed:
            fields = RECORDED_FIELDS if command.payload is not payload else RECORDED_FIELDS[:-1]
            command.save(update_fields=[*fields, "updated_at"])
        for key, until in pauses.items():
            _pause_extend(key=key, until=until)
        for model, group in _by_subject(settled).items():
            subject_of(model).settled(group, client=client)
    return settled


def _release_unsent(
    unsent: list[tuple[Claim, VtexCommand | None]], *, pauses: dict[str, datetime], now: datetime
) -> None:
    """Commands of the batch not attempted because their target got a 429: each goes back
    where it was claimed from, due when the pause ends; one UPDATE per such group."""
    groups: dict[tuple[str, datetime], list[int]] = defaultdict(list)
    for claim, command in unsent:
        if command is None or command.sending_since != claim.claimed_at:
            continue
        command_move(command, Event.RELEASE, claimed_from=claim.claimed_from)
        groups[(command.state, pauses.get(pause_key(command), now))].append(command.pk)
    for (state, due_at), pks in groups.items():
        VtexCommand.objects.filter(pk__in=pks).update(
            state=state, sending_since=None, next_attempt_at=due_at, updated_at=now
        )


def _still_ours(command: VtexCommand, claim: Claim, result: AttemptResult) -> bool:
    owned = command.state == CommandState.SENDING and command.sending_since == claim.claimed_at
    succeeded = result.outcome in (Outcome.SUCCEEDED, Outcome.ALREADY_APPLIED)
    return owned or (succeeded and command.state in OPEN_STATES)


def _attempt_row(command: VtexCommand, result: AttemptResult, task_id: str) -> CommandAttempt:
    return CommandAttempt(
        command_id=command.pk,
        method=result.method[:8],
        path=result.path[:500],
        request_body=result.request_body,
        response_status=result.response_status,
        response_body=result.response_body[:RESPONSE_BODY_LIMIT],
        error_code=result.error_code[:64],
        outcome=result.outcome,
        duration_ms=result.duration_ms,
        task_id=task_id[:255],
    )


def _apply_outcome(
    *, command: VtexCommand, claim: Claim, result: AttemptResult, now: datetime
) -> None:
    kind = command_type(command.kind)
    command.sending_since = None
    command.enqueued_at = None
    command.updated_at = now
    outcome = result.outcome
    if outcome in (Outcome.SUCCEEDED, Outcome.ALREADY_APPLIED, Outcome.REJECTED):
        if outcome != Outcome.ALREADY_APPLIED:
            command.attempts += 1
        rejected = outcome == Outcome.REJECTED
        command_move(command, Event.REJECT if rejected else Event.SUCCEED)
        command.next_attempt_at = None
        command.finished_at = now
        command.needs_verification = False
        command.receipt = result.receipt[:255]
        command.last_error_code = result.error_code[:64] if rejected else ""
        command.last_error_message = result.error_message if rejected else ""
        if not rejected:
            command.payload = kind.settled_payload(command)
        return

    command.last_error_code = result.error_code[:64]
    command.last_error_message = result.error_message
    if outcome == Outcome.RATE_LIMITED:
        # A 429 is VTEX saying "not now", not a failure of the command: no attempt is spent.
        command_move(command, Event.RELEASE, claimed_from=claim.claimed_from)
        command.next_attempt_at = now + timedelta(seconds=result.retry_after)
        return

    command.attempts += 1
    if outcome == Outcome.NOT_SENT:
        # Nothing reached VTEX: the command keeps its state and the attempt does not count
        # towards giving up, so an outage of any length loses nothing.
        command_move(command, Event.RELEASE, claimed_from=claim.claimed_from)
        command.next_attempt_at = now + _backoff(command.attempts)
        return

    command.failures += 1
    # The attempt may have taken effect: whatever sends it next (a retry, or an operator's
    # "retry now" once it is given up) reads VTEX first.
    command.needs_verification = kind.verify_before_resend
    if command.failures >= settings.VTEX_COMMAND_MAX_ATTEMPTS:
        command_move(command, Event.GIVE_UP)
        command.next_attempt_at = None
        command.finished_at = now
        return
    command_move(command, Event.FAIL)
    command.next_attempt_at = now + _backoff(command.attempts)


def _pause_extend(*, key: str, until: datetime) -> None:
    pause, created = DeliveryPause.objects.select_for_update().get_or_create(
        target=key, defaults={"until": until}
    )
    if not created and pause.until < until:
        pause.until = until
        pause.save(update_fields=["until"])


def _backoff(attempts: int) -> timedelta:
    ceiling = min(
        settings.VTEX_COMMAND_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0),
        settings.VTEX_COMMAND_BACKOFF_MAX_SECONDS,
    )
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))


def _by_subject(settled: list[Settled]) -> dict[type[Model] | None, list[Settled]]:
    """The settled commands by their subject's model (None: a content type whose model is
    gone, which ``subject_of`` answers with the do-nothing subject)."""
    groups: dict[type[Model] | None, list[Settled]] = defaultdict(list)
    for entry in settled:
        model = ContentType.objects.get_for_id(entry.command.subject_type_id).model_class()
        groups[model].append(entry)
    return groups


def _after_settled(settled: list[Settled], *, client: VtexClient) -> None:
    for model, group in _by_subject(settled).items():
        subject_of(model).after_settled(group, client=client)
