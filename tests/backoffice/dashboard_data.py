"""A known set of orders and commands for the dashboard's tests (unit and browser): each
queue holds a known number of members, some of them past the queue's limit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from imports.models import BatchStatus, ImportBatch
from outbox.models import CommandState, VtexCommand
from tests.orders.factories import InvoiceFactory, OrderFactory

# The queues whose members are not orders (command keys, batch file names).
NOT_ORDERS = ("commands-failed", "imports-refused")


@dataclass
class DashboardData:
    now: datetime
    # queue key -> (vtex order ids in it, those of them late)
    queues: dict[str, tuple[set[str], set[str]]] = field(default_factory=dict)
    late_orders: set[str] = field(default_factory=set)


def dashboard_data(*, copies: int = 1) -> DashboardData:
    """``copies`` times the same pattern, so that a test can grow the data and compare."""
    now = timezone.now()
    data = DashboardData(now=now)
    queues: dict[str, tuple[set[str], set[str]]] = {
        "ready-for-handling": (set(), set()),
        "handling-not-invoiced": (set(), set()),
        "invoiced-without-tracking": (set(), set()),
        "past-delivery-date": (set(), set()),
        "commands-failed": (set(), set()),
        "imports-refused": (set(), set()),
    }
    ago = lambda hours: now - timedelta(hours=hours)  # noqa: E731
    future = now + timedelta(days=5)
    for _copy in range(copies):
        # Ready for handling: one for 30 h (limit 24 h), one for 2 h.
        late_rfh = OrderFactory(
            status="ready-for-handling", vtex_last_change=ago(30), estimated_delivery_at=future
        )
        fresh_rfh = OrderFactory(
            status="ready-for-handling", vtex_last_change=ago(2), estimated_delivery_at=future
        )
        queues["ready-for-handling"][0].update({late_rfh.vtex_order_id, fresh_rfh.vtex_order_id})
        queues["ready-for-handling"][1].add(late_rfh.vtex_order_id)
        # Handling, no invoice, for 50 h (limit 48 h); handling with an invoice is in no queue.
        late_handling = OrderFactory(
            status="handling", vtex_last_change=ago(50), estimated_delivery_at=future
        )
        queues["handling-not-invoiced"][0].add(late_handling.vtex_order_id)
        queues["handling-not-invoiced"][1].add(late_handling.vtex_order_id)
        invoiced_handling = OrderFactory(
            status="handling", vtex_last_change=ago(60), estimated_delivery_at=future
        )
        InvoiceFactory(order=invoiced_handling, issued_at=ago(1))
        # Invoiced without tracking: one since 30 h (limit 24 h), one since 3 h; one tracked.
        untracked_late = OrderFactory(
            status="invoiced", invoiced_at=ago(30), estimated_delivery_at=future
        )
        InvoiceFactory(order=untracked_late, tracking_number="", issued_at=ago(30))
        untracked = OrderFactory(
            status="invoiced", invoiced_at=ago(3), estimated_delivery_at=future
        )
        InvoiceFactory(order=untracked, tracking_number="", issued_at=ago(3))
        tracked = OrderFactory(status="invoiced", invoiced_at=ago(3), estimated_delivery_at=future)
        InvoiceFactory(order=tracked, issued_at=ago(3))
        queues["invoiced-without-tracking"][0].update(
            {untracked_late.vtex_order_id, untracked.vtex_order_id}
        )
        queues["invoiced-without-tracking"][1].add(untracked_late.vtex_order_id)
        # Past the estimated delivery (limit 0: all late): a tracked invoiced order not
        # delivered; a delivered one and a canceled one are not.
        overdue = OrderFactory(
            status="invoiced", invoiced_at=ago(80), estimated_delivery_at=ago(10)
        )
        InvoiceFactory(order=overdue, issued_at=ago(80))
        delivered = OrderFactory(
            status="invoiced", invoiced_at=ago(80), estimated_delivery_at=ago(10)
        )
        InvoiceFactory(order=delivered, issued_at=ago(80), delivered=True)
        OrderFactory(status="canceled", estimated_delivery_at=ago(10), vtex_last_change=ago(20))
        queues["past-delivery-date"][0].add(overdue.vtex_order_id)
        queues["past-delivery-date"][1].add(overdue.vtex_order_id)
        # Commands: one rejected 2 h ago (limit 1 h), one dead just now, one resolved.
        for key, state, finished, resolved in (
            ("rejected", CommandState.REJECTED, ago(2), None),
            ("dead", CommandState.DEAD, now, None),
            ("resolved", CommandState.REJECTED, ago(5), now),
        ):
            command = VtexCommand.objects.create(
                subject=late_rfh,
                source="admin",
                kind="refresh",
                key=f"{late_rfh.vtex_order_id}:{key}",
                state=state,
                finished_at=finished,
                resolved_at=resolved,
            )
            if resolved is None:
                queues["commands-failed"][0].add(command.key)
                if finished < now - timedelta(hours=1):
                    queues["commands-failed"][1].add(command.key)
        # Import batches: refused rows 6 h ago (limit 4 h) and just now count; a discarded one,
        # one of 10 days ago (kept 7 days) and one with no refused row do not.
        for number, (status, refused, hours) in enumerate(
            (
                (BatchStatus.IMPORTED, 2, 6),
                (BatchStatus.CHECKED, 1, 0),
                (BatchStatus.DISCARDED, 3, 1),
                (BatchStatus.NOTHING_IMPORTED, 1, 240),
                (BatchStatus.IMPORTED, 0, 1),
            )
        ):
            batch = ImportBatch.objects.create(
                kind="invoices",
                file_name=f"notas-{_copy}-{number}.csv",
                content=b"",
                status=status,
                refused_rows=refused,
                created_at=ago(hours),
            )
            if refused and status != BatchStatus.DISCARDED and hours < 7 * 24:
                queues["imports-refused"][0].add(batch.file_name)
                if hours > 4:
                    queues["imports-refused"][1].add(batch.file_name)
    data.queues = queues
    data.late_orders = set().union(
        *(late for key, (_members, late) in queues.items() if key not in NOT_ORDERS)
    )
    return data
