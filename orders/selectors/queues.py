"""Orders that wait for someone (the dashboard, the order list's "late"), the per-status and
per-day counts, and the feed's health."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connections
from django.db.models import (
    Count,
    Exists,
    Expression,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.lookups import LessThan
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from orders.models import (
    AWAITING_DELIVERY,
    AWAITING_TRACKING,
    ORDERS_FEED,
    FeedHealth,
    Invoice,
    InvoiceType,
    Order,
    OrderStatusTally,
)
from orders.status import OrderStatus


def _output_invoices() -> QuerySet[Invoice]:
    return Invoice.objects.filter(order=OuterRef("pk"), type=InvoiceType.OUTPUT)


def _since_last_change() -> Expression:
    # VTEX's last change of an order in these statuses is when it entered the status.
    return Coalesce("vtex_last_change", "created_at")


@dataclass(frozen=True)
class OrderQueue:
    """Orders waiting for someone: who is in it, since when each waits, and for how long it
    may wait (a setting, in hours) before it is late."""

    key: str
    label: Promise
    limit_setting: str
    # The queue's members at ``now``.
    members: Callable[[datetime], Q]
    # Since when a member waits (an expression on Order).
    waiting_since: Callable[[], Expression | F]

    def limit(self) -> timedelta:
        return timedelta(hours=getattr(settings, self.limit_setting))

    def late(self, now: datetime) -> Q:
        return self.members(now) & Q(LessThan(self.waiting_since(), now - self.limit()))


# The order queues, in the order an order goes through them. The dashboard shows each with
# its count, its oldest member and how many are late; the order list filters by them
# (``?queue=<key>``) and flags as late an order that is late in any of them.
ORDER_QUEUES: list[OrderQueue] = [
    OrderQueue(
        key="ready-for-handling",
        label=_("Ready for handling"),
        limit_setting="QUEUE_READY_FOR_HANDLING_HOURS",
        members=lambda now: Q(status=OrderStatus.READY_FOR_HANDLING),
        waiting_since=_since_last_change,
    ),
    OrderQueue(
        key="handling-not-invoiced",
        label=_("Handling, not invoiced"),
        limit_setting="QUEUE_HANDLING_NOT_INVOICED_HOURS",
        members=lambda now: Q(status=OrderStatus.HANDLING) & ~Q(Exists(_output_invoices())),
        waiting_since=_since_last_change,
    ),
    OrderQueue(
        key="invoiced-without-tracking",
        label=_("Invoiced without tracking"),
        limit_setting="QUEUE_INVOICED_WITHOUT_TRACKING_HOURS",
        members=lambda now: AWAITING_TRACKING,
        waiting_since=lambda: F("untracked_since"),
    ),
    OrderQueue(
        key="past-delivery-date",
        label=_("Past the estimated delivery date"),
        limit_setting="QUEUE_PAST_DELIVERY_HOURS",
        members=lambda now: Q(estimated_delivery_at__lt=now) & AWAITING_DELIVERY,
        waiting_since=lambda: F("estimated_delivery_at"),
    ),
]


def order_queue(key: str) -> OrderQueue | None:
    return next((queue for queue in ORDER_QUEUES if queue.key == key), None)


def orders_late(*, now: datetime) -> Q:
    """Orders late in any queue: past the estimated delivery, or waiting past a queue's limit."""
    late = Q()
    for queue in ORDER_QUEUES:
        late |= queue.late(now)
    return late


@dataclass(frozen=True)
class QueueStats:
    count: int
    late: int
    oldest_since: datetime | None


def order_queue_stats(*, queue: OrderQueue, now: datetime) -> QueueStats:
    """One query: the queue's members, those late and the oldest's waiting start."""
    since = queue.waiting_since()
    row = Order.objects.filter(queue.members(now)).aggregate(
        count=Count("pk"),
        late=Count("pk", filter=Q(LessThan(since, now - queue.limit()))),
        oldest=Min(since),
    )
    return QueueStats(count=row["count"], late=row["late"], oldest_since=row["oldest"])


def order_status_counts(*, queryset: QuerySet[Order] | None = None) -> dict[str, int]:
    """Orders per status in ``queryset`` (one GROUP BY query), or in the whole mirror
    (``order_status_totals``) when it filters nothing."""
    if queryset is None or not queryset.query.where:
        return order_status_totals()
    rows = queryset.order_by().values_list("status").annotate(total=Count("pk"))
    return dict(rows)


def order_status_totals() -> dict[str, int]:
    """Orders per status in the whole mirror: on PostgreSQL the sums of the status tally the
    database keeps as orders change (orders.models.tallies: a few rows, not a GROUP BY over a
    million orders); elsewhere a GROUP BY."""
    if connections[Order.objects.db].vendor != "postgresql":
        rows = Order.objects.order_by().values_list("status").annotate(total=Count("pk"))
        return dict(rows)
    sums = (
        OrderStatusTally.objects.order_by()
        .values_list("status")
        .annotate(total=Sum("delta"))
        .filter(total__gt=0)
    )
    return dict(sums)


@dataclass(frozen=True)
class DayCounts:
    day: date
    received: int
    invoiced: int
    canceled: int


def orders_per_day(*, days: int, now: datetime) -> list[DayCounts]:
    """Orders received (created), invoiced and canceled on each of the last ``days`` days,
    today included, in the current time zone. Three GROUP BY queries whatever the number of
    orders. A canceled order's cancellation day is its last change in VTEX (canceled is
    final: nothing changes it afterwards)."""
    zone = timezone.get_current_timezone()
    today = timezone.localdate(now, zone)
    first_day = today - timedelta(days=days - 1)
    start = datetime.combine(first_day, datetime.min.time(), tzinfo=zone)

    def per_day(field: str, queryset: QuerySet[Order]) -> dict[date, int]:
        rows = (
            queryset.filter(**{f"{field}__gte": start})
            .annotate(day=TruncDate(field, tzinfo=zone))
            .order_by()
            .values_list("day")
            .annotate(total=Count("pk"))
        )
        return dict(rows)

    received = per_day("created_at", Order.objects.all())
    invoiced = per_day("invoiced_at", Order.objects.all())
    canceled = per_day("vtex_last_change", Order.objects.filter(status=OrderStatus.CANCELED))
    return [
        DayCounts(
            day=day,
            received=received.get(day, 0),
            invoiced=invoiced.get(day, 0),
            canceled=canceled.get(day, 0),
        )
        for day in (first_day + timedelta(days=offset) for offset in range(days))
    ]


def feed_health(*, name: str = ORDERS_FEED) -> FeedHealth | None:
    """How the feed's drains went (None before its first drain)."""
    return FeedHealth.objects.filter(name=name).first()
