"""Reads of the catalog that the admin, the services and the tasks share."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery, Sum

from catalog.models import (
    Sku,
    SkuChangeNotification,
    SkuSuggestion,
    StockReservation,
    SuggestionState,
)
from outbox.models import VtexCommand
from outbox.selectors import subject_commands, subject_commands_url


def skus_held(*, sku_ids: Iterable[int]) -> dict[int, int]:
    """Units that placed marketplace orders hold, by SKU primary key (0 when none)."""
    held = (
        StockReservation.objects.filter(sku_id__in=list(sku_ids), released_at__isnull=True)
        .values("sku_id")
        .annotate(units=Sum("quantity"))
    )
    return {row["sku_id"]: row["units"] for row in held}


def sku_available(*, sku: Sku) -> int:
    """What the SKU can still sell: its stock less what placed orders hold."""
    return max(sku.stock - skus_held(sku_ids=[sku.pk]).get(sku.pk, 0), 0)


def sku_latest_suggestion(*, sku: Sku) -> SkuSuggestion | None:
    return SkuSuggestion.objects.filter(sku=sku).order_by("-created_at", "-pk").first()


def skus_with_latest_suggestion(queryset: QuerySet[Sku]) -> QuerySet[Sku]:
    """The SKUs with ``latest_suggestion_state`` (None when never suggested)."""
    latest = SkuSuggestion.objects.filter(sku=OuterRef("pk")).order_by("-created_at", "-pk")
    return queryset.annotate(latest_suggestion_state=Subquery(latest.values("state")[:1]))


def skus_awaiting_decision() -> QuerySet[Sku]:
    """SKUs whose latest suggestion reached the marketplace and waits for its decision."""
    return skus_with_latest_suggestion(Sku.objects.all()).filter(
        latest_suggestion_state=SuggestionState.SENT
    )


@dataclass(frozen=True)
class SkuHistory:
    notifications: list[SkuChangeNotification]
    suggestions: list[SkuSuggestion]
    commands: list[VtexCommand]
    commands_url: str


# The SKU page shows this many of the latest notifications and suggestions.
HISTORY_LIMIT = 50


def sku_history(*, sku: Sku) -> SkuHistory:
    """What the marketplace was told about the SKU and what it answered, newest first."""
    return SkuHistory(
        notifications=list(
            SkuChangeNotification.objects.filter(sku=sku).select_related("requested_by")[
                :HISTORY_LIMIT
            ]
        ),
        suggestions=list(
            SkuSuggestion.objects.filter(sku=sku)
            .defer("payload")
            .select_related("requested_by")[:HISTORY_LIMIT]
        ),
        commands=subject_commands(subject=sku)[::-1][:HISTORY_LIMIT],
        commands_url=subject_commands_url(subject=sku),
    )
