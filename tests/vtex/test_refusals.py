"""Each refusal of VTEX's order state machine reaches the caller as a typed error with VTEX's
code, and leaves the order as it was."""

from datetime import UTC, datetime

import pytest

from tests.vtex.support import invoice_items, new_order, vtex_calls
from vtex import VtexNotFound, VtexRejected


def _invoice(client, order_id, number, value, *, kind="Output"):
    document = client.get_order(order_id)
    return client.send_invoice(
        order_id,
        invoice_type=kind,
        number=number,
        value=value,
        issued_at=datetime(2024, 5, 2, tzinfo=UTC),
        items=invoice_items(document),
    )


@pytest.mark.parametrize("status", ["handling", "payment-pending", "canceled", "invoiced"])
def test_start_handling_outside_ready_for_handling_is_oms003(client, sandbox, status):
    order_id = new_order(sandbox, status=status)

    with pytest.raises(VtexRejected) as caught:
        client.start_handling(order_id)

    assert (caught.value.status, caught.value.code) == (409, "OMS003")
    assert "ready-for-handling" in str(caught.value)
    assert sandbox.order(order_id)["order"]["status"] == status
    # A write is never retried by the client.
    assert sandbox.order(order_id)["start_handling_calls"] == 1


def test_invoice_above_the_uninvoiced_amount_is_refused(client, sandbox):
    order_id = new_order(sandbox, status="handling")
    value = client.get_order(order_id)["value"]
    _invoice(client, order_id, "NF-1", value - 100)

    with pytest.raises(VtexRejected) as caught:
        _invoice(client, order_id, "NF-2", 101)

    assert (caught.value.status, caught.value.code) == (400, "SBX-OVER-INVOICE")
    assert [i["invoiceNumber"] for i in sandbox.order(order_id)["invoices"]] == ["NF-1"]
    assert client.get_order(order_id)["status"] == "handling"


def test_return_invoice_before_the_order_is_fully_invoiced_is_refused(client, sandbox):
    order_id = new_order(sandbox, status="handling")
    value = client.get_order(order_id)["value"]
    _invoice(client, order_id, "NF-1", value // 2)

    with pytest.raises(VtexRejected) as caught:
        _invoice(client, order_id, "DEV-1", value // 2, kind="Input")

    assert (caught.value.status, caught.value.code) == (400, "SBX-INPUT-BEFORE-INVOICED")
    assert [i["type"] for i in sandbox.order(order_id)["invoices"]] == ["Output"]


@pytest.mark.parametrize("share", [0.5, 1.0], ids=["partially", "fully"])
def test_cancel_after_an_invoice_is_refused(client, sandbox, share):
    order_id = new_order(sandbox, status="handling")
    value = client.get_order(order_id)["value"]
    _invoice(client, order_id, "NF-1", int(value * share))
    status_before = client.get_order(order_id)["status"]

    with pytest.raises(VtexRejected) as caught:
        client.cancel_order(order_id, reason="Cliente desistiu")

    assert (caught.value.status, caught.value.code) == (400, "SBX-CANCEL-INVOICED")
    assert client.get_order(order_id)["status"] == status_before != "canceled"
    assert sandbox.order(order_id)["cancel_calls"] == 1


def test_tracking_for_an_invoice_that_does_not_exist_is_not_found(client, sandbox):
    order_id = new_order(sandbox, status="handling")

    with pytest.raises(VtexNotFound) as caught:
        client.update_invoice_tracking(order_id, "NF-404", tracking_number="BR1")

    assert caught.value.code == "SBX-INVOICE-NOT-FOUND"
    assert sandbox.order(order_id)["invoices"] == []


def test_tracking_events_before_a_tracking_number_are_refused(client, sandbox):
    order_id = new_order(sandbox, status="handling")
    _invoice(client, order_id, "NF-1", client.get_order(order_id)["value"])
    event = {"city": "Rio", "state": "RJ", "description": "Coletado", "date": "2024-05-03"}

    with pytest.raises(VtexRejected) as caught:
        client.send_tracking_events(order_id, "NF-1", is_delivered=False, events=[event])

    assert (caught.value.status, caught.value.code) == (400, "SBX-NO-TRACKING-NUMBER")
    package = client.get_order(order_id)["packageAttachment"]["packages"][0]
    assert not (package.get("courierStatus") or {}).get("data")


@pytest.mark.parametrize("status", ["ready-for-handling", "invoiced", "canceled"])
def test_order_change_outside_handling_is_refused(client, sandbox, status):
    order_id = new_order(sandbox, status=status)
    value = client.get_order(order_id)["value"]

    with pytest.raises(VtexRejected) as caught:
        client.register_change(order_id, request_id="c1", reason="Desconto", discount_value=100)

    assert (caught.value.status, caught.value.code) == (400, "SBX-CHANGE-STATUS")
    assert sandbox.order(order_id)["changes"] == []
    assert client.get_order(order_id)["value"] == value


def test_refusals_carry_method_and_path_for_the_operators(client, sandbox):
    order_id = new_order(sandbox, status="handling")

    with pytest.raises(VtexRejected) as caught:
        client.start_handling(order_id)

    error = caught.value
    assert (error.method, error.path) == ("POST", f"/api/oms/pvt/orders/{order_id}/start-handling")
    assert str(error).startswith(f"POST /api/oms/pvt/orders/{order_id}/start-handling: 409 OMS003")
    assert len(vtex_calls(sandbox, method="POST")) == 1
