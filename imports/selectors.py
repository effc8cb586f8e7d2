"""Reads of import batches that the admin and the dashboard share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Min, Q

from imports.models import BatchStatus, ImportBatch

# A batch whose run ended with refused rows: the operator fixes them and uploads them again.
ENDED_STATUSES = (BatchStatus.CHECKED, BatchStatus.IMPORTED, BatchStatus.NOTHING_IMPORTED)


def batches_needing_attention(*, now: datetime) -> Q:
    """Batches of the last ``IMPORTS_ATTENTION_DAYS`` days whose run refused rows (a discarded
    one was dealt with; an older one is history, kept on the batch list)."""
    since = now - timedelta(days=settings.IMPORTS_ATTENTION_DAYS)
    return Q(refused_rows__gt=0, status__in=ENDED_STATUSES, created_at__gte=since)


@dataclass(frozen=True)
class BatchAttentionStats:
    count: int
    late: int
    oldest_since: datetime | None


def batches_needing_attention_stats(*, now: datetime, limit: timedelta) -> BatchAttentionStats:
    """One query: how many batches have refused rows to fix, how many were uploaded longer
    than ``limit`` ago, and when the oldest was."""
    row = ImportBatch.objects.filter(batches_needing_attention(now=now)).aggregate(
        count=Count("pk"),
        late=Count("pk", filter=Q(created_at__lt=now - limit)),
        oldest=Min("created_at"),
    )
    return BatchAttentionStats(count=row["count"], late=row["late"], oldest_since=row["oldest"])
