"""The outbox: commands to VTEX are written with the local change, then delivered.

``command_enqueue`` runs inside the caller's transaction and hands the command to Celery
once that transaction commits. ``command_deliver`` claims a due command, sends it outside
any transaction, and records the attempt and the outcome. ``commands_sweep`` (beat) hands
out again what a lost broker message or a dead worker left behind.

VTEX has no idempotency header, so a write whose answer was lost (5xx, timeout) is never
blindly repeated: the command is marked ``needs_verification`` and the next attempt first
re-reads the order and checks whether the effect is already there.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from backoffice.vtex import vtex_client
from orders.models import (
    Actor,
    CommandAttempt,
    CommandKind,
    CommandState,
    CommandTarget,
    DeliveryPause,
    EventType,
    Order,
    VtexCommand,
)
from orders.models.commands import DUE_STATES, OPEN_STATES
from orders.services.audit import event_record
from orders.services.sync import order_sync, order_upsert_from_document
from orders.status import OrderStatus
from vtex import (
    OrderRef,
    VtexAuthError,
    VtexClient,
    VtexError,
    VtexNotFound,
    VtexRateLimited,
    VtexRejected,
    VtexTransientError,
)

logger = logging.getLogger(__name__)

STORE_PAUSE_KEY = "store"
RESPONSE_BODY_LIMIT = 4000
REQUEST_TEXT_LIMIT = 2000
SECRET_FIELDS = frozenset(
    {"appkey", "apptoken", "x-vtex-api-appkey", "x-vtex-api-apptoken", "authorization", "password"}
)
# The NF-e XML carries the customer's CPF, name and address: never kept in attempt records,
# and dropped from the command's payload once it can no longer be sent.
EMBEDDED_XML_FIELDS = frozenset({"embeddedinvoice", "embedded_xml"})
XML_DROPPED = "embedded_xml_dropped"

# Statuses that prove a start-handling or a cancellation has been applied.
HANDLING_OR_LATER = frozenset(
    {
        OrderStatus.START_HANDLING,
        OrderStatus.HANDLING,
        OrderStatus.WAITING_FOR_FULFILLMENT,
        OrderStatus.READY_FOR_INVOICING,
        OrderStatus.INVOICE,
        OrderStatus.INVOICED,
    }
)
CANCELLATION_UNDER_WAY = frozenset(
    {
        OrderStatus.CANCELLATION_REQUESTED,
        OrderStatus.REQUEST_CANCEL,
        OrderStatus.CANCEL,
        OrderStatus.CANCELED,
    }
)


class Outcome(StrEnum):
    SUCCEEDED = "succeeded"
    # The re-read showed the effect of an earlier attempt whose answer was lost.
    ALREADY_APPLIED = "already-applied"
    REJECTED = "rejected"
    # 5xx, timeout or dropped connection: VTEX may have applied it.
    FAILED = "failed"
    # The connection was never established: VTEX cannot have seen it.
    NOT_SENT = "not-sent"
    RATE_LIMITED = "rate-limited"


FINISHING_OUTCOMES = frozenset({Outcome.SUCCEEDED, Outcome.ALREADY_APPLIED, Outcome.REJECTED})


@dataclass(frozen=True)
class Claim:
    command: VtexCommand
    from_state: str
    claimed_at: datetime


@dataclass
class AttemptResult:
    outcome: Outcome
    method: str
    path: str
    request_body: Any = None
    response_status: int | None = None
    response_body: str = ""
    error_code: str = ""
    error_message: str = ""
    receipt: str = ""
    retry_after: float = 0.0
    duration_ms: int = 0
    document: dict[str, Any] | None = None


@dataclass(frozen=True)
class SweepReport:
    unstuck: int
    dispatched: int


# --- Enqueue ----------------------------------------------------------------------------------


def command_enqueue(
    *,
    order: Order,
    kind: CommandKind | str,
    key: str,
    payload: dict[str, Any] | None = None,
    requested_by: AbstractBaseUser | None = None,
    source: Actor | str = Actor.ADMIN,
    target: CommandTarget | str = CommandTarget.STORE,
    target_endpoint: str = "",
) -> tuple[VtexCommand, bool]:
    """Write a command in the caller's transaction; deliver it once that commits.

    The key is deterministic, so asking twice returns the first command (``created`` is
    False). A command VTEX rejected gives its key up to a new request with the same key.
    """
    if transaction.get_connection().get_autocommit():
        raise RuntimeError("command_enqueue must run inside the transaction of the change")
    existing = VtexCommand.objects.select_for_update().filter(key=key).first()
    if existing is not None:
        if existing.state != CommandState.REJECTED:
            return existing, False
        existing.key = f"{key}~{existing.pk}"
        existing.save(update_fields=["key", "updated_at"])
    try:
        # A savepoint: losing a race on the unique key keeps the caller's transaction usable.
        with transaction.atomic():
            command = VtexCommand.objects.create(
                order=order,
                kind=kind,
                key=key,
                payload=payload or {},
                requested_by=requested_by,
                source=source,
                target=target,
                target_endpoint=target_endpoint,
                enqueued_at=timezone.now(),
            )
    except IntegrityError:
        return VtexCommand.objects.get(key=key), False
    transaction.on_commit(lambda: command_dispatch(command_id=command.pk), robust=True)
    return command, True


def command_dispatch(*, command_id: int) -> None:
    """Hand a command to the broker (the sweeper repeats it if the message is lost)."""
    from orders.tasks import command_deliver_task

    command_deliver_task.delay(command_id)


# --- Operator actions on commands -------------------------------------------------------------


def command_retry_now(*, command: VtexCommand, user: AbstractBaseUser) -> bool:
    """Make a rejected, dead or waiting command due now; False when it is not retryable.

    Not retryable: succeeded, being sent, or replaced. A rejected command gives its key up
    to a newer request and is renamed ``{key}~{pk}`` (``command_enqueue``): sending the old
    one again would repeat what the newer one asks, so only the newer one may be retried.
    """
    with transaction.atomic():
        command = VtexCommand.objects.select_for_update().select_related("order").get(pk=command.pk)
        if command.state in (CommandState.SUCCEEDED, CommandState.SENDING):
            return False
        if command_superseded(command):
            return False
        previous = command.state
        if previous in (CommandState.REJECTED, CommandState.DEAD):
            # A dead command may have reached VTEX; a rejected one did not.
            command.state = (
                CommandState.RETRYING if previous == CommandState.DEAD else CommandState.PENDING
            )
            command.finished_at = None
            command.resolved_at = None
            command.resolved_by = None
            command.resolution_note = ""
        command.next_attempt_at = timezone.now()
        command.enqueued_at = timezone.now()
        command.save(
            update_fields=[
                "state",
                "finished_at",
                "resolved_at",
                "resolved_by",
                "resolution_note",
                "next_attempt_at",
                "enqueued_at",
                "updated_at",
            ]
        )
        event_record(
            order=command.order,
            type=EventType.ACTION_REQUESTED,
            source=Actor.ADMIN,
            actor_user=user,
            payload={"action": "command-retry", "command": command.key, "previous": previous},
        )
        transaction.on_commit(lambda: command_dispatch(command_id=command.pk), robust=True)
    return True


def command_superseded(command: VtexCommand) -> bool:
    """The command gave its key up to a newer request (see ``command_enqueue``)."""
    return "~" in command.key


def command_mark_resolved(*, command: VtexCommand, user: AbstractBaseUser, note: str) -> bool:
    """An operator settled the command by hand (in VTEX's admin, say): stop delivering it.

    A command still to be sent is closed as dead; a rejected or dead one keeps its state.
    """
    note = note.strip()
    if not note:
        raise ValueError("a resolution needs a note")
    with transaction.atomic():
        command = VtexCommand.objects.select_for_update().select_related("order").get(pk=command.pk)
        if command.state in (CommandState.SUCCEEDED, CommandState.SENDING):
            return False
        now = timezone.now()
        previous = command.state
        if command.state in OPEN_STATES:
            command.state = CommandState.DEAD
            command.finished_at = now
        command.next_attempt_at = None
        command.resolved_by = user
        command.resolved_at = now
        command.resolution_note = note
        # Settled by hand: nothing will send it, so the NF-e XML (customer data) goes.
        xml_dropped = _embedded_xml_drop(command)
        command.save(
            update_fields=[
                "state",
                "finished_at",
                "next_attempt_at",
                "resolved_by",
                "resolved_at",
                "resolution_note",
                "updated_at",
                *(["payload"] if xml_dropped else []),
            ]
        )
        event_record(
            order=command.order,
            type=EventType.NOTE,
            source=Actor.ADMIN,
            actor_user=user,
            payload={
                "action": "command-resolved",
                "command": command.key,
                "previous": previous,
                "note": note,
            },
        )
    return True


# --- Delivery -----------------------------------------------------------------------------------


def command_deliver(*, command_id: int, task_id: str = "", client: VtexClient | None = None) -> int:
    """Deliver a due command, then the next due commands of the same order, in order.

    Returns how many attempts were made (0 when the command was not due, already handled,
    waiting for an earlier command of its order, or paused by a 429).
    """
    client = client or vtex_client()
    attempts = 0
    next_id: int | None = command_id
    while next_id is not None:
        claim = _command_claim(command_id=next_id)
        if claim is None:
            break
        result = _command_attempt(claim=claim, client=client)
        finished = _command_record(claim=claim, result=result, task_id=task_id)
        attempts += 1
        if not finished:
            break
        _order_reread(command=claim.command, result=result, client=client)
        next_id = _next_due_command_id(order_id=claim.command.order_id, after=claim.command.pk)
    return attempts


def commands_sweep(*, limit: int | None = None) -> SweepReport:
    """Retry what is due and rescue what is stuck; runs from beat every few seconds.

    A command "sending" for too long lost its worker: it may have reached VTEX, so it is
    retried after a re-read. A command handed to the broker long ago and still not attempted
    lost its message: it is handed out again.
    """
    now = timezone.now()
    lost_before = now - timedelta(seconds=settings.VTEX_COMMAND_STUCK_SECONDS)
    limit = limit or settings.VTEX_COMMAND_SWEEP_LIMIT
    with transaction.atomic():
        stuck = list(
            VtexCommand.objects.select_for_update()
            .filter(state=CommandState.SENDING, sending_since__lt=lost_before)
            .order_by("pk")
        )
        for command in stuck:
            logger.warning(
                "command %s stuck in sending since %s", command.key, command.sending_since
            )
            command.state = CommandState.RETRYING
            command.needs_verification = command.kind != CommandKind.REFRESH
            command.sending_since = None
            command.next_attempt_at = now
            command.enqueued_at = None
            command.save(
                update_fields=[
                    "state",
                    "needs_verification",
                    "sending_since",
                    "next_attempt_at",
                    "enqueued_at",
                    "updated_at",
                ]
            )
    paused = list(DeliveryPause.objects.filter(until__gt=now).values_list("target", flat=True))
    due_ids = list(
        commands_due(now=now)
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=lost_before))
        .exclude(_pause_filter(paused))
        .values_list("pk", flat=True)[:limit]
    )
    if due_ids:
        VtexCommand.objects.filter(pk__in=due_ids).update(enqueued_at=now)
    for command_id in due_ids:
        command_dispatch(command_id=command_id)
    return SweepReport(unstuck=len(stuck), dispatched=len(due_ids))


def commands_due(*, now: datetime) -> QuerySet[VtexCommand]:
    """Due commands that are the oldest open command of their order, oldest first."""
    earlier_open = VtexCommand.objects.filter(
        order_id=OuterRef("order_id"), pk__lt=OuterRef("pk"), state__in=OPEN_STATES
    )
    return (
        VtexCommand.objects.filter(state__in=DUE_STATES)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(~Exists(earlier_open))
        .order_by("pk")
    )


def _pause_filter(paused: list[str]) -> Q:
    if not paused:
        return Q(pk__in=[])
    condition = Q(pk__in=[])
    if STORE_PAUSE_KEY in paused:
        condition |= Q(target=CommandTarget.STORE)
    for key in paused:
        if key != STORE_PAUSE_KEY:
            condition |= Q(target=CommandTarget.MARKETPLACE, target_endpoint__contains=f"//{key}")
    return condition


def _pause_key(command: VtexCommand) -> str:
    if command.target == CommandTarget.STORE:
        return STORE_PAUSE_KEY
    return urlsplit(command.target_endpoint).netloc or command.target_endpoint


def _command_claim(*, command_id: int) -> Claim | None:
    """Mark the command "sending" if it is due, first in its order and not paused."""
    now = timezone.now()
    with transaction.atomic():
        command = (
            VtexCommand.objects.select_for_update()
            .select_related("order")
            .filter(pk=command_id)
            .first()
        )
        if command is None or command.state not in DUE_STATES:
            return None
        # Not deliverable now: the message is spent, the sweeper hands it out when due.
        fields = ["enqueued_at", "updated_at"]
        command.enqueued_at = None
        earlier_open = VtexCommand.objects.filter(
            order_id=command.order_id, pk__lt=command.pk, state__in=OPEN_STATES
        )
        pause = DeliveryPause.objects.filter(target=_pause_key(command), until__gt=now).first()
        if (command.next_attempt_at is not None and command.next_attempt_at > now) or (
            earlier_open.exists()
        ):
            command.save(update_fields=fields)
            return None
        if pause is not None:
            command.next_attempt_at = pause.until
            command.save(update_fields=[*fields, "next_attempt_at"])
            return None
        from_state = command.state
        command.state = CommandState.SENDING
        command.sending_since = now
        command.save(update_fields=[*fields, "state", "sending_since"])
    return Claim(command=command, from_state=from_state, claimed_at=now)


def _next_due_command_id(*, order_id: int, after: int) -> int | None:
    return (
        commands_due(now=timezone.now())
        .filter(order_id=order_id, pk__gt=after)
        .values_list("pk", flat=True)
        .first()
    )


def _command_attempt(*, claim: Claim, client: VtexClient) -> AttemptResult:
    command = claim.command
    if command.needs_verification and command.target == CommandTarget.STORE:
        verification = _verify(command=command, client=client)
        if verification is not None:
            return verification
    return _send(command=command, client=client)


def _verify(*, command: VtexCommand, client: VtexClient) -> AttemptResult | None:
    """Re-read the order; a result when the effect is there or the read failed, else None."""
    started = time.monotonic()
    with _responses_captured(client) as responses:
        try:
            document = client.get_order(command.order.vtex_order_id)
        except VtexNotFound:
            return None
        except VtexError as exc:
            return _result_from_error(exc, responses, started, command=command, client=client)
    result = _result_from_response(
        Outcome.ALREADY_APPLIED, responses, started, fallback=("GET", "", None), client=client
    )
    if not command_applied(command=command, document=document):
        return None
    result.document = document
    return result


def command_applied(*, command: VtexCommand, document: dict[str, Any]) -> bool:
    """Whether VTEX's order document already shows the command's effect."""
    payload = command.payload
    status = str(document.get("status") or "")
    packages = (document.get("packageAttachment") or {}).get("packages") or []
    by_number = {str(package.get("invoiceNumber") or ""): package for package in packages}
    if command.kind == CommandKind.START_HANDLING:
        return status in HANDLING_OR_LATER
    if command.kind == CommandKind.CANCEL:
        if payload.get("confirm"):
            # The order already sat in cancellation-requested: only the confirmation moves it.
            return status in {OrderStatus.CANCEL, OrderStatus.CANCELED}
        return status in CANCELLATION_UNDER_WAY
    if command.kind == CommandKind.INVOICE:
        package = by_number.get(payload["number"])
        return package is not None and (package.get("type") or "Output") == payload["type"]
    if command.kind == CommandKind.TRACKING_NUMBER:
        package = by_number.get(payload["invoice_number"]) or {}
        return package.get("trackingNumber") == payload["tracking_number"]
    if command.kind == CommandKind.TRACKING_EVENTS:
        package = by_number.get(payload["invoice_number"]) or {}
        courier_status = package.get("courierStatus") or {}
        seen = {str(event.get("description")) for event in courier_status.get("data") or []}
        wanted = {event["description"] for event in payload["events"]}
        return bool(courier_status.get("finished")) == payload["is_delivered"] and wanted <= seen
    if command.kind == CommandKind.CHANGE:
        changes = (document.get("changesAttachment") or {}).get("changesData") or []
        return any(change.get("requestId") == payload["request_id"] for change in changes)
    return False


def _send(*, command: VtexCommand, client: VtexClient) -> AttemptResult:
    started = time.monotonic()
    if command.payload.get(XML_DROPPED) and not command.payload.get("embedded_xml"):
        # Retried after it was settled: sending it now would leave the NF-e out.
        return AttemptResult(
            outcome=Outcome.REJECTED,
            method="",
            path="",
            error_code="NFE_XML_DROPPED",
            error_message=(
                "The NF-e XML was dropped when this command was settled; "
                "submit the invoice again with its XML."
            ),
            duration_ms=_elapsed_ms(started),
        )
    with _responses_captured(client) as responses:
        try:
            answer = _call(command=command, client=client)
        except VtexError as exc:
            return _result_from_error(exc, responses, started, command=command, client=client)
        except Exception as exc:
            # A bug or an unexpected answer must not leave the command "sending" for ever;
            # whether VTEX saw it is unknown, so the next attempt re-reads first.
            logger.exception("command %s: unexpected error", command.key)
            return AttemptResult(
                outcome=Outcome.FAILED,
                method="",
                path="",
                error_code=type(exc).__name__,
                error_message=client.redact(str(exc))[:REQUEST_TEXT_LIMIT],
                duration_ms=_elapsed_ms(started),
            )
    result = _result_from_response(
        Outcome.SUCCEEDED,
        responses,
        started,
        fallback=("", "", _jsonable(command.payload)),
        client=client,
    )
    if isinstance(answer, dict):
        result.receipt = str(answer.get("receipt") or "")
    return result


def _call(*, command: VtexCommand, client: VtexClient) -> Any:
    """The one VTEX call a command stands for."""
    order = command.order
    payload = command.payload
    destination: str | OrderRef = (
        OrderRef(order.marketplace_order_id, command.target_endpoint)
        if command.target == CommandTarget.MARKETPLACE
        else order.vtex_order_id
    )
    if command.kind == CommandKind.REFRESH:
        return order_sync(vtex_order_id=order.vtex_order_id, source=Actor.OUTBOX, client=client)
    if command.kind == CommandKind.START_HANDLING:
        return client.start_handling(order.vtex_order_id)
    if command.kind == CommandKind.INVOICE:
        return client.send_invoice(
            destination,
            invoice_type=payload["type"],
            number=payload["number"],
            value=payload["value"],
            issued_at=datetime.fromisoformat(payload["issued_at"]),
            items=payload["items"],
            key=payload.get("key") or None,
            url=payload.get("url") or None,
            embedded_xml=payload.get("embedded_xml") or None,
            courier=payload.get("courier") or None,
            tracking_number=payload.get("tracking_number") or None,
            tracking_url=payload.get("tracking_url") or None,
            dispatched_date=_date_or_none(payload.get("dispatched_at")),
        )
    if command.kind == CommandKind.TRACKING_NUMBER:
        return client.update_invoice_tracking(
            destination,
            payload["invoice_number"],
            tracking_number=payload["tracking_number"],
            tracking_url=payload.get("tracking_url") or None,
            courier=payload.get("courier") or None,
            dispatched_date=_date_or_none(payload.get("dispatched_at")),
        )
    if command.kind == CommandKind.TRACKING_EVENTS:
        return client.send_tracking_events(
            destination,
            payload["invoice_number"],
            is_delivered=payload["is_delivered"],
            events=payload["events"],
            delivered_date=_date_or_none(payload.get("delivered_at")),
        )
    if command.kind == CommandKind.CANCEL:
        return client.cancel_order(destination, reason=payload["reason"])
    if command.kind == CommandKind.CHANGE:
        return client.register_change(
            order.vtex_order_id,
            request_id=payload["request_id"],
            reason=payload["reason"],
            discount_value=payload["discount_value"],
            increment_value=payload["increment_value"],
            items_removed=payload["items_removed"],
            items_added=payload["items_added"],
        )
    raise ValueError(f"no delivery for command kind {command.kind!r}")


def _command_record(*, claim: Claim, result: AttemptResult, task_id: str) -> bool:
    """Store the attempt and move the command on; True when the command is finished."""
    now = timezone.now()
    with transaction.atomic():
        command = (
            VtexCommand.objects.select_for_update().select_related("order").get(pk=claim.command.pk)
        )
        CommandAttempt.objects.create(
            command=command,
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
        owned = command.state == CommandState.SENDING and command.sending_since == claim.claimed_at
        succeeded = result.outcome in (Outcome.SUCCEEDED, Outcome.ALREADY_APPLIED)
        if not owned and not (succeeded and command.state in OPEN_STATES):
            # The sweeper took the command back meanwhile; the attempt stays on record.
            return False
        fields = _apply_outcome(command=command, claim=claim, result=result, now=now)
        command.save(update_fields=[*fields, "updated_at"])
        _record_event(command=command, result=result)
    return result.outcome in FINISHING_OUTCOMES or command.state == CommandState.DEAD


def _apply_outcome(
    *, command: VtexCommand, claim: Claim, result: AttemptResult, now: datetime
) -> list[str]:
    command.sending_since = None
    command.enqueued_at = None
    fields = ["state", "sending_since", "enqueued_at", "next_attempt_at"]
    outcome = result.outcome
    if outcome in (Outcome.SUCCEEDED, Outcome.ALREADY_APPLIED, Outcome.REJECTED):
        if outcome != Outcome.ALREADY_APPLIED:
            command.attempts += 1
        command.state = (
            CommandState.REJECTED if outcome == Outcome.REJECTED else CommandState.SUCCEEDED
        )
        command.next_attempt_at = None
        command.finished_at = now
        command.needs_verification = False
        command.receipt = result.receipt[:255]
        command.last_error_code = result.error_code[:64] if outcome == Outcome.REJECTED else ""
        command.last_error_message = result.error_message if outcome == Outcome.REJECTED else ""
        if command.state == CommandState.SUCCEEDED and _embedded_xml_drop(command):
            fields.append("payload")
        return [
            *fields,
            "attempts",
            "finished_at",
            "needs_verification",
            "receipt",
            "last_error_code",
            "last_error_message",
        ]

    command.last_error_code = result.error_code[:64]
    command.last_error_message = result.error_message
    fields += ["last_error_code", "last_error_message"]
    if outcome == Outcome.RATE_LIMITED:
        # A 429 is VTEX saying "not now", not a failure of the command: no attempt is spent.
        until = now + timedelta(seconds=result.retry_after)
        command.state = claim.from_state
        command.next_attempt_at = until
        _pause_extend(key=_pause_key(command), until=until)
        return fields

    command.attempts += 1
    fields.append("attempts")
    if outcome == Outcome.NOT_SENT:
        # Nothing reached VTEX: the command keeps its state and its attempts do not count
        # towards giving up, so an outage of any length loses nothing.
        command.state = claim.from_state
        command.next_attempt_at = now + _backoff(command.attempts)
        return fields

    failures = command.attempt_log.filter(outcome=Outcome.FAILED).count()
    if failures >= settings.VTEX_COMMAND_MAX_ATTEMPTS:
        command.state = CommandState.DEAD
        command.next_attempt_at = None
        command.finished_at = now
        return [*fields, "finished_at"]
    command.state = CommandState.RETRYING
    command.needs_verification = command.kind != CommandKind.REFRESH
    command.next_attempt_at = now + _backoff(command.attempts)
    return [*fields, "needs_verification"]


def _embedded_xml_drop(command: VtexCommand) -> bool:
    """Drop the NF-e XML from the payload of a command that will not be sent again; True
    when the payload changed. An open command, and a rejected or dead one not yet resolved
    (an operator may still retry it), keeps it."""
    xml = command.payload.get("embedded_xml")
    if not xml:
        return False
    command.payload = {**command.payload, "embedded_xml": "", XML_DROPPED: _xml_summary(xml)}
    return True


def _record_event(*, command: VtexCommand, result: AttemptResult) -> None:
    base = {"command": command.key, "kind": command.kind}
    if command.state == CommandState.SUCCEEDED:
        event_record(
            order=command.order,
            type=EventType.COMMAND_SENT,
            source=Actor.OUTBOX,
            receipt=command.receipt,
            payload={**base, "verified_by_reread": result.outcome == Outcome.ALREADY_APPLIED},
        )
    elif command.state in (CommandState.REJECTED, CommandState.DEAD):
        event_record(
            order=command.order,
            type=EventType.COMMAND_REJECTED,
            source=Actor.OUTBOX,
            payload={
                **base,
                "state": command.state,
                "code": command.last_error_code,
                "message": command.last_error_message,
            },
        )


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


def _order_reread(*, command: VtexCommand, result: AttemptResult, client: VtexClient) -> None:
    """VTEX applies workflow changes asynchronously: mirror what it says now (the feed
    brings the later changes)."""
    if command.kind == CommandKind.REFRESH or command.target != CommandTarget.STORE:
        return
    try:
        if result.document is not None:
            order_upsert_from_document(document=result.document, source=Actor.OUTBOX)
        elif result.outcome in (Outcome.SUCCEEDED, Outcome.REJECTED):
            # After a rejection too: the mirror was probably behind VTEX.
            order_sync(
                vtex_order_id=command.order.vtex_order_id, source=Actor.OUTBOX, client=client
            )
    except VtexError as exc:
        logger.info("order %s: re-read after %s failed: %s", command.order_id, command.key, exc)


# --- Attempt records ------------------------------------------------------------------------------

_capture = threading.local()


def _remember_response(response: requests.Response, *args: Any, **kwargs: Any) -> None:
    sink = getattr(_capture, "responses", None)
    if sink is not None:
        sink.append(response)


@contextmanager
def _responses_captured(client: VtexClient) -> Iterator[list[requests.Response]]:
    """Collect the HTTP responses the client receives in this thread (for the attempt log)."""
    hooks = client.session.hooks["response"]
    if _remember_response not in hooks:
        hooks.append(_remember_response)
    _capture.responses = captured = []
    try:
        yield captured
    finally:
        _capture.responses = None


def _result_from_response(
    outcome: Outcome,
    responses: list[requests.Response],
    started: float,
    *,
    fallback: tuple[str, str, Any],
    client: VtexClient,
) -> AttemptResult:
    """The attempt as recorded: VTEX's answer with the credentials masked (VTEX may echo
    them), and no body of a successful read (the order document: customer data)."""
    if not responses:
        method, path, body = fallback
        return AttemptResult(
            outcome=outcome,
            method=method,
            path=path,
            request_body=body,
            duration_ms=_elapsed_ms(started),
        )
    response = responses[-1]
    request = response.request
    method = (request.method or "").upper()
    keep_body = not (method == "GET" and response.status_code < 400)
    return AttemptResult(
        outcome=outcome,
        method=method,
        path=urlsplit(request.url or "").path,
        request_body=_request_body(request.body),
        response_status=response.status_code,
        response_body=client.redact(response.text)[:RESPONSE_BODY_LIMIT] if keep_body else "",
        duration_ms=_elapsed_ms(started),
    )


def _result_from_error(
    exc: VtexError,
    responses: list[requests.Response],
    started: float,
    *,
    command: VtexCommand,
    client: VtexClient,
) -> AttemptResult:
    if isinstance(exc, VtexRateLimited):
        outcome = Outcome.RATE_LIMITED
    elif isinstance(exc, VtexRejected | VtexNotFound | VtexAuthError):
        outcome = Outcome.REJECTED
    elif isinstance(exc, VtexTransientError) and _never_reached_vtex(exc):
        outcome = Outcome.NOT_SENT
    else:
        outcome = Outcome.FAILED
    result = _result_from_response(
        outcome,
        responses,
        started,
        fallback=(exc.method or "", exc.path or "", _jsonable(command.payload)),
        client=client,
    )
    if not responses:
        result.response_status = None if outcome == Outcome.RATE_LIMITED else exc.status
    result.error_code = str(exc.code or exc.status or type(exc).__name__)
    result.error_message = client.redact(_vtex_message(responses) or exc.message)
    if isinstance(exc, VtexRateLimited):
        result.retry_after = max(float(exc.retry_after), 0.0)
    return result


def _vtex_message(responses: list[requests.Response]) -> str:
    """VTEX's own words from ``{"error": {"message"}}``, for operators."""
    if not responses:
        return ""
    try:
        body = responses[-1].json()
    except ValueError:
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(error.get("message") or error.get("exception") or "")
    return ""


def _never_reached_vtex(exc: VtexTransientError) -> bool:
    """True when the connection itself failed, so VTEX cannot have received the request."""
    cause = exc.__cause__
    if isinstance(cause, requests.ConnectTimeout):
        return True
    if isinstance(cause, requests.ConnectionError) and cause.args:
        reason = getattr(cause.args[0], "reason", None)
        return isinstance(reason, NewConnectionError | ConnectTimeoutError)
    return False


def _request_body(body: bytes | str | None) -> Any:
    if not body:
        return None
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        return _jsonable(json.loads(text))
    except ValueError:
        return text[:REQUEST_TEXT_LIMIT]


def _jsonable(value: Any) -> Any:
    """A request body fit for the attempt log: no credentials, and the embedded NF-e XML
    (the customer's document, name and address) only as its length and SHA-256."""
    if isinstance(value, dict):
        return {
            key: "***"
            if key.lower() in SECRET_FIELDS
            else _xml_summary(item)
            if key.lower() in EMBEDDED_XML_FIELDS
            else _jsonable(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, str) and len(value) > REQUEST_TEXT_LIMIT:
        return value[:REQUEST_TEXT_LIMIT] + "…"
    return value


def _xml_summary(value: Any) -> Any:
    if not isinstance(value, str) or not value:
        return value
    data = value.encode("utf-8")
    return f"[{len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()}]"


def _elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _date_or_none(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
