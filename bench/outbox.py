"""Outbox: one invoice per order queued through `invoice_submit` (what the admin's invoice
form calls), then delivered to the sandbox by worker processes as Celery's run them
(`commands_deliver`, batch after batch, each batch sent by VTEX_COMMAND_DELIVERY_THREADS
threads): with 2 processes clean and with faults on VTEX's write paths, then 1, 2 and 4
processes side by side with the same invoices sent straight through the client (POST +
GetOrder, no outbox, no database) by as many processes and threads: the floor; last, 4
processes against the sandbox's GetOrder limit at VTEX's rate, paced by the rate governor."""

from __future__ import annotations

import multiprocessing
import os
import time
import traceback
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from datetime import timedelta
from unittest.mock import patch

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connections, transaction
from django.test import override_settings
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
from vtex.governor import ORDERS_READ, RateLimit

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


# What issue 20 asks: the outbox within 10 % of the client alone at the same concurrency,
# and hundreds of commands a second from 4 worker processes.
TARGET_SHARE_OF_FLOOR = 0.9
TARGET_COMMANDS_PER_SECOND_4_PROCESSES = 500
TARGET_SQL_PER_COMMAND = 10
# Worker processes, as the Procfile's worker runs them (--concurrency=2), and the scaling.
WORKERS = 2
SCALING = (1, 2, 4)
# Every settled order is read again (GetOrder), and VTEX allows 6,000 GetOrder a minute: the
# governed run limits the sandbox and the governor to that rate over a 5 s window (500), so
# that the limit binds within the run; the governor's 3 % headroom is 150 ms of jitter.
GOVERNED_LIMIT = RateLimit(500, 5.0)
GOVERNED_PROCESSES = 4
GET_ORDER = "/api/oms/pvt/orders/"


def run(bench: Bench) -> Figures:
    clean, _per_second, _rate_limited = _run_once(bench, faults=None, processes=WORKERS)
    faulty, _per_second, _rate_limited = _run_once(bench, faults=FAULTS, processes=WORKERS)
    return [
        (
            "sending threads per worker process (VTEX_COMMAND_DELIVERY_THREADS)",
            str(settings.VTEX_COMMAND_DELIVERY_THREADS),
        ),
        *[(f"clean, {WORKERS} processes: {label}", value) for label, value in clean],
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
        *[(f"faults, {WORKERS} processes: {label}", value) for label, value in faulty],
        *_scaling(bench),
        *_governed(bench),
    ]


def _scaling(bench: Bench) -> Figures:
    """1, 2 and 4 worker processes, clean, each beside the client alone at the same
    concurrency (as many processes, each with as many threads as a worker sends with)."""
    threads = settings.VTEX_COMMAND_DELIVERY_THREADS
    figures: Figures = [
        (
            "scaling (clean; floor: POST + GetOrder straight from the client, "
            f"the same processes x {threads} threads, no outbox, no database)",
            "",
        )
    ]
    for processes in SCALING:
        floor = _direct_calls(bench, processes=processes, threads=threads)
        _figures, per_second, rate_limited = _run_once(bench, faults=None, processes=processes)
        share = per_second / floor
        verdicts = [
            f">= {TARGET_SHARE_OF_FLOOR:.1f}x floor"
            + ("" if share >= TARGET_SHARE_OF_FLOOR else ": MISSED")
        ]
        if processes == 4:
            verdicts.append(
                f">= {TARGET_COMMANDS_PER_SECOND_4_PROCESSES}/s"
                + ("" if per_second >= TARGET_COMMANDS_PER_SECOND_4_PROCESSES else ": MISSED")
            )
        figures.append(
            (
                f"  {processes} worker process{'es' if processes > 1 else ''}",
                f"{per_second:,.0f} commands/s; floor {floor:,.0f}/s; {share:.2f}x "
                f"(target {', '.join(verdicts)}); {rate_limited} x 429",
            )
        )
    return figures


def _governed(bench: Bench) -> Figures:
    """4 worker processes against the sandbox's GetOrder limit at VTEX's rate, governed as
    configured (the Redis of VTEX_RATE_LIMIT_REDIS_URL, shared by the processes; else each
    process keeps its quarter of the limit)."""
    limit = RateLimit(
        max(20, round(bench.scale * GOVERNED_LIMIT.requests)), GOVERNED_LIMIT.per_seconds
    )
    redis_url = os.environ.get("VTEX_RATE_LIMIT_REDIS_URL", "")
    faults = {
        "rate_limit_per_minute": limit.requests,
        "rate_limit_window_seconds": limit.per_seconds,
        "paths": [GET_ORDER],
        "methods": ["GET"],
    }
    governed = override_settings(
        VTEX_RATE_LIMITS={ORDERS_READ: limit},
        VTEX_RATE_LIMIT_REDIS_URL=redis_url,
        VTEX_RATE_LIMIT_PROCESSES=GOVERNED_PROCESSES,
    )
    _figures, per_second, rate_limited = _run_once(
        bench, faults=faults, processes=GOVERNED_PROCESSES, delivery_settings=governed
    )
    where = "Redis (VTEX_RATE_LIMIT_REDIS_URL)" if redis_url else "each process, 1/4 of it"
    allowed = limit.requests / limit.per_seconds
    return [
        (
            f"governed: {GOVERNED_PROCESSES} worker processes, the sandbox's GetOrder limit "
            f"{count(limit.requests)} per {limit.per_seconds:g} s "
            f"({limit.requests * 60 / limit.per_seconds:,.0f}/min; VTEX's: 6,000/min), "
            f"governor in {where}",
            f"{per_second:,.0f} commands/s (each settled order is read again: at most "
            f"{allowed:,.0f}/s); {rate_limited} x 429 (target 0)",
        )
    ]


def _rate_limited(bench: Bench) -> int:
    return len([call for call in bench.control.calls() if call["status"] == 429])


def _run_once(
    bench: Bench,
    *,
    faults: dict | None,
    processes: int,
    delivery_settings: override_settings | None = None,
) -> tuple[Figures, float, int]:
    """Queue one invoice per order (no delivery on commit), then deliver them the way
    ``processes`` workers do (``commands_deliver`` until nothing is open) and measure that
    phase; the figures, the commands delivered a second and the 429s VTEX answered."""
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
    with delivery_settings or nullcontext():
        delivery_seconds, runs, queries = _in_processes(processes, _deliver_everything)
    rate_limited = _rate_limited(bench)
    bench.control.clear_faults()
    amount = len(orders)
    figures = _figures(bench, orders)
    per_second = amount / delivery_seconds
    per_command = queries / amount
    return (
        [
            ("invoices queued (invoice_submit, one transaction each)", count(amount)),
            (
                "  queueing",
                f"{seconds(queueing.seconds)}, {queueing.queries / amount:.1f} SQL each",
            ),
            ("delivery (commands_deliver until none is open)", seconds(delivery_seconds)),
            (f"  delivery runs (a worker's task each; {processes} processes at once)", count(runs)),
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
            ("commands/s delivered", f"{per_second:,.0f}"),
            (
                "SQL statements per command delivered",
                f"{per_command:.1f} (target <= {TARGET_SQL_PER_COMMAND}"
                f"{'' if per_command <= TARGET_SQL_PER_COMMAND else ': MISSED'})",
            ),
            *figures,
        ],
        per_second,
        rate_limited,
    )


def _direct_calls(bench: Bench, *, processes: int, threads: int) -> float:
    """The same invoices sent straight through the client by ``processes`` processes of
    ``threads`` threads, with no outbox and no database: the floor the outbox's own cost
    stands on. Invoices a second."""
    orders = _orders_in_handling(bench, bench.scaled(ORDERS))
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

    def send(body: tuple) -> None:
        vtex_order_id, number, value, items = body
        client = vtex_client()
        client.send_invoice(
            vtex_order_id, number=number, value=value, issued_at=issued_at, items=items
        )
        client.get_order(vtex_order_id)

    def process_share(index: int) -> tuple[int, int]:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(send, bodies[index::processes]))
        return 0, 0

    elapsed, _runs, _queries = _in_processes(processes, process_share)
    invoices = bench.control.calls(method="POST", path_contains="/invoice")
    require(
        [call["status"] for call in invoices] == [200] * len(bodies),
        f"direct invoices: {_statuses(invoices)} for {len(bodies)}",
    )
    return len(bodies) / elapsed


def _orders_in_handling(bench: Bench, amount: int) -> list[Order]:
    """A fresh store with ``amount`` orders in handling, mirrored (by a backfill)."""
    bench.fresh_store()
    order_ids = bench.control.create_orders(amount, status="handling")
    now = timezone.now()
    order_backfill(since=now - timedelta(hours=1), until=now + timedelta(minutes=1))
    orders = list(Order.objects.filter(vtex_order_id__in=order_ids).order_by("pk"))
    require(len(orders) == amount, f"{len(orders)} of {amount} orders mirrored for the outbox")
    return orders


def _in_processes(processes: int, work) -> tuple[float, int, int]:
    """Run ``work(index)`` in ``processes`` forked processes at once, as worker processes
    of Celery's prefork pool; the seconds from their common start to the last one's end, and
    the sums of the (runs, SQL statements) they return."""
    context = multiprocessing.get_context("fork")
    # A forked child must not share the parent's database socket.
    connections.close_all()
    ready = context.Barrier(processes + 1)
    results = context.Queue()

    def child(index: int) -> None:
        code = 0
        try:
            ready.wait()
            results.put(work(index))
        except BaseException:
            traceback.print_exc()
            results.put(None)
            code = 1
        finally:
            connections.close_all()
            # The queue's feeder thread must hand the answer over before the exit.
            results.close()
            results.join_thread()
        os._exit(code)

    children = [context.Process(target=child, args=(index,)) for index in range(processes)]
    for process in children:
        process.start()
    ready.wait()
    started = time.perf_counter()
    answers = [results.get(timeout=DELIVERY_TIMEOUT_SECONDS) for _ in children]
    elapsed = time.perf_counter() - started
    for process in children:
        process.join()
    require(all(answer is not None for answer in answers), "a worker process failed")
    return elapsed, sum(runs for runs, _ in answers), sum(queries for _, queries in answers)


def _deliver_everything(_index: int) -> tuple[int, int]:
    """A worker process's deliveries until no command is open; how many ran and the SQL
    statements they sent."""
    deadline = time.monotonic() + DELIVERY_TIMEOUT_SECONDS
    runs = queries = 0
    # Only the deliveries' statements count: this loop's own look for open commands stands
    # for a worker waiting on its broker, which costs no SQL.
    while VtexCommand.objects.filter(state__in=OPEN_STATES).exists():
        require(time.monotonic() < deadline, "commands still open after the timeout")
        runs += 1
        with queries_counted() as counter:
            attempts = commands_deliver()
        queries += counter.count
        if not attempts:
            # Everything open waits for its backoff, a 429 pause or another worker.
            time.sleep(0.01)
    return runs, queries


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
