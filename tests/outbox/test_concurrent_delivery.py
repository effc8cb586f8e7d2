"""A claimed batch sent by several threads at once (``VTEX_COMMAND_DELIVERY_THREADS``): each
order's commands still go out one at a time and in the order they were made, each reaches
VTEX once, and one command's unexpected error neither loses nor repeats the others. The
PostgreSQL twin runs two workers side by side, each sending with its own threads.

What is checked is what VTEX (the sandbox) received and what the outbox's rows say.
"""

import threading
import time
from collections import Counter, defaultdict

import pytest
from django.db import connections, transaction
from django.utils import timezone

from orders.command_kinds import Invoice, TrackingNumber
from orders.operations.invoice import InvoiceRequest, invoice_submit
from orders.operations.tracking import invoice_tracking_set
from outbox import enqueue
from outbox.delivery import commands_deliver
from outbox.models import OPEN_STATES, CommandAttempt, CommandState, VtexCommand
from tests.orders.operations import mirrored_orders, sandbox_invoices

THREADS = 4
WRITES = {"paths": ["/api/oms/pvt/orders/"], "methods": ["POST", "PATCH"]}


@pytest.fixture(autouse=True)
def _sending_threads(settings):
    settings.VTEX_COMMAND_DELIVERY_THREADS = THREADS


class InFlight:
    """Wraps the kinds' ``send``: which commands are on their way to VTEX at each moment."""

    def __init__(self, monkeypatch, kinds, *, hold: float = 0.03) -> None:
        self.lock = threading.Lock()
        self.by_order: Counter[int] = Counter()
        self.overlapping_in_one_order = 0
        self.most_at_once = 0
        self.sent: dict[int, list[str]] = defaultdict(list)
        for kind in kinds:
            monkeypatch.setattr(kind, "send", self._wrap(kind.send, hold))

    def _wrap(self, send, hold):
        def wrapped(kind, command, client):
            order = command.subject_id
            with self.lock:
                self.by_order[order] += 1
                if self.by_order[order] > 1:
                    self.overlapping_in_one_order += 1
                self.most_at_once = max(self.most_at_once, sum(self.by_order.values()))
                self.sent[order].append(command.key)
            try:
                # Long enough for the batch's other threads to start meanwhile.
                time.sleep(hold)
                return send(kind, command, client)
            finally:
                with self.lock:
                    self.by_order[order] -= 1

        return wrapped


def invoices_with_tracking(orders) -> dict[int, list[str]]:
    """An invoice, then its tracking number, for each order; their keys in creation order."""
    keys: dict[int, list[str]] = {}
    for order in orders:
        with transaction.atomic():
            invoice = invoice_submit(
                InvoiceRequest(order=order, number=f"NF{order.pk}", issued_at=timezone.now()),
                user=None,
            ).command
            tracking = invoice_tracking_set(
                order=order,
                user=None,
                invoice_number=f"NF{order.pk}",
                tracking_number=f"BR{order.pk}",
            ).command
        keys[order.pk] = [invoice.key, tracking.key]
    return keys


def deliver_everything(*, timeout: float = 30.0) -> None:
    """Deliveries, as a worker runs them, until no command is open (failed ones wait for
    their backoff of a few milliseconds)."""
    deadline = time.monotonic() + timeout
    while VtexCommand.objects.filter(state__in=OPEN_STATES).exists():
        assert time.monotonic() < deadline, f"commands still open after {timeout} s"
        if not commands_deliver():
            time.sleep(0.01)


def assert_each_received_once(store, orders) -> None:
    for order in orders:
        received = sandbox_invoices(store, order)
        assert list(received) == [f"NF{order.pk}"]
        # One receipt from the invoice, one from its tracking number: a resend adds one.
        assert len(received[f"NF{order.pk}"]["receipts"]) == 2
        assert received[f"NF{order.pk}"]["trackingNumber"] == f"BR{order.pk}"
        calls = store.calls(path_contains=order.vtex_order_id)
        writes = [(c["method"], c["status"]) for c in calls if c["method"] in ("POST", "PATCH")]
        # A 429 comes before the write takes effect; every other write took effect (the
        # injected 500s come after it): exactly the invoice, then its tracking.
        assert [method for method, status in writes if status != 429] == ["POST", "PATCH"], writes


@pytest.mark.django_db
def test_one_batch_goes_out_at_once_and_each_order_stays_first_in_first_out(
    vtex_store, monkeypatch
):
    orders = mirrored_orders(vtex_store, 8, status="handling")
    keys = invoices_with_tracking(orders)
    in_flight = InFlight(monkeypatch, [Invoice, TrackingNumber], hold=0.1)

    deliver_everything()

    # Several commands on their way together (up to THREADS), never two of one order.
    assert 1 < in_flight.most_at_once <= THREADS
    assert in_flight.overlapping_in_one_order == 0
    assert dict(in_flight.sent) == keys
    assert set(VtexCommand.objects.values_list("state", flat=True)) == {CommandState.SUCCEEDED}
    assert_each_received_once(vtex_store, orders)


@pytest.mark.django_db
def test_under_faults_each_command_reaches_vtex_once_and_in_order(vtex_store, monkeypatch):
    orders = mirrored_orders(vtex_store, 12, status="handling")
    keys = invoices_with_tracking(orders)
    in_flight = InFlight(monkeypatch, [Invoice, TrackingNumber], hold=0)
    # Lost answers of writes that took effect (the retry must read, not resend), and 429s.
    vtex_store.set_faults(
        rate_500=0.3, rate_429=0.1, retry_after=0.02, fail_after_apply=True, **WRITES
    )

    deliver_everything(timeout=60)

    assert set(VtexCommand.objects.values_list("state", flat=True)) == {CommandState.SUCCEEDED}
    outcomes = set(CommandAttempt.objects.values_list("outcome", flat=True))
    assert {"failed", "already-applied"} <= outcomes
    assert in_flight.overlapping_in_one_order == 0
    for order in orders:
        # Sends in creation order (a command resent after a 429 repeats itself, never jumps).
        assert list(dict.fromkeys(in_flight.sent[order.pk])) == keys[order.pk]
    assert_each_received_once(vtex_store, orders)


@pytest.mark.django_db
def test_a_429_stops_the_batch_commands_not_yet_started(vtex_store):
    orders = mirrored_orders(vtex_store, 12, status="handling")
    invoices_with_tracking(orders)
    vtex_store.set_faults(rate_429=1.0, retry_after=5, **WRITES)

    commands_deliver()

    # Only what was already on its way when the first 429 came back reached VTEX.
    posts = vtex_store.calls(method="POST", path_contains="/invoice")
    assert 1 <= len(posts) <= THREADS
    assert {call["status"] for call in posts} == {429}
    invoices = VtexCommand.objects.filter(kind="invoice")
    assert set(invoices.values_list("state", flat=True)) == {CommandState.PENDING}
    assert set(invoices.values_list("attempts", flat=True)) == {0}


@pytest.mark.django_db
def test_an_unexpected_error_in_one_thread_loses_and_repeats_nothing(vtex_store, monkeypatch):
    orders = mirrored_orders(vtex_store, 6, status="handling")
    invoices_with_tracking(orders)
    unlucky = orders[2]
    real_send = Invoice.send
    raised = []

    def send_then_break(kind, command, client):
        answer = real_send(kind, command, client)
        if command.subject_id == unlucky.pk and not raised:
            # VTEX took the invoice; its answer then broke something in our code.
            raised.append(command.key)
            raise RuntimeError("an answer nobody expected")
        return answer

    monkeypatch.setattr(Invoice, "send", send_then_break)

    commands_deliver()

    failed = VtexCommand.objects.get(kind="invoice", order=unlucky)
    assert (failed.state, failed.needs_verification) == (CommandState.RETRYING, True)
    assert failed.last_error_code == "RuntimeError"
    others = VtexCommand.objects.filter(kind="invoice").exclude(pk=failed.pk)
    assert set(others.values_list("state", flat=True)) == {CommandState.SUCCEEDED}

    deliver_everything()

    # The broken one was read back (already applied), not sent again.
    assert list(failed.attempt_log.values_list("outcome", flat=True).order_by("pk")) == [
        "failed",
        "already-applied",
    ]
    assert_each_received_once(vtex_store, orders)


@pytest.mark.django_db(transaction=True)
def test_two_workers_on_postgresql_deliver_each_command_once_in_order(
    require_postgres, vtex_store, monkeypatch
):
    # The workers below take every command; none is delivered inline on commit.
    monkeypatch.setattr(enqueue, "command_dispatch", lambda **_: None)
    orders = mirrored_orders(vtex_store, 24, status="handling")
    keys = invoices_with_tracking(orders)
    in_flight = InFlight(monkeypatch, [Invoice, TrackingNumber], hold=0.01)
    vtex_store.set_faults(rate_500=0.2, retry_after=0.02, fail_after_apply=True, **WRITES)
    errors: list[BaseException] = []

    def worker() -> None:
        # As a Celery worker process would: its own connection, deliveries until none is open.
        try:
            deliver_everything(timeout=60)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=worker) for _ in range(2)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()

    assert not errors, errors
    assert set(VtexCommand.objects.values_list("state", flat=True)) == {CommandState.SUCCEEDED}
    assert in_flight.overlapping_in_one_order == 0
    for order in orders:
        assert list(dict.fromkeys(in_flight.sent[order.pk])) == keys[order.pk]
    assert_each_received_once(vtex_store, orders)
