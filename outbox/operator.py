"""What an operator can do about a command: retry it now, or mark it resolved with a note."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from outbox.enqueue import command_dispatch, command_superseded
from outbox.models import OPEN_STATES, CommandState, VtexCommand
from outbox.registry import command_type, subject_of
from outbox.states import Event, command_can, command_move


def command_retry_now(*, command: VtexCommand, user: User) -> bool:
    """Make a rejected, dead or waiting command due now; False when it is not retryable.

    Not retryable: succeeded, being sent, or replaced. A rejected command gives its key up
    to a newer request and is renamed ``{key}~{pk}`` (``command_enqueue``): sending the old
    one again would repeat what the newer one asks, so only the newer one may be retried.
    """
    with transaction.atomic():
        command = VtexCommand.objects.select_for_update().get(pk=command.pk)
        if not command_can(command, Event.RETRY_NOW) or command_superseded(command):
            return False
        previous = command.state
        command_move(command, Event.RETRY_NOW)
        if previous in (CommandState.REJECTED, CommandState.DEAD):
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
        subject_of(command.subject_type.model_class()).operator_acted(
            command, user=user, action="command-retry", details={"previous": previous}
        )
        transaction.on_commit(lambda: command_dispatch(command_id=command.pk), robust=True)
    return True


def command_mark_resolved(*, command: VtexCommand, user: User, note: str) -> bool:
    """An operator settled the command by hand (in VTEX's admin, say): stop delivering it.

    A command still to be sent is closed as dead; a rejected or dead one keeps its state.
    """
    note = note.strip()
    if not note:
        raise ValueError("a resolution needs a note")
    with transaction.atomic():
        command = VtexCommand.objects.select_for_update().get(pk=command.pk)
        if not command_can(command, Event.RESOLVE):
            return False
        now = timezone.now()
        previous = command.state
        command_move(command, Event.RESOLVE)
        if previous in OPEN_STATES:
            command.finished_at = now
        command.next_attempt_at = None
        command.resolved_by = user
        command.resolved_at = now
        command.resolution_note = note
        # Settled by hand: nothing will send it, so what it should not keep goes.
        command.payload = command_type(command.kind).settled_payload(command)
        command.save(
            update_fields=[
                "state",
                "finished_at",
                "next_attempt_at",
                "resolved_by",
                "resolved_at",
                "resolution_note",
                "payload",
                "updated_at",
            ]
        )
        command_type(command.kind).resolved_by_hand(command, user=user, note=note)
        subject_of(command.subject_type.model_class()).operator_acted(
            command,
            user=user,
            action="command-resolved",
            details={"previous": previous, "note": note},
        )
    return True
