"""The order's audit in words: what happened, who asked for it, when, and VTEX's answer.

Built from what the order page already read (its events, oldest first, and its commands with
the users who asked for them), so the timeline costs no query of its own. An audit row written
by the outbox (a command VTEX accepted or refused, a status VTEX moved after it) names the
operator who asked for the command, not the delivery.

The event's page (``OrderEventAdmin``) shows the same sentence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core.actor import Actor
from core.money import brl
from orders.command_kinds import change_description
from orders.models import ChangeStatus, EventType, OrderEvent
from orders.models.audit import CSV_FILE_KEY
from orders.status import status_label
from outbox.models import OPEN_STATES, CommandState, VtexCommand
from outbox.refusals import vtex_answer
from outbox.registry import command_type

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


@dataclass(frozen=True)
class TimelineLine:
    event: OrderEvent
    when: datetime
    what: str
    who: str
    # VTEX's answer (a receipt, a refusal with its explanation), or where the request stands.
    answer: str
    # The CSV file the request came from, when it came from one.
    csv_file: str


def request_description(action: str, payload: dict[str, Any]) -> str:
    """What was asked of VTEX, from an audited request (the command's kind and payload): the
    kind's own words (``describe``)."""
    try:
        kind = command_type(action)
    except LookupError:
        return action
    return kind.describe(kind.audited_payload(payload))


@dataclass(frozen=True)
class ChangeLogEntry:
    """One entry of VTEX's log of an order change: when (aware, shown in ``TIME_ZONE``; VTEX's
    text when it is no date), its status in the operator's language, VTEX's message."""

    when: datetime | str
    # The change's status in the operator's words (a lazy label), or VTEX's word for one
    # this code does not know.
    status: StrPromise | str
    message: str


def change_log(entries: Iterable[dict[str, Any]]) -> list[ChangeLogEntry]:
    log = []
    for entry in entries:
        raw = str(entry.get("date") or "")
        try:
            when: datetime | str | None = parse_datetime(raw)
        except ValueError:
            when = None
        if isinstance(when, datetime) and timezone.is_naive(when):
            when = timezone.make_aware(when, UTC)
        status = str(entry.get("status") or "")
        log.append(
            ChangeLogEntry(
                when=when or raw,
                status=ChangeStatus(status).label if status in ChangeStatus.values else status,
                message=str(entry.get("message") or ""),
            )
        )
    return log


def change_totals(preview: dict[str, Any] | None) -> str:
    """The order's value before and after a change, from the preview the operator confirmed."""
    if not preview or "order_value" not in preview:
        return ""
    return _("The order's value goes from %(before)s to %(after)s.") % {
        "before": brl(preview.get("order_value")),
        "after": brl(preview.get("new_value")),
    }


def person(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def timeline(
    *, events: Sequence[OrderEvent], commands: Iterable[VtexCommand]
) -> list[TimelineLine]:
    """One line per audit row of an order, in words, oldest first."""
    commands_by_key = {command.key: command for command in commands}
    # The request that made each command: the first audited for its key (an operator's retry
    # of the command is audited later under the same key).
    requests: dict[str, OrderEvent] = {}
    for event in events:
        if event.type == EventType.ACTION_REQUESTED and event.payload.get("command"):
            requests.setdefault(event.payload["command"], event)
    settled = sorted(
        (
            (command.finished_at, command)
            for command in commands_by_key.values()
            if command.finished_at is not None
        ),
        key=lambda settled_command: settled_command[0],
    )
    return [_line(event, commands_by_key, requests, settled) for event in events]


def _line(
    event: OrderEvent,
    commands: dict[str, VtexCommand],
    requests: dict[str, OrderEvent],
    settled: list[tuple[datetime, VtexCommand]],
) -> TimelineLine:
    payload = event.payload or {}
    key = payload.get("command", "")
    command = commands.get(key)
    request = requests.get(key)
    asked = _asked(key, command, request)
    who = person(event.actor_user) if event.actor_user_id else event.get_source_display()
    answer = ""
    if event.type == EventType.IMPORTED:
        what = _("Imported from VTEX, in status %(status)s.") % {
            "status": status_label(event.to_status) if event.to_status else "—"
        }
    elif event.type == EventType.STATUS_CHANGED:
        values = {
            "from": status_label(event.from_status) if event.from_status else "—",
            "to": status_label(event.to_status),
        }
        what = _("Status in VTEX went from %(from)s to %(to)s.") % values
        if payload.get("marketplace") == "lock-expired":
            what = _(
                "Canceled by the seller: the marketplace did not authorize the order within its "
                "lockTTL (%(ttl)s); the units it held were released."
            ) % {"ttl": payload.get("lock_ttl", "")}
        elif event.source == Actor.OUTBOX:
            # Read back from VTEX once a command settled (the latest one settled by then).
            # VTEX moved it for that command only if VTEX accepted it; after a refusal the
            # re-read found a change made elsewhere.
            cause = _cause(event, settled)
            if cause is not None and cause.state == CommandState.SUCCEEDED:
                what = _("Status in VTEX went from %(from)s to %(to)s, after: %(request)s.") % {
                    **values,
                    "request": _asked(cause.key, cause, requests.get(cause.key)),
                }
                who = _requester(cause, who)
            else:
                what = (
                    _(
                        "Status in VTEX went from %(from)s to %(to)s (seen when the order was read "
                        "again)."
                    )
                    % values
                )
                who = _("VTEX")
    elif event.type == EventType.ACTION_REQUESTED and payload.get("action") == "command-retry":
        what = _("Sent again now: %(request)s.") % {"request": asked}
    elif event.type == EventType.ACTION_REQUESTED:
        what = _("Asked VTEX for: %(request)s.") % {
            "request": request_description(payload.get("action", ""), payload)
        }
        if command is not None and command.state in OPEN_STATES:
            answer = _("waiting to be sent (%(state)s)") % {"state": command.get_state_display()}
    elif event.type == EventType.COMMAND_SENT:
        if payload.get("verified_by_reread"):
            what = _(
                "VTEX had already applied: %(request)s (seen when the order was read again)."
            ) % {"request": asked}
        else:
            what = _("VTEX accepted: %(request)s.") % {"request": asked}
        who = _requester(command, who)
        if event.receipt:
            answer = _("receipt %(receipt)s") % {"receipt": event.receipt}
    elif event.type == EventType.COMMAND_REJECTED:
        if payload.get("state") == CommandState.DEAD:
            what = _("Gave up sending: %(request)s.") % {"request": asked}
        else:
            what = _("VTEX refused: %(request)s.") % {"request": asked}
        who = _requester(command, who)
        answer = vtex_answer(payload.get("code", ""), payload.get("message", ""))
    elif event.type == EventType.CHANGE_CONFIRMED:
        what = " ".join(
            part
            for part in (
                _("Confirmed after VTEX's preview: %(request)s.")
                % {"request": change_description(payload.get("change") or {})},
                change_totals(payload.get("preview")),
            )
            if part
        )
    elif event.type == EventType.CHANGE_STOPPED:
        what = _("VTEX stopped the order change on error.")
        who = _("VTEX")
        answer = payload.get("message") or ""
    elif payload.get("action") == "command-resolved":
        what = _("Marked resolved by hand: %(request)s. Note: %(note)s") % {
            "request": asked,
            "note": payload.get("note", ""),
        }
    else:
        what = payload.get("note") or event.get_type_display()
    return TimelineLine(
        event=event,
        when=event.created_at,
        what=what,
        who=who,
        answer=answer,
        csv_file=str(payload.get(CSV_FILE_KEY) or ""),
    )


def _asked(key: str, command: VtexCommand | None, request: OrderEvent | None) -> str:
    """The request behind a command, in words (from its audited request when there is one)."""
    if request is not None:
        return request_description(request.payload.get("action", ""), request.payload)
    if command is not None:
        return command.get_kind_display()
    return key


def _requester(command: VtexCommand | None, fallback: str) -> str:
    """Who asked for the command: its operator, else where it came from (an import...)."""
    if command is None:
        return fallback
    if command.requested_by_id is not None:
        return person(command.requested_by)
    return command.get_source_display()


def _cause(event: OrderEvent, settled: list[tuple[datetime, VtexCommand]]) -> VtexCommand | None:
    """The latest command settled by the time of the event (``settled``: by when each
    finished, oldest first)."""
    cause = None
    for finished_at, command in settled:
        if finished_at > event.created_at:
            break
        cause = command
    return cause
