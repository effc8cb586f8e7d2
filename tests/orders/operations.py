"""Helpers of the operations tests. Their fixtures (``vtex_store``, ``login``) are in
tests/conftest.py, which pytest finds by itself: test modules request them by name and
never import them.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from typing import Any

from django.contrib.messages import get_messages
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.actor import Actor
from orders.models import Order
from orders.operations.invoice import InvoiceRequest, invoice_submit
from orders.operations.refresh import order_refresh
from orders.services.mirror import order_sync
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
    from orders.selectors.invoicing import order_invoicing_summary

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
            InvoiceRequest(order=order, number="NF1", issued_at=timezone.now(), embedded_xml=xml),
            user=None,
        )
    store.clear_faults()
    deliver_everything()


# --- The order change form, as an operator works it (issue 11) ---------------------------------


def change_form(client, order, **fields):
    """The change form as shown (its one-time token), filled with ``fields``."""
    page = client.get(operation_url(order, "change")).content.decode()
    token = re.search(r'name="request_id" value="([0-9a-f]{32})"', page)
    assert token, page[:3000]
    data = {
        "request_id": token.group(1),
        "reason": "Falta de estoque",
        "discount_value": "",
        "increment_value": "",
        "confirmation": "",
        **{f"remove_{item.position}": "0" for item in order.items.all()},
        "replaced-TOTAL_FORMS": "1",
        "replaced-INITIAL_FORMS": "0",
        "added-TOTAL_FORMS": "2",
        "added-INITIAL_FORMS": "0",
    }
    data.update(fields)
    return data


def preview(client, order, data):
    response = client.post(operation_url(order, "change"), data)
    assert response.status_code == 200
    return response


def confirmed(client, order, data, previewed, on_commit):
    """Press "Confirm change" on the preview page ``previewed``."""
    signed = re.search(r'name="confirmation" value="([^"]+)"', previewed.content.decode())
    assert signed, form_errors(previewed)
    with on_commit(execute=True):
        return client.post(
            operation_url(order, "change"),
            {**data, "confirmation": signed.group(1), "confirm": "Confirm change"},
        )


def form_errors(response) -> str:
    form = response.context["form"]
    return " ".join([*form.non_field_errors(), *(e for f in form for e in f.errors)])
