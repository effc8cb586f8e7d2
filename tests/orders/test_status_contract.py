"""orders/status.py against the sandbox's workflow, the executable copy of VTEX's rules.

For every status VTEX may send (each one the sandbox can put an order in), an order in that
status meets each operation through the real client: the sandbox must accept it exactly
where `status_allows` says the back office may send it, so the two tables cannot drift.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from core.vtex import vtex_client
from orders.status import Action, OrderStatus, status_allows, status_choices
from sandbox.model import TRANSIENT_STATUSES as SANDBOX_TRANSIENT_STATUSES
from vtex import VtexClient, VtexRejected

DISCOUNT = 100
# What the sandbox answers when the order's status refuses the operation (anything else, a
# malformed request for one, would be no proof of a status rule).
STATUS_REFUSALS = {
    Action.START_HANDLING: {(409, "OMS003")},
    Action.INVOICE: {(400, "SBX-INVOICE-STATUS")},
    Action.CHANGE: {(400, "SBX-CHANGE-STATUS")},
    Action.CANCEL: {(400, "SBX-CANCEL-STATUS"), (400, "SBX-CANCEL-INVOICED")},
}


@pytest.fixture
def client(vtex_sandbox) -> VtexClient:
    return vtex_client()


def order_in(store, status: str) -> str:
    """A sandbox order in ``status``: created there, or forced there when it is transient
    (the control API creates orders in stable statuses only; a forced one stays, stuck)."""
    if status in SANDBOX_TRANSIENT_STATUSES:
        (order_id,) = store.create_orders(1, status="handling")
        store.set_status(order_id, status)
    else:
        (order_id,) = store.create_orders(1, status=status)
    assert store.order(order_id)["order"]["status"] == status
    return order_id


def invoice_items(document: dict) -> list[dict]:
    return [
        {"id": item["id"], "price": item["sellingPrice"], "quantity": item["quantity"]}
        for item in document["items"]
    ]


def send_full_invoice(client: VtexClient, order_id: str, number: str) -> None:
    document = client.get_order(order_id)
    client.send_invoice(
        order_id,
        number=number,
        value=document["value"],
        issued_at=date(2026, 11, 27),
        items=invoice_items(document),
    )


def attempt(client: VtexClient, order_id: str, action: Action) -> None:
    if action is Action.START_HANDLING:
        client.start_handling(order_id)
    elif action is Action.INVOICE:
        send_full_invoice(client, order_id, "NF-CONTRACT")
    elif action is Action.CHANGE:
        client.register_change(
            order_id, request_id="contract-1", reason="Desconto", discount_value=DISCOUNT
        )
    else:
        client.cancel_order(order_id, reason="Conferência do contrato")


@pytest.mark.parametrize("action", list(STATUS_REFUSALS), ids=str)
@pytest.mark.parametrize("status", [status.value for status in OrderStatus])
def test_the_sandbox_accepts_an_operation_exactly_where_status_py_allows_it(
    client, vtex_sandbox, status, action
):
    order_id = order_in(vtex_sandbox, status)
    before = client.get_order(order_id)

    try:
        attempt(client, order_id, action)
    except VtexRejected as refusal:
        assert (refusal.status, refusal.code) in STATUS_REFUSALS[action], refusal
        assert not status_allows(status, action), (
            f"status.py allows {action} in {status}, the sandbox refuses it: {refusal}"
        )
        after = client.get_order(order_id)
        assert (after["status"], after["value"]) == (before["status"], before["value"])
        return

    assert status_allows(status, action), f"the sandbox accepts {action} in {status}"
    after = client.get_order(order_id)
    if action is Action.START_HANDLING:
        assert after["status"] == OrderStatus.HANDLING
    elif action is Action.INVOICE:
        assert after["status"] == OrderStatus.INVOICED
    elif action is Action.CHANGE:
        assert after["value"] == before["value"] - DISCOUNT
    else:
        # VTEX cancels a ready-for-handling/handling order in two steps: the first call
        # leaves it cancellation-requested; the sandbox cancels at once.
        assert after["status"] in (OrderStatus.CANCELED, OrderStatus.CANCELLATION_REQUESTED)


def partially_invoiced(client, store, status: str) -> tuple[str, str]:
    (order_id,) = store.create_orders(1, status=status)
    document = client.get_order(order_id)
    client.send_invoice(
        order_id,
        number="NF-PART",
        value=document["value"] - DISCOUNT,
        issued_at=date(2026, 11, 27),
        items=invoice_items(document)[:1],
    )
    return order_id, "NF-PART"


def invoicing(client, store) -> tuple[str, str]:
    """Fully invoiced, still in `invoice` (VTEX verifies the invoice for a few seconds)."""
    store.set_options(transition_delay=600)
    (order_id,) = store.create_orders(1, status="handling")
    send_full_invoice(client, order_id, "NF-FULL")
    return order_id, "NF-FULL"


def invoiced(client, store) -> tuple[str, str]:
    (order_id,) = store.create_orders(1, status="invoiced")
    package = client.get_order(order_id)["packageAttachment"]["packages"][0]
    return order_id, package["invoiceNumber"]


# Every way the sandbox's own workflow leaves an order holding an invoice it can ship (a
# canceled order, after a return of its whole value, ships nothing).
WITH_AN_INVOICE = {
    "ready-for-handling": lambda client, store: partially_invoiced(
        client, store, "ready-for-handling"
    ),
    "handling": lambda client, store: partially_invoiced(client, store, "handling"),
    "invoice": invoicing,
    "invoiced": invoiced,
}


@pytest.mark.parametrize("status", list(WITH_AN_INVOICE))
def test_tracking_is_allowed_wherever_an_invoice_can_exist(client, vtex_sandbox, status):
    order_id, number = WITH_AN_INVOICE[status](client, vtex_sandbox)
    assert client.get_order(order_id)["status"] == status

    client.update_invoice_tracking(order_id, number, tracking_number="BR123456789")

    assert status_allows(status, Action.TRACKING)
    package = next(
        p
        for p in client.get_order(order_id)["packageAttachment"]["packages"]
        if p["invoiceNumber"] == number
    )
    assert package["trackingNumber"] == "BR123456789"


def test_every_status_that_allows_invoicing_allows_tracking():
    for status in OrderStatus:
        if status_allows(status, Action.INVOICE):
            assert status_allows(status, Action.TRACKING), status


@pytest.mark.parametrize("language", ["pt-br", "en"])
def test_no_two_statuses_share_a_label(language):
    # The status filter lists labels: two alike would be two lines that look the same.
    with translation.override(language):
        labels = [str(label) for _status, label in status_choices()]
    assert len(set(labels)) == len(labels), sorted(
        label for label in labels if labels.count(label) > 1
    )
