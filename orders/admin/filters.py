"""The order list's filters. Each declares its URL parameter: the admin site answers 400 to any
other (backoffice/admin_site.py), so the dashboard's links use these."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orders.admin.scale import EXACT_COUNT_UP_TO, estimated_count
from orders.models import Invoice, InvoiceType, Order
from orders.selectors.queues import ORDER_QUEUES, order_queue, order_status_counts, orders_late
from orders.status import status_choices, status_label

if TYPE_CHECKING:
    from django.contrib.admin.filters import _ListFilterChoices


class StatusFilter(admin.SimpleListFilter):
    """Every status with orders in the list as the other filters (and the search, the date
    drill-down) narrow it, in the flow's order, with how many orders it holds there: the
    counts are the rows each status would list. One GROUP BY query, when the filter is drawn;
    none for the whole mirror (the status tally) and none past ``EXACT_COUNT_UP_TO`` rows,
    where the statuses are offered uncounted (orders.admin.scale)."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        # Every status, uncounted: which have orders depends on the list (choices()).
        return status_choices()

    def choices(self, changelist: ChangeList) -> Iterator[_ListFilterChoices]:
        others = changelist.get_queryset(self.request, exclude_parameters=[self.parameter_name])
        if others.query.where:
            # The list's rows without the status filter: its own count when no status is
            # picked (already counted), else counted up to the estimate's threshold.
            rows = (
                changelist.result_count
                if self.value() is None
                else estimated_count(others, exact_up_to=EXACT_COUNT_UP_TO)
            )
            counted = rows <= EXACT_COUNT_UP_TO
        else:
            counted = True  # the whole mirror: the status tally, a few rows
        # Past the threshold (a million orders narrowed to half by a date, say) grouping every
        # row by status would cost seconds on every page: the statuses the mirror holds are
        # offered, uncounted, as the list's own count is an estimate there.
        counts = order_status_counts(queryset=others if counted else None)
        known = [status for status, _label in self.lookup_choices]
        shown = [status for status in known if counts.get(status)]
        shown += sorted(status for status in counts if status not in known)
        picked = self.value()
        if picked and picked not in shown:
            shown.append(picked)
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("All"),
        }
        for status in shown:
            yield {
                "selected": self.value() == status,
                "query_string": changelist.get_query_string({self.parameter_name: status}),
                "display": (
                    f"{status_label(status)} ({counts.get(status, 0)})"
                    if counted
                    else status_label(status)
                ),
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet[Order]) -> QuerySet[Order]:
        return queryset.filter(status=self.value()) if self.value() else queryset


class HasInvoiceFilter(admin.SimpleListFilter):
    title = _("has invoice")
    parameter_name = "has_invoice"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Order]) -> QuerySet[Order]:
        invoiced = Exists(Invoice.objects.filter(order=OuterRef("pk"), type=InvoiceType.OUTPUT))
        if self.value() == "yes":
            return queryset.filter(invoiced)
        if self.value() == "no":
            return queryset.filter(~invoiced)
        return queryset


class QueueFilter(admin.SimpleListFilter):
    """The orders of one of the dashboard's queues (orders.selectors.ORDER_QUEUES)."""

    title = _("work queue")
    parameter_name = "queue"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [(queue.key, queue.label) for queue in ORDER_QUEUES]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Order]) -> QuerySet[Order]:
        queue = order_queue(self.value() or "")
        return queryset.filter(queue.members(timezone.now())) if queue else queryset


class LateFilter(admin.SimpleListFilter):
    """Past the estimated delivery date, or waiting in a queue for longer than its limit."""

    title = _("late")
    parameter_name = "late"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("yes", _("Late")), ("no", _("On time"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Order]) -> QuerySet[Order]:
        if self.value() == "yes":
            return queryset.filter(orders_late(now=timezone.now()))
        if self.value() == "no":
            return queryset.exclude(orders_late(now=timezone.now()))
        return queryset
