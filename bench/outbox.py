"""Outbox: one invoice per order queued through `invoice_submit` (what the admin's invoice
form calls), then delivered to the sandbox as a worker delivers them (`commands_deliver`,
batch after batch), once clean and once with faults on VTEX's write paths; beside them, the
same invoices sent straight through the client with no outbox and no database."""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from unittest.mock import patch

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections, transaction
from django.utils import timezone

from bench.harness import (
    Bench,
    Figures,
    count,
    measured,
    queries_counted,
    require,
    seconds,
    tally,
)
from core.vtex import vtex_client
from orders.models import Order
from orders.operations.invoice import InvoiceRequest, invoice_submit
from orders.services.backfill import order_backfill
from outbox import enqueue
from outbox.delivery import commands_deliver
from outbox.models import OPEN_STATES, CommandAttempt, VtexCommand

ORDERS = 500
# 500s come after VTEX applied the invoice (a lost answer: the hard case for exactly-once);
# 429s before. Retry-After is short so the run stays short.
FAULTS = {
    "rate_500": 0.3,
    "rate_429": 0.1,
    "retry_after": 0.05,
    "fail_after_apply": True,
    "paths": ["/api/oms/pvt/orders/"],
    "methods": ["POST"],
}
DELIVERY_TIMEOUT_SECONDS = 300.0


# What issue 8 asks of the delivery engine on PostgreSQL with the in-process sandbox.
TARGET_COMMANDS_PER_SECOND = 100
TARGET_SQL_PER_COMMAND = 10
# Deliveries at once, as the Procfile's worker runs them (--concurrency=2).
WORKERS = 2


def run(bench: Bench) -> Figures:
    clean = _run_once(bench, faults=None)
    faulty = _run_once(bench, faults=FAULTS)
    direct = _direct_calls(bench)
    return [
        *[(f"clean: {label}", value) for label, value in clean],
        (
            "faults",
            f"{FAULTS['rate_500']:.0%} 500 (after the write took effect) + "
            f"{FAULTS['rate_429']:.0%} 429 (Retry-After {FAULTS['retry_after']} s) "
            "on POST /api/oms/pvt/orders/...",
        ),
        (
            "faults: retry backoff (bench setting)",
            f"{settings.VTEX_COMMAND_BACKOFF_SECONDS * 1000:.0f} ms doubling to "
            f"{settings.VTEX_COMMAND_BACKOFF_MAX_SECONDS * 1000:.0f} ms "
            "(deployed default: 10 s doubling to 15 min)",
        ),
        *[(f"faults: {label}", value) for label, value in faulty],
        *direct,
    ]


def _run_once(bench: Bench, *, faults: dict | None) -> Figures:
    """Queue one invoice per order (no delivery on commit), then deliver them the way a
    worker does (``commands_deliver`` until nothing is open) and measure that phase."""
    orders = _orders_in_handling(bench, bench.scaled(ORDERS))
    operator, _ = get_user_model().objects.get_or_create(
        username="bench-operator", defaults={"is_staff": True, "is_superuser": True}
    )
    issued_at = timezone.now()
    with measured() as queueing, patch.object(enqueue, "command_dispatch", lambda **_: None):
        for order in orders:
            with transaction.atomic():
                invoice_submit(
                    InvoiceRequest(order=order, number=f"NF{order.pk}", issued_at=issued_at),
                    user=operator,
                )
    bench.control.clear_calls()
    if faults:
        bench.control.set_faults(**faults)
    with measured() as delivery:
        runs, queries = _deliver_everything()
    rate_limited = len(
        [call for call in bench.control.calls(method="POST") if call["status"] == 429]
    )
    bench.control.clear_faults()
    amount = len(orders)
    figures = _figures(bench, orders)
    per_second = amount / delivery.seconds
    per_command = (delivery.queries + queries) / amount
    return [
        ("invoices queued (invoice_submit, one transaction each)", count(amount)),
        ("  queueing", f"{seconds(queueing.seconds)}, {queueing.queries / amount:.1f} SQL each"),
        ("delivery (commands_deliver until none is open)", seconds(delivery.seconds)),
        (f"  delivery runs (a worker's task each; {WORKERS} workers at once)", count(runs)),
        *(
            [
                (
                    "  of which VTEX's 429s asked to wait (Retry-After, summed)",
                    f"{seconds(rate_limited * faults['retry_after'])}: nothing may go out then",
                )
            ]
            if faults and rate_limited
            else []
        ),
        (
            "commands/s delivered",
            f"{per_second:,.0f} (target >= {TARGET_COMMANDS_PER_SECOND}"
            f"{'' if per_second >= TARGET_COMMANDS_PER_SECOND else ': MISSED'})",
        ),
        (
            "SQL statements per command delivered",
            f"{per_command:.1f} (target <= {TARGET_SQL_PER_COMMAND}"
            f"{'' if per_command <= TARGET_SQL_PER_COMMAND else ': MISSED'})",
        ),
        *figures,
    ]


def _direct_calls(bench: Bench) -> Figures:
    """The same invoices sent straight through the client, with no outbox and no database:
    the floor the outbox's own cost stands on."""
    orders = _orders_in_handling(bench, bench.scaled(ORDERS))
    client = vtex_client()
    issued_at = timezone.now()
    bodies = [
        (
            order.vtex_order_id,
            f"NF{order.pk}",
            order.value,
            [
                {"id": item.sku_id, "price": item.invoice_unit_price, "quantity": item.quantity}
                for item in order.items.all()
            ],
        )
        for order in orders
    ]
    with measured() as direct:
        for vtex_order_id, number, value, items in bodies:
            client.send_invoice(
                vtex_order_id, number=number, value=value, issued_at=issued_at, items=items
            )
            client.get_order(vtex_order_id)
    return [
        (
            "side by side: the same invoices, POST + GetOrder straight from the client, "
            "no outbox, no database",
            f"{seconds(direct.seconds)}, {len(bodies) / direct.seconds:,.0f} invoices/s",
        )
    ]


def _orders_in_handling(bench: Bench, amount: int) -> list[Order]:
    """A fresh store with ``amount`` orders in handling, mirrored (by a backfill)."""
    bench.fresh_store()
    order_ids = bench.control.create_orders(amount, status="handling")
    now = timezone.now()
    order_backfill(since=now - timedelta(hours=1), until=now + timedelta(minutes=1))
    orders = list(Order.objects.filter(vtex_order_id__in=order_ids).order_by("pk"))
    require(len(orders) == amount, f"{len(orders)} of {amount} orders mirrored for the outbox")
    return orders


def _deliver_everything() -> tuple[int, int]:
    """Run deliveries as the Procfile's worker does (``WORKERS`` at once, each with its own
    database connection) until no command is open; return how many ran and the SQL
    statements they sent."""
    deadline = time.monotonic() + DELIVERY_TIMEOUT_SECONDS

    def worker() -> tuple[int, int]:
        runs = queries = 0
        try:
            # Only the deliveries' statements count: this loop's own look for open commands
            # stands for a worker waiting on its broker, which costs no SQL.
            while VtexCommand.objects.filter(state__in=OPEN_STATES).exists():
                require(time.monotonic() < deadline, "commands still open after the timeout")
                runs += 1
                with queries_counted() as counter:
                    attempts = commands_deliver()
                queries += counter.count
                if not attempts:
                    # Everything open waits for its backoff, a 429 pause or the other worker.
                    time.sleep(0.01)
            return runs, queries
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        done = [future.result() for future in [pool.submit(worker) for _ in range(WORKERS)]]
    return sum(runs for runs, _ in done), sum(queries for _, queries in done)


def _figures(bench: Bench, orders: list[Order]) -> Figures:
    """Check exactly-once delivery; the figures of what was sent and where orders ended."""
    commands = VtexCommand.objects.filter(kind="invoice", order__in=orders)
    states = Counter(commands.values_list("state", flat=True))
    outcomes = Counter(
        CommandAttempt.objects.filter(command__in=commands).values_list("outcome", flat=True)
    )
    posts = bench.control.calls(method="POST", path_contains="/invoice")
    rereads = [
        call
        for call in bench.control.calls(method="GET", path_contains="/api/oms/pvt/orders/")
        if call["path"] != "/api/oms/pvt/orders"
    ]
    invoices_per_order: Counter[int] = Counter()
    receipts_per_invoice: Counter[int] = Counter()
    store_statuses: Counter[str] = Counter()
    for order in orders:
        record = bench.control.order(order.vtex_order_id)
        invoices_per_order[len(record["invoices"])] += 1
        for invoice in record["invoices"]:
            receipts_per_invoice[len(invoice["receipts"])] += 1
        store_statuses[record["order"]["status"]] += 1
    mirror_statuses = Counter(
        Order.objects.filter(pk__in=[order.pk for order in orders]).values_list("status", flat=True)
    )
    amount = len(orders)
    require(commands.count() == amount, f"{commands.count()} invoice commands for {amount} orders")
    require(states == {"succeeded": amount}, f"command states: {tally(states)}")
    require(invoices_per_order == {1: amount}, f"invoices per order: {tally(invoices_per_order)}")
    require(
        receipts_per_invoice == {1: amount}, f"receipts per invoice: {tally(receipts_per_invoice)}"
    )
    return [
        ("delivery attempts by outcome", tally(outcomes)),
        ("invoice POSTs the sandbox received", f"{count(len(posts))} ({_statuses(posts)})"),
        ("GetOrder re-reads", count(len(rereads))),
        ("invoices the sandbox holds per order", f"exactly 1 for all {count(amount)} orders"),
        ("receipts per invoice (a resent invoice adds one)", f"exactly 1 for {count(amount)}"),
        ("final command states", tally(states)),
        ("final order status (sandbox)", tally(store_statuses)),
        ("final order status (mirror)", tally(mirror_statuses)),
    ]


def _statuses(calls: list[dict]) -> str:
    return ", ".join(
        f"{status}: {count(amount)}"
        for status, amount in sorted(Counter(call["status"] for call in calls).items(), key=str)
    )
