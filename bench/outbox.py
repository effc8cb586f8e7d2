"""Outbox: one invoice per order queued through `invoice_submit` (what the admin's invoice
form calls) and delivered to the sandbox, once clean and once with faults on VTEX's write
paths. Delivery runs as the tests run it: Celery in eager mode delivers each command when
its transaction commits, then the sweeper (`commands_sweep`) hands out the retries."""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from backoffice.celery import app as celery_app
from bench.harness import Bench, Figures, count, measured, rate, require, seconds, tally
from orders.models import CommandAttempt, CommandKind, Order, VtexCommand
from orders.models.commands import OPEN_STATES
from orders.services.actions import invoice_submit
from orders.services.backfill import order_backfill
from orders.services.commands import commands_sweep

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


def run(bench: Bench) -> Figures:
    saved = (celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates)
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    try:
        clean = _run_once(bench, faults=None)
        faulty = _run_once(bench, faults=FAULTS)
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = saved
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
    ]


def _run_once(bench: Bench, *, faults: dict | None) -> Figures:
    orders = _orders_in_handling(bench, bench.scaled(ORDERS))
    operator, _ = get_user_model().objects.get_or_create(
        username="bench-operator", defaults={"is_staff": True, "is_superuser": True}
    )
    bench.control.clear_calls()
    if faults:
        bench.control.set_faults(**faults)
    issued_at = timezone.now()

    with measured() as measurement:
        started = time.perf_counter()
        for order in orders:
            invoice_submit(order=order, user=operator, number=f"NF{order.pk}", issued_at=issued_at)
        submitting = time.perf_counter() - started
        sweeps = _deliver_everything()

    bench.control.clear_faults()
    figures = _figures(bench, orders, measurement.queries, sweeps)
    amount = len(orders)
    return [
        ("invoices queued (invoice_submit)", count(amount)),
        ("wall time (queue + deliver)", seconds(measurement.seconds)),
        ("  submit loop (each commit delivers eagerly)", seconds(submitting)),
        ("  sweeper until nothing is open (retries)", seconds(measurement.seconds - submitting)),
        ("commands/s", rate(amount, measurement.seconds)),
        *figures,
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


def _deliver_everything() -> int:
    """Run the sweeper until no command is open; return how many sweeps handed some out."""
    deadline = time.monotonic() + DELIVERY_TIMEOUT_SECONDS
    sweeps = 0
    while VtexCommand.objects.filter(state__in=OPEN_STATES).exists():
        require(time.monotonic() < deadline, "commands still open after the delivery timeout")
        if commands_sweep().dispatched:
            sweeps += 1
        else:
            time.sleep(0.01)
    return sweeps


def _figures(bench: Bench, orders: list[Order], queries: int, sweeps: int) -> Figures:
    """Check exactly-once delivery; the figures of what was sent and where orders ended."""
    commands = VtexCommand.objects.filter(kind=CommandKind.INVOICE)
    states = Counter(commands.values_list("state", flat=True))
    outcomes = Counter(CommandAttempt.objects.values_list("outcome", flat=True))
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
        ("sweeps that handed commands out", count(sweeps)),
        ("invoice POSTs the sandbox received", f"{count(len(posts))} ({_statuses(posts)})"),
        ("GetOrder re-reads", count(len(rereads))),
        ("SQL queries per command", f"{queries / amount:.1f}"),
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
