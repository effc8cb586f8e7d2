"""Reads of the catalog that the admin, the services and the tasks share."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery

from catalog.models import (
    Sku,
    SkuChangeNotification,
    SkuSuggestion,
    StockReservation,
    SuggestionState,
)
from core.fields import field_column
from outbox.models import VtexCommand
from outbox.selectors import subject_commands, subject_commands_url

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


def skus_available(
    *, sku_ids: Iterable[str], active_only: bool = True
) -> dict[str, dict[str, Any]]:
    """sku_id -> {pk, sku_id, price, list_price, available} for the SKUs among ``sku_ids``
    (the active ones only, unless ``active_only`` is False): ``available`` is the stock less
    the units that placed marketplace orders hold (their unreleased reservations), never
    below 0. One statement: the fulfillment simulation's hot path reads through here."""
    wanted = sorted(set(sku_ids))
    if not wanted:
        return {}
    sql = _skus_statement(connection.vendor, active_only).format(", ".join(["%s"] * len(wanted)))
    with connection.cursor() as cursor:
        cursor.execute(sql, [True, *wanted] if active_only else wanted)
        rows = cursor.fetchall()
    return {
        sku_id: {
            "pk": pk,
            "sku_id": sku_id,
            "price": price,
            "list_price": list_price,
            "available": max(stock - int(held), 0),
        }
        for pk, sku_id, price, list_price, stock, held in rows
    }


@functools.cache
def _skus_statement(vendor: str, active_only: bool) -> str:
    """Written once from the models. Plain SQL because compiling it through the ORM cost most
    of a simulation's CPU (bench/simulation.py), for a statement that never changes."""
    quote = connection.ops.quote_name

    def sku(name: str) -> str:
        return quote(field_column(Sku, name))

    def held(name: str) -> str:
        return quote(field_column(StockReservation, name))

    active = f"s.{sku('active')} = %s AND " if active_only else ""
    # Only the models' own names go into the text; every value is a parameter.
    return (
        f"SELECT s.{sku('id')}, s.{sku('sku_id')}, "  # noqa: S608
        f"s.{sku('price')}, s.{sku('list_price')}, s.{sku('stock')}, "
        f"COALESCE((SELECT SUM(r.{held('quantity')}) "
        f"FROM {quote(StockReservation._meta.db_table)} r "
        f"WHERE r.{held('sku')} = s.{sku('id')} AND r.{held('released_at')} IS NULL), 0) "
        f"FROM {quote(Sku._meta.db_table)} s WHERE {active}s.{sku('sku_id')} IN ({{}})"
    )


def sku_available(*, sku: Sku) -> int:
    """What the SKU can still sell: its stock less what placed orders hold."""
    return skus_available(sku_ids=[sku.sku_id], active_only=False)[sku.sku_id]["available"]


def sku_latest_suggestion(*, sku: Sku) -> SkuSuggestion | None:
    return SkuSuggestion.objects.filter(sku=sku).order_by("-created_at", "-pk").first()


class LatestSuggestion(TypedDict):
    latest_suggestion_state: str | None


def skus_with_latest_suggestion(
    queryset: QuerySet[Sku],
) -> QuerySet[WithAnnotations[Sku, LatestSuggestion]]:
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
