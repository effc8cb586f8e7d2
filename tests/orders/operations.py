"""Helpers of the operations tests. Their fixtures (``vtex_store``, ``login``) are in
tests/conftest.py, which pytest finds by itself: test modules request them by name and
never import them.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from django.contrib.messages import get_messages
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from orders.models import Actor, Order
from orders.services.actions import invoice_submit, order_refresh
from orders.services.imports import order_sync
from outbox.models import OPEN_STATES, CommandState, VtexCommand
from outbox.sweep import commands_sweep
from sandbox.control import SandboxControl

ORDER_LIST = reverse("admin:orders_order_changelist")
COMMAND_LIST = reverse("admin:outbox_vtexcommand_changelist")


def mirrored_orders(store: SandboxControl, count: int, *, status: str) -> list[Order]:
    """Orders created in the sandbox in ``status`` and imported into the mirror."""
    order_ids = store.create_orders(count, status=status)
    for order_id in order_ids:
        order_sync(vtex_order_id=order_id, source=Actor.FEED)
    return list(Order.objects.filter(vtex_order_id__in=order_ids).order_by("pk"))


def order_page(order: Order) -> str:
    return reverse("admin:orders_order_change", args=[order.pk])


def operation_url(order: Order, name: str) -> str:
    return reverse(f"admin:orders_order_op_{name.replace('-', '_')}", args=[order.pk])


def post_action(
    client: Client, action: str, objects: Iterable[Any], *, url: str = ORDER_LIST, **data: Any
) -> Any:
    return client.post(
        url, {"action": action, "_selected_action": [obj.pk for obj in objects], **data}
    )


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def invoice_form(
    order: Order, number: str, quantities: dict[int, int] | None = None, **fields: Any
) -> dict[str, Any]:
    """The invoice form as an operator fills it; ``quantities`` default to everything left."""
    from orders.selectors import order_invoicing_summary

    summary = order_invoicing_summary(order=order)
    left = (
        summary.unreturned_quantities if summary.fully_invoiced else summary.uninvoiced_quantities
    )
    data = {
        "invoice_type": "Input" if summary.fully_invoiced else "Output",
        "number": number,
        "key": "",
        "issued_at": timezone.now().strftime("%Y-%m-%d %H:%M:%S"),
        "url": "",
        "embedded_xml": "",
        "courier": "",
        "tracking_number": "",
        "tracking_url": "",
        "dispatched_at": "",
    }
    for item in order.items.all():
        chosen = (
            left.get(item.position, 0) if quantities is None else quantities.get(item.position, 0)
        )
        data[f"quantity_{item.position}"] = chosen
    data.update(fields)
    return data


def deliver_everything(*, timeout: float = 20.0) -> None:
    """Run the sweeper (eager delivery) until no command is left to send."""
    deadline = time.monotonic() + timeout
    while VtexCommand.objects.filter(state__in=OPEN_STATES).exists():
        if time.monotonic() > deadline:
            left = list(
                VtexCommand.objects.filter(state__in=OPEN_STATES).values_list(
                    "key", "state", "next_attempt_at", "last_error_message"
                )
            )
            raise AssertionError(f"commands still open after {timeout}s: {left[:10]}")
        report = commands_sweep()
        if not report.dispatched:
            time.sleep(0.02)


def sandbox_invoices(store: SandboxControl, order: Order) -> dict[str, dict[str, Any]]:
    return {entry["invoiceNumber"]: entry for entry in store.order(order.vtex_order_id)["invoices"]}


def command_states() -> dict[str, str]:
    return dict(VtexCommand.objects.values_list("key", "state"))


def succeeded(keys: Iterable[str]) -> bool:
    states = command_states()
    return all(states.get(key) == CommandState.SUCCEEDED for key in keys)


def refresh_then_invoice_with_lost_answer(
    store: SandboxControl, order: Order, *, xml: str, on_commit: Any
) -> None:
    """A refresh, then an invoice (with its NF-e XML) whose answer VTEX loses after applying
    it: the retry reads the order again (GetOrder, the whole customer profile) and finds the
    invoice there. ``on_commit`` is the test's ``django_capture_on_commit_callbacks``;
    everything is delivered on return."""
    with on_commit(execute=True), transaction.atomic():
        order_refresh(order=order, user=None)
    store.set_faults(
        rate_500=1.0,
        fail_after_apply=True,
        paths=[f"/api/oms/pvt/orders/{order.vtex_order_id}/invoice"],
        methods=["POST"],
    )
    with on_commit(execute=True), transaction.atomic():
        invoice_submit(
            order=order, user=None, number="NF1", issued_at=timezone.now(), embedded_xml=xml
        )
    store.clear_faults()
    deliver_everything()
