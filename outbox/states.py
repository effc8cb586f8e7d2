"""The command state machine, declared once: every state change goes through ``command_move``.

pending ──claim──▶ sending ──succeed──▶ succeeded
retrying ─claim─▶  sending ──reject───▶ rejected ──retry-now──▶ pending
                   sending ──fail─────▶ retrying
                   sending ──give-up──▶ dead ─────retry-now──▶ retrying
                   sending ──release──▶ (where it was claimed from: not sent, or a 429)
                   sending ──unstick──▶ retrying (its worker was lost)
pending/retrying ──resolve──▶ dead      (an operator settled it by hand)
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from outbox.models import CommandState

if TYPE_CHECKING:
    from outbox.models import VtexCommand

S = CommandState


class Event(StrEnum):
    CLAIM = "claim"
    SUCCEED = "succeed"
    REJECT = "reject"
    FAIL = "fail"
    GIVE_UP = "give-up"
    RELEASE = "release"
    UNSTICK = "unstick"
    RETRY_NOW = "retry-now"
    RESOLVE = "resolve"


# (state, event) -> next state; RELEASED means "the state the command was claimed from".
RELEASED = "released"
TRANSITIONS: dict[tuple[str, Event], str] = {
    (S.PENDING, Event.CLAIM): S.SENDING,
    (S.RETRYING, Event.CLAIM): S.SENDING,
    (S.SENDING, Event.SUCCEED): S.SUCCEEDED,
    # A late answer for a command the sweeper took back meanwhile: VTEX has it, it is done.
    (S.PENDING, Event.SUCCEED): S.SUCCEEDED,
    (S.RETRYING, Event.SUCCEED): S.SUCCEEDED,
    (S.SENDING, Event.REJECT): S.REJECTED,
    (S.SENDING, Event.FAIL): S.RETRYING,
    (S.SENDING, Event.GIVE_UP): S.DEAD,
    (S.SENDING, Event.RELEASE): RELEASED,
    (S.SENDING, Event.UNSTICK): S.RETRYING,
    # A rejected command did not reach VTEX; a dead one may have: it is re-read first.
    (S.REJECTED, Event.RETRY_NOW): S.PENDING,
    (S.DEAD, Event.RETRY_NOW): S.RETRYING,
    (S.PENDING, Event.RETRY_NOW): S.PENDING,
    (S.RETRYING, Event.RETRY_NOW): S.RETRYING,
    (S.PENDING, Event.RESOLVE): S.DEAD,
    (S.RETRYING, Event.RESOLVE): S.DEAD,
    (S.REJECTED, Event.RESOLVE): S.REJECTED,
    (S.DEAD, Event.RESOLVE): S.DEAD,
}


class InvalidTransition(ValueError):
    pass


def command_can(command: VtexCommand, event: Event) -> bool:
    return (command.state, event) in TRANSITIONS


def command_move(command: VtexCommand, event: Event, *, claimed_from: str = "") -> bool:
    """Move ``command`` by ``event`` (in memory; the caller saves it with the other fields it
    changed). True when the state changed. Raises ``InvalidTransition`` for a move the table
    does not have, so no state is ever assigned anywhere else."""
    try:
        target = TRANSITIONS[(command.state, event)]
    except KeyError:
        raise InvalidTransition(f"{command.key}: no {event} from {command.state}") from None
    if target == RELEASED:
        if claimed_from not in (S.PENDING, S.RETRYING):
            raise InvalidTransition(f"{command.key}: released without the state it came from")
        target = claimed_from
    changed = command.state != target
    command.state = target
    return changed
