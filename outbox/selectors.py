"""Reads of the outbox that pages and tasks share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, Min, Q
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThan
from django.urls import reverse
from django.utils import timezone

from outbox.models import DUE_STATES, CommandAttempt, CommandState, VtexCommand


def subject_commands(*, subject: models.Model) -> list[VtexCommand]:
    """A subject's commands, oldest first, without their payloads (for its page)."""
    return list(
        VtexCommand.objects.filter(
            subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
        )
        .defer("payload")
        .select_related("requested_by")
        .order_by("pk")
    )


def subject_commands_url(*, subject: models.Model) -> str:
    """The command list filtered to one subject's commands."""
    subject_type = ContentType.objects.get_for_model(subject)
    return (
        reverse("admin:outbox_vtexcommand_changelist")
        + f"?subject_type__id__exact={subject_type.pk}&subject_id__exact={subject.pk}"
    )


@dataclass(frozen=True)
class OutboxDelivery:
    """Whether workers are taking commands: the last attempt, and what waits for one."""

    checked_at: datetime
    last_attempt_at: datetime | None
    due: int
    # Since when the longest-waiting due command has been due (its retry time, else its creation).
    oldest_due_at: datetime | None

    def stalled(self, *, after: timedelta) -> bool:
        """A command has been due for longer than ``after`` and no attempt was made meanwhile."""
        since = self.checked_at - after
        if self.oldest_due_at is None or self.oldest_due_at > since:
            return False
        return self.last_attempt_at is None or self.last_attempt_at < since


def outbox_last_delivery(*, now: datetime | None = None) -> OutboxDelivery:
    """When a worker last attempted a command, and the commands due now (two indexed reads:
    the newest attempt by primary key, the due commands by the state/next-attempt index)."""
    now = now or timezone.now()
    last_attempt_at = (
        CommandAttempt.objects.order_by("-pk").values_list("attempted_at", flat=True).first()
    )
    waiting = (
        VtexCommand.objects.filter(state__in=DUE_STATES)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .aggregate(due=Count("pk"), oldest=Min(Coalesce("next_attempt_at", "created_at")))
    )
    return OutboxDelivery(
        checked_at=now,
        last_attempt_at=last_attempt_at,
        due=waiting["due"],
        oldest_due_at=waiting["oldest"],
    )


def commands_needing_attention() -> Q:
    """Commands VTEX rejected or that were given up, and that nobody has resolved yet."""
    return Q(state__in=(CommandState.REJECTED, CommandState.DEAD), resolved_at__isnull=True)


@dataclass(frozen=True)
class AttentionStats:
    count: int
    late: int
    oldest_since: datetime | None


def commands_needing_attention_stats(*, now: datetime, limit: timedelta) -> AttentionStats:
    """One query: how many commands need attention, how many for longer than ``limit``, and
    since when the oldest does (when its last attempt ended)."""
    since = Coalesce("finished_at", "updated_at")
    row = VtexCommand.objects.filter(commands_needing_attention()).aggregate(
        count=Count("pk"),
        late=Count("pk", filter=Q(LessThan(since, now - limit))),
        oldest=Min(since),
    )
    return AttentionStats(count=row["count"], late=row["late"], oldest_since=row["oldest"])
