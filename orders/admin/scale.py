"""The admin's lists at a million rows: what Django's changelist asks of the database on every
page, made to cost what one page costs (docs/operations.md, "The admin at a million orders").

- The count: Django counts every filtered row (``count(*)``) to number the pages. Past
  ``EXACT_COUNT_UP_TO`` rows PostgreSQL's planner estimate is shown instead, as large
  Django admins do; below it (a search, a narrow filter) the count is exact, and a count
  stopped at the threshold tells the two apart, so a small result is never estimated.
- The date hierarchy: Django lists the years, months or days holding rows with
  ``SELECT DISTINCT DATE_TRUNC(...)`` over every filtered row; here the range comes from
  ``MIN``/``MAX`` (the column's index) and each year, month or day in it is an ``EXISTS``
  probe on the same index.
- A filter by each value of a column (the order list's sales channel): its values come
  from a loose index scan instead of ``SELECT DISTINCT`` over the table.
"""

from __future__ import annotations

import copy
import json
from datetime import date, datetime, timedelta
from typing import Any, Literal

from django.contrib.admin import AllValuesFieldListFilter
from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.core.paginator import Paginator
from django.db import connection, connections
from django.db.models import Max, Min, Model, QuerySet
from django.utils import timezone
from django.utils.functional import cached_property

from core.fields import field_column

# A list with imports (imports.admin.LIST_WITH_IMPORTS_TEMPLATE) whose date hierarchy is
# ``probed_date_hierarchy``: a ModelAdmin's ``import_export_change_list_template``.
LIST_AT_SCALE_TEMPLATE = "admin/change_list_at_scale.html"
# Up to this many rows a list counts them exactly; past it, the planner's estimate.
EXACT_COUNT_UP_TO = 10_000
# More periods than this (years in a range of decades, say) are listed by Django's query.
MOST_PROBES = 62
# The periods the admin's date hierarchy asks a queryset's dates() and datetimes() for.
Period = Literal["year", "month", "day"]


def estimated_count(queryset: QuerySet, *, exact_up_to: int | None = None) -> int:
    """How many rows ``queryset`` holds: exact up to ``exact_up_to`` (``EXACT_COUNT_UP_TO``),
    else PostgreSQL's estimate (never below ``exact_up_to + 1``). Exact on other databases."""
    exact_up_to = EXACT_COUNT_UP_TO if exact_up_to is None else exact_up_to
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return queryset.count()
    # The rows only: no ordering, no annotation (the order list's late flag) to compute.
    rows = queryset.order_by().values("pk")
    counted = rows[: exact_up_to + 1].count()
    if counted <= exact_up_to:
        return counted
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return max(exact_up_to + 1, int(plan[0]["Plan"]["Plan Rows"]))


class EstimatedCountPaginator(Paginator):
    """A ModelAdmin's ``paginator``: the count of ``estimated_count``."""

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, QuerySet):
            return estimated_count(self.object_list)
        return super().count


class _ProbedDates:
    """What Django's ``date_hierarchy`` tag asks of ``cl.queryset``, answered with index
    lookups: ``aggregate`` (MIN/MAX), ``filter`` and ``dates``/``datetimes``."""

    def __init__(self, queryset: QuerySet) -> None:
        self.queryset = queryset

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return self.queryset.aggregate(*args, **kwargs)

    def filter(self, *args: Any, **kwargs: Any) -> _ProbedDates:
        return _ProbedDates(self.queryset.filter(*args, **kwargs))

    def datetimes(self, field_name: str, kind: Period) -> list[datetime]:
        return self._periods(field_name, kind, aware=True)

    def dates(self, field_name: str, kind: Period) -> list[date]:
        return self._periods(field_name, kind, aware=False)

    def _periods(self, field_name: str, kind: Period, *, aware: bool) -> list:
        queryset = self.queryset.order_by()
        bounds = queryset.aggregate(first=Min(field_name), last=Max(field_name))
        first, last = bounds["first"], bounds["last"]
        if first is None or last is None:
            return []
        zone = timezone.get_current_timezone()
        if aware:
            first, last = timezone.localtime(first, zone), timezone.localtime(last, zone)
        starts = _period_starts(first.date() if aware else first, last.date() if aware else last)
        periods = starts.get(kind)
        if periods is None or len(periods) > MOST_PROBES:
            method = queryset.datetimes if aware else queryset.dates
            return list(method(field_name, kind))
        found = []
        for start, end in zip(periods, [*periods[1:], _next(periods[-1], kind)], strict=True):
            low: date | datetime = start
            high: date | datetime = end
            if aware:
                low = datetime.combine(start, datetime.min.time(), tzinfo=zone)
                high = datetime.combine(end, datetime.min.time(), tzinfo=zone)
            in_period = {f"{field_name}__gte": low, f"{field_name}__lt": high}
            # Ordered by the column, so the probe walks its index (an unordered LIMIT 1 may
            # read the table from its start).
            first_in = queryset.filter(**in_period).order_by(field_name).values(field_name)
            if list(first_in[:1]):
                found.append(low)
        return found


def _period_starts(first: date, last: date) -> dict[str, list[date]]:
    years = [date(year, 1, 1) for year in range(first.year, last.year + 1)]
    months: list[date] = []
    month = date(first.year, first.month, 1)
    while month <= last and len(months) <= MOST_PROBES:
        months.append(month)
        month = _next(month, "month")
    days = [first + timedelta(days=offset) for offset in range(min((last - first).days + 1, 63))]
    return {"year": years, "month": months, "day": days}


def _next(start: date, kind: Period) -> date:
    if kind == "year":
        return date(start.year + 1, 1, 1)
    if kind == "month":
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start + timedelta(days=1)


class _ListedDates:
    """The same questions answered from the dates of a few rows (a search's), read once:
    ``MIN``/``MAX`` under a narrow filter may walk the whole date index looking for them."""

    def __init__(self, values: list[Any]) -> None:
        self.values = [value for value in values if value is not None]

    def aggregate(self, **kwargs: Any) -> dict[str, Any]:
        aggregates = {Min: min, Max: max}
        return {
            name: aggregates[type(aggregate)](self.values) if self.values else None
            for name, aggregate in kwargs.items()
        }

    def datetimes(self, field_name: str, kind: Period) -> list[datetime]:
        zone = timezone.get_current_timezone()
        starts = {_truncated(timezone.localtime(value, zone).date(), kind) for value in self.values}
        return [
            datetime.combine(start, datetime.min.time(), tzinfo=zone) for start in sorted(starts)
        ]

    def dates(self, field_name: str, kind: Period) -> list[date]:
        return sorted({_truncated(value, kind) for value in self.values})


def _truncated(day: date, kind: Period) -> date:
    if kind == "year":
        return date(day.year, 1, 1)
    if kind == "month":
        return date(day.year, day.month, 1)
    return day


def probed_date_hierarchy(cl: Any) -> dict[str, Any] | None:
    """Django's ``date_hierarchy`` tag (same links, same choices) over ``_ProbedDates``, or
    over ``_ListedDates`` when the list counted its rows exactly (a few)."""
    probed = copy.copy(cl)
    if cl.result_count <= EXACT_COUNT_UP_TO:
        rows = cl.queryset.order_by().values_list(cl.date_hierarchy, flat=True)
        probed.queryset = _ListedDates(list(rows))
    else:
        probed.queryset = _ProbedDates(cl.queryset)
    return date_hierarchy(probed)


def distinct_values(model: type[Model], field_name: str) -> list[Any]:
    """The distinct non-null values of a column, smallest first, in one statement that jumps
    from each value to the next through the column's index (a loose index scan): a few
    values among a million rows cost a few index lookups, not a ``DISTINCT`` over the table."""
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(field_column(model, field_name))
    sql = (
        f"WITH RECURSIVE found(value) AS ("  # noqa: S608 (names from the model's meta)
        f" SELECT MIN({column}) FROM {table}"
        f" UNION ALL SELECT (SELECT MIN({column}) FROM {table} WHERE {column} > found.value)"
        f" FROM found WHERE found.value IS NOT NULL"
        f") SELECT value FROM found WHERE value IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


class IndexedValuesFieldListFilter(AllValuesFieldListFilter):
    """Django's filter by each value of a column (non-null, indexed first in some index), its
    values found by ``distinct_values`` instead of ``SELECT DISTINCT``."""

    def __init__(
        self, field: Any, request: Any, params: Any, model: Any, *args: Any, **kwargs: Any
    ) -> None:
        super().__init__(field, request, params, model, *args, **kwargs)
        # Once per request: a list builds its filters again for the status counts.
        found = request.__dict__.setdefault("_distinct_values", {})
        key = (model._meta.label, field.name)
        if key not in found:
            found[key] = distinct_values(model, field.name)
        self.lookup_choices = found[key]
