"""The admin's home: what needs someone today, whether the import keeps up, the last 30 days.

Every figure comes from a selector that runs a fixed number of queries whatever the number of
orders or commands: one aggregate per queue, one GROUP BY for the statuses, three for the
chart, one row for the feed. ``QUEUES`` is the one list of what waits for someone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pygal
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from imports.selectors import batches_needing_attention_stats
from orders.models import FeedHealth, FeedOutcome
from orders.selectors.queues import (
    ORDER_QUEUES,
    OrderQueue,
    feed_health,
    order_queue_stats,
    order_status_counts,
    orders_per_day,
)
from orders.status import status_choices, status_colour, status_label
from outbox.selectors import commands_needing_attention_stats

CHART_DAYS = 30


@dataclass(frozen=True)
class QueueCounts:
    count: int
    late: int
    oldest_since: datetime | None


@dataclass(frozen=True)
class Queue:
    """Something that waits for someone: counted, aged, linked to the list behind it.

    ``url`` and ``late_url`` must filter their list through its declared filters (the admin
    site answers 400 to anything else).
    """

    key: str
    label: Promise
    limit: Callable[[], timedelta]
    counts: Callable[[datetime, timedelta], QueueCounts]
    url: Callable[[], str]
    late_url: Callable[[], str]
    # Who may open the list behind it (others see the numbers without the link).
    permission: str


def _order_queue(queue: OrderQueue) -> Queue:
    def counts(now: datetime, limit: timedelta) -> QueueCounts:
        stats = order_queue_stats(queue=queue, now=now)
        return QueueCounts(stats.count, stats.late, stats.oldest_since)

    changelist = "admin:orders_order_changelist"
    return Queue(
        key=queue.key,
        label=queue.label,
        limit=queue.limit,
        counts=counts,
        url=lambda: f"{reverse(changelist)}?queue={queue.key}",
        late_url=lambda: f"{reverse(changelist)}?queue={queue.key}&late=yes",
        permission="orders.view_order",
    )


def _commands_counts(now: datetime, limit: timedelta) -> QueueCounts:
    stats = commands_needing_attention_stats(now=now, limit=limit)
    return QueueCounts(stats.count, stats.late, stats.oldest_since)


def _commands_url() -> str:
    # NeedsAttentionFilter of the command list (outbox/admin.py).
    return f"{reverse('admin:outbox_vtexcommand_changelist')}?attention=yes"


def _batches_counts(now: datetime, limit: timedelta) -> QueueCounts:
    stats = batches_needing_attention_stats(now=now, limit=limit)
    return QueueCounts(stats.count, stats.late, stats.oldest_since)


def _batches_url() -> str:
    # NeedsAttentionFilter of the import batch list (imports/admin.py).
    return f"{reverse('admin:imports_importbatch_changelist')}?attention=yes"


# What waits for someone, in the order the dashboard shows it. A new queue is one entry here.
QUEUES: list[Queue] = [
    *(_order_queue(queue) for queue in ORDER_QUEUES),
    Queue(
        key="commands-failed",
        label=gettext_lazy("VTEX commands rejected or given up"),
        limit=lambda: timedelta(hours=settings.QUEUE_COMMANDS_FAILED_HOURS),
        counts=_commands_counts,
        url=_commands_url,
        late_url=_commands_url,
        permission="outbox.view_vtexcommand",
    ),
    Queue(
        key="imports-refused",
        label=gettext_lazy("Import batches with refused rows"),
        limit=lambda: timedelta(hours=settings.QUEUE_IMPORT_REFUSED_HOURS),
        counts=_batches_counts,
        url=_batches_url,
        late_url=_batches_url,
        permission="imports.view_importbatch",
    ),
]


@dataclass(frozen=True)
class QueueRow:
    key: str
    label: str
    count: int
    late: int
    oldest_age: str
    limit: str
    url: str
    late_url: str


def _duration(delta: timedelta) -> str:
    now = timezone.now()
    return _since(now - delta, now)


def _since(start: datetime, now: datetime) -> str:
    """How long from ``start`` to ``now`` in words; under a minute, "less than a minute"
    (Django's timesince says "0 minutes", "0 minuto" in pt-BR)."""
    if now - start < timedelta(minutes=1):
        return _("less than a minute")
    return timesince(start, now, depth=2)


def queue_rows(*, user: User | AnonymousUser, now: datetime) -> list[QueueRow]:
    rows = []
    for queue in QUEUES:
        limit = queue.limit()
        counts = queue.counts(now, limit)
        allowed = user.has_perm(queue.permission)
        rows.append(
            QueueRow(
                key=queue.key,
                label=str(queue.label),
                count=counts.count,
                late=counts.late,
                oldest_age=(_since(counts.oldest_since, now) if counts.oldest_since else ""),
                limit=_duration(limit) if limit else _("at once"),
                url=queue.url() if allowed else "",
                late_url=queue.late_url() if allowed else "",
            )
        )
    return rows


@dataclass(frozen=True)
class StatusRow:
    status: str
    label: str
    colour: str
    count: int
    url: str


def status_rows(*, user: User | AnonymousUser) -> list[StatusRow]:
    """Orders per status, in the flow's order (statuses VTEX added and we do not know, last)."""
    counts = order_status_counts()
    known = [status for status, _label in status_choices()]
    ordered = [status for status in known if status in counts]
    ordered += sorted(status for status in counts if status not in known)
    allowed = user.has_perm("orders.view_order")
    changelist = reverse("admin:orders_order_changelist")
    return [
        StatusRow(
            status=status,
            label=status_label(status),
            colour=status_colour(status),
            count=counts[status],
            url=f"{changelist}?status={status}" if allowed else "",
        )
        for status in ordered
    ]


@dataclass(frozen=True)
class ImportHealth:
    level: str  # "ok" or "warning"
    last_success: str
    behind: str
    messages: list[str]
    last_error: str


def import_health(*, health: FeedHealth | None, now: datetime) -> ImportHealth:
    """What the last feed drains tell an operator: when the import last worked, how far behind
    it is, and why it failed."""
    stale_after = timedelta(minutes=settings.FEED_STALE_MINUTES)
    messages = []
    if health is None or health.last_success_at is None:
        messages.append(_("The VTEX orders feed has never been drained successfully."))
        last_success, behind = "", ""
    else:
        local = timezone.localtime(health.last_success_at)
        last_success = formats.date_format(local, "DATETIME_FORMAT")
        behind = _since(health.last_success_at, now)
        if now - health.last_success_at > stale_after:
            messages.append(
                _("No successful import for %(behind)s: orders may be missing or out of date.")
                % {"behind": behind}
            )
        if health.items_left:
            messages.append(_("The last drain stopped at its time limit: VTEX still has events."))
    last_error = ""
    if health is not None and health.last_outcome != FeedOutcome.SUCCEEDED and health.last_run_at:
        last_error = health.last_error
        if health.last_outcome == FeedOutcome.CREDENTIALS_REFUSED:
            messages.append(
                _(
                    "VTEX refuses the credentials (app key and token): check them and their "
                    "role in VTEX's License Manager."
                )
            )
        else:
            messages.append(
                _("The last %(count)d import runs failed.") % {"count": health.failures_in_a_row}
                if health.failures_in_a_row > 1
                else _("The last import run failed.")
            )
    return ImportHealth(
        level="warning" if messages else "ok",
        last_success=last_success,
        behind=behind,
        messages=messages,
        last_error=last_error,
    )


SERIES_COLOURS = ("#2563eb", "#16a34a", "#dc2626")


def orders_chart(*, now: datetime) -> dict[str, Any]:
    """Orders received, invoiced and canceled per day over the last 30 days: the SVG (drawn
    server-side by pygal, no script) and the figures it draws."""
    days = orders_per_day(days=CHART_DAYS, now=now)
    series = [
        # A context of their own: plain "Invoiced" and "Canceled" are the status labels
        # (orders' catalog), which this catalog would otherwise override everywhere.
        (pgettext("orders per day", "Received"), [day.received for day in days]),
        (pgettext("orders per day", "Invoiced"), [day.invoiced for day in days]),
        (pgettext("orders per day", "Canceled"), [day.canceled for day in days]),
    ]
    style = pygal.style.Style(
        background="transparent",
        plot_background="transparent",
        colors=SERIES_COLOURS,
        font_family="inherit",
        label_font_size=11,
        major_label_font_size=11,
        legend_font_size=13,
    )
    chart = pygal.Bar(
        style=style,
        js=[],  # no script from a CDN: the SVG stands alone
        disable_xml_declaration=True,
        explicit_size=False,
        width=1000,
        height=260,
        legend_at_bottom=True,
        legend_at_bottom_columns=3,
        show_minor_x_labels=False,
        x_labels_major_every=5,
        truncate_label=-1,
        min_scale=2,
        max_scale=10,
        margin=8,
    )
    chart.title = None
    chart.x_labels = [formats.date_format(day.day, "d/m") for day in days]
    for title, values in series:
        chart.add(title, values)
    svg: SafeString = mark_safe(chart.render(is_unicode=True))  # noqa: S308 - pygal's own SVG
    return {
        "svg": svg,
        "days": [
            {"day": formats.date_format(day.day, "SHORT_DATE_FORMAT"), "counts": day}
            for day in days
        ],
        "totals": {title: sum(values) for title, values in series},
        "series": [title for title, _values in series],
    }


def dashboard_context(*, user: User | AnonymousUser) -> dict[str, Any]:
    now = timezone.now()
    return {
        "queues": queue_rows(user=user, now=now),
        "statuses": status_rows(user=user),
        "import_health": import_health(health=feed_health(), now=now),
        "chart": orders_chart(now=now),
    }
