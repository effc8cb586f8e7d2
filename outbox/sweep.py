"""The sweeper (beat, every few seconds): hands out what is due and rescues what is stuck."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from outbox.delivery import commands_due, pause_filter, paused_targets
from outbox.enqueue import command_dispatch
from outbox.models import CommandState, VtexCommand
from outbox.registry import command_type
from outbox.states import Event, command_move

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepReport:
    unstuck: int
    dispatched: int


def commands_sweep(*, limit: int | None = None) -> SweepReport:
    """Retry what is due and rescue what is stuck.

    A command "sending" for too long lost its worker: it may have reached VTEX, so it is
    retried after VTEX is read again. A command handed to the broker long ago and still not
    attempted lost its message: it is handed out again.
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
            command_move(command, Event.UNSTICK)
            command.needs_verification = command_type(command.kind).verify_before_resend
            command.sending_since = None
            command.next_attempt_at = now
            command.enqueued_at = None
            command.updated_at = now
        if stuck:
            VtexCommand.objects.bulk_update(
                stuck,
                [
                    "state",
                    "needs_verification",
                    "sending_since",
                    "next_attempt_at",
                    "enqueued_at",
                    "updated_at",
                ],
            )
    due_ids = list(
        commands_due(now=now)
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=lost_before))
        .exclude(pause_filter(paused_targets(now=now)))
        .values_list("pk", flat=True)[:limit]
    )
    if due_ids:
        VtexCommand.objects.filter(pk__in=due_ids).update(enqueued_at=now)
    for command_id in due_ids:
        command_dispatch(command_id=command_id)
    return SweepReport(unstuck=len(stuck), dispatched=len(due_ids))
