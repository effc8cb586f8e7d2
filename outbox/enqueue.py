"""Writing a command: in the transaction of the change it belongs to, delivered after commit."""

from __future__ import annotations

import functools
import hashlib
from typing import Any

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from core.fields import field_max_length
from core.tasks import task_dispatch
from outbox.models import CommandState, CommandTarget, VtexCommand
from outbox.registry import command_type

# Celery task names (outbox/tasks.py): dispatched by name, so no service imports the tasks.
DELIVER_TASK = "outbox.commands_deliver"
SWEEP_TASK = "outbox.commands_sweep"
# The key column, less the room ``command_enqueue`` needs to rename a rejected command
# ``{key}~{pk}`` (a BigAutoField: up to 19 digits).
COMMAND_KEY_MAX_LENGTH = field_max_length(VtexCommand, "key") - len("~") - 19
KEY_DIGEST_LENGTH = 40


def command_key(*parts: str) -> str:
    """A command's key: ``parts`` joined by ``:`` (``{order}:invoice:{number}``...).

    When that would not fit ``COMMAND_KEY_MAX_LENGTH`` (a long tracking number on a long
    invoice number), the last part, or as few last parts as make it fit, gives way to
    ``sha256-`` and a digest of them: the key stays deterministic and unique, and readable as
    far as it can. Keys that fit are unchanged.
    """
    key = ":".join(parts)
    for kept in range(len(parts) - 1, -1, -1):
        if len(key) <= COMMAND_KEY_MAX_LENGTH:
            return key
        digest = hashlib.sha256(":".join(parts[kept:]).encode()).hexdigest()
        key = ":".join([*parts[:kept], f"sha256-{digest[:KEY_DIGEST_LENGTH]}"])
    return key


def command_enqueue(
    *,
    subject: models.Model,
    kind: str,
    key: str,
    payload: dict[str, Any] | None = None,
    requested_by: User | None = None,
    source: str,
    target: CommandTarget | str = CommandTarget.STORE,
    target_endpoint: str = "",
) -> tuple[VtexCommand, bool]:
    """Write a command in the caller's transaction; deliver it once that commits.

    The key is deterministic, so asking twice returns the first command (``created`` is
    False). A command VTEX rejected gives its key up to a new request with the same key
    (it is renamed ``{key}~{pk}``).
    """
    if transaction.get_connection().get_autocommit():
        raise RuntimeError("command_enqueue must run inside the transaction of the change")
    command_type(kind)  # an unknown kind fails here, not at delivery
    if len(key) > COMMAND_KEY_MAX_LENGTH:
        raise ValueError(f"a command key has at most {COMMAND_KEY_MAX_LENGTH} characters")
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
                subject_type=ContentType.objects.get_for_model(subject),
                subject_id=subject.pk,
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
    task_dispatch(DELIVER_TASK, kwargs={"command_id": command_id})


def command_superseded(command: VtexCommand) -> bool:
    """The command gave its key up to a newer request (see ``command_enqueue``)."""
    return command_superseded_key(command.key)


def command_superseded_key(key: str) -> bool:
    return "~" in key


# A bulk write hands out one delivery task per this many commands: each task delivers every
# due command (``commands_deliver``), so a few tasks keep the workers busy.
BULK_DISPATCH_EVERY = 200


def commands_enqueue_many(*, commands: list[VtexCommand]) -> list[tuple[VtexCommand, bool]]:
    """``command_enqueue`` for many unsaved commands at once (a bulk import), in the caller's
    transaction: the same keys rule (a key already standing returns that command, created
    False; a rejected one gives its key up), one INSERT per 500 commands, and delivery tasks
    handed out after commit. The caller holds the locks of the commands' subjects (their
    orders), so no other request writes the same keys meanwhile."""
    if transaction.get_connection().get_autocommit():
        raise RuntimeError("commands_enqueue_many must run inside the transaction of the change")
    for command in commands:
        command_type(command.kind)
        if len(command.key) > COMMAND_KEY_MAX_LENGTH:
            raise ValueError(f"a command key has at most {COMMAND_KEY_MAX_LENGTH} characters")
    existing = {
        command.key: command
        for command in VtexCommand.objects.select_for_update().filter(
            key__in=[command.key for command in commands]
        )
    }
    outcomes: list[tuple[VtexCommand, bool]] = []
    new: list[VtexCommand] = []
    now = timezone.now()
    for command in commands:
        standing = existing.get(command.key)
        if standing is not None and standing.state != CommandState.REJECTED:
            outcomes.append((standing, False))
            continue
        if standing is not None:
            standing.key = f"{standing.key}~{standing.pk}"
            standing.save(update_fields=["key", "updated_at"])
            existing.pop(command.key)
        command.enqueued_at = now
        new.append(command)
        outcomes.append((command, True))
    VtexCommand.objects.bulk_create(new, batch_size=500)
    first_ids = [command.pk for command in new[::BULK_DISPATCH_EVERY]]
    for command_id in first_ids:
        transaction.on_commit(
            functools.partial(command_dispatch, command_id=command_id), robust=True
        )
    return outcomes
