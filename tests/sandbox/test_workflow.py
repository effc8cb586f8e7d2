"""The OMS state machine: allowed moves, refusals with VTEX's bodies, invoices, tracking."""

from __future__ import annotations

import pytest

from tests.sandbox.support import (
    ORDERS,
    configure_feed,
    drain_feed,
    error_code,
    get_order,
    handling_order,
    new_order,
    send_invoice,
)

OMS003 = {
    "error": {
        "code": "OMS003",
        "message": "Order status should be ready-for-handling to perform this action",
        "exception": None,
    }
}


def test_unknown_order_is_404_with_oms007(sandbox):
    response = sandbox.vtex("GET", f"{ORDERS}/1234567890123-01")

    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "OMS007", "message": "Order Not Found", "exception": None}
    }


def test_get_order_accepts_seq_and_sequence(sandbox):
    order = get_order(sandbox, new_order(sandbox))

    assert get_order(sandbox, f"seq{order['sequence']}")["orderId"] == order["orderId"]


def test_start_handling_moves_ready_for_handling_to_handling_through_start_handling(sandbox):
    configure_feed(sandbox, statuses=[])
    order_id = new_order(sandbox)
    drain_feed(sandbox)

    response = sandbox.vtex("POST", f"{ORDERS}/{order_id}/start-handling")

    assert response.status_code == 204
    assert response.content == b""
    assert get_order(sandbox, order_id)["status"] == "handling"
    assert [(e["lastState"], e["state"]) for e in drain_feed(sandbox)] == [
        ("ready-for-handling", "start-handling"),
        ("start-handling", "handling"),
    ]
    assert sandbox.order(order_id)["start_handling_calls"] == 1


@pytest.mark.parametrize(
    "status", ["payment-pending", "window-to-cancel", "handling", "invoiced", "canceled"]
)
def test_start_handling_elsewhere_is_409_oms003(sandbox, status):
    order_id = new_order(sandbox, status)

    response = sandbox.vtex("POST", f"{ORDERS}/{order_id}/start-handling")

    assert response.status_code == 409
    assert response.json() == OMS003
    assert get_order(sandbox, order_id)["status"] == status


def test_output_invoices_accumulate_until_the_order_value(sandbox):
    order_id, value = handling_order(sandbox)

    first = send_invoice(sandbox, order_id, "NF-1", str(value - 1000))
    assert first.status_code == 200
    assert set(first.json()) == {"date", "orderId", "receipt"}
    assert get_order(sandbox, order_id)["status"] == "handling"

    assert send_invoice(sandbox, order_id, "NF-2", 1000).status_code == 200

    order = get_order(sandbox, order_id)
    assert order["status"] == "invoiced"
    assert order["invoicedDate"]
    packages = order["packageAttachment"]["packages"]
    assert [(p["invoiceNumber"], p["invoiceValue"]) for p in packages] == [
        ("NF-1", value - 1000),
        ("NF-2", 1000),
    ]


def test_invoice_value_may_be_a_string_or_an_integer(sandbox):
    order_id, _value = handling_order(sandbox)

    assert send_invoice(sandbox, order_id, "A", "100").status_code == 200
    assert send_invoice(sandbox, order_id, "B", 100).status_code == 200
    for bad in ("12.50", 0, -5, "abc", None):
        response = send_invoice(sandbox, order_id, "C", bad)
        assert response.status_code == 400, bad
        assert error_code(response) == "SBX-BAD-REQUEST"


def test_an_invoice_can_go_straight_from_ready_for_handling(sandbox):
    order_id = new_order(sandbox)
    value = get_order(sandbox, order_id)["value"]

    assert send_invoice(sandbox, order_id, "NF-1", value).status_code == 200
    assert get_order(sandbox, order_id)["status"] == "invoiced"


def test_over_invoicing_is_refused_and_changes_nothing(sandbox):
    order_id, value = handling_order(sandbox)
    send_invoice(sandbox, order_id, "NF-1", value - 500)

    response = send_invoice(sandbox, order_id, "NF-2", 501)

    assert response.status_code == 400
    assert error_code(response) == "SBX-OVER-INVOICE"
    assert "500" in response.json()["error"]["message"]
    assert len(get_order(sandbox, order_id)["packageAttachment"]["packages"]) == 1


def test_same_invoice_number_again_only_renews_the_receipt(sandbox):
    order_id, value = handling_order(sandbox)
    first = send_invoice(sandbox, order_id, "NF-1", 300).json()

    again = send_invoice(sandbox, order_id, "NF-1", value)

    assert again.status_code == 200
    assert again.json()["receipt"] != first["receipt"]
    order = get_order(sandbox, order_id)
    assert order["status"] == "handling"
    assert [p["invoiceValue"] for p in order["packageAttachment"]["packages"]] == [300]
    assert sandbox.order(order_id)["invoices"][0]["receipts"] == [
        first["receipt"],
        again.json()["receipt"],
    ]


@pytest.mark.parametrize("status", ["payment-pending", "canceled", "invoiced"])
def test_output_invoice_is_refused_outside_handling(sandbox, status):
    order_id = new_order(sandbox, status)

    response = send_invoice(sandbox, order_id, "NF-NEW", 100)

    assert response.status_code == 400
    assert error_code(response) == "SBX-INVOICE-STATUS"


def test_return_invoice_needs_a_fully_invoiced_order(sandbox):
    order_id, value = handling_order(sandbox)
    send_invoice(sandbox, order_id, "NF-1", value - 100)

    early = send_invoice(sandbox, order_id, "DEV-1", 50, kind="Input")
    assert early.status_code == 400
    assert error_code(early) == "SBX-INPUT-BEFORE-INVOICED"

    send_invoice(sandbox, order_id, "NF-2", 100)
    too_much = send_invoice(sandbox, order_id, "DEV-1", value + 1, kind="Input")
    assert error_code(too_much) == "SBX-OVER-RETURN"
    assert send_invoice(sandbox, order_id, "DEV-1", 500, kind="Input").status_code == 200

    order = get_order(sandbox, order_id)
    assert order["status"] == "invoiced"
    refund = order["packageAttachment"]["packages"][-1]
    assert refund["type"] == "Input"
    assert refund["restitutions"]["Refund"]["value"] == 500


def test_cancel_from_a_pre_invoiced_status_ends_canceled(sandbox):
    configure_feed(sandbox, statuses=["cancel", "canceled"])
    order_id, _value = handling_order(sandbox)

    response = sandbox.vtex(
        "POST", f"{ORDERS}/{order_id}/cancel", json={"reason": "Cliente desistiu"}
    )

    assert response.status_code == 200
    assert response.json()["orderId"] == order_id
    order = get_order(sandbox, order_id)
    assert order["status"] == "canceled"
    assert order["cancellationData"]["Reason"] == "Cliente desistiu"
    assert [e["state"] for e in drain_feed(sandbox)] == ["cancel", "canceled"]


@pytest.mark.parametrize("status", ["payment-pending", "payment-approved", "ready-for-handling"])
def test_cancel_is_accepted_before_handling_too(sandbox, status):
    order_id = new_order(sandbox, status)

    assert sandbox.vtex("POST", f"{ORDERS}/{order_id}/cancel").status_code == 200
    assert get_order(sandbox, order_id)["status"] == "canceled"


def test_cancel_is_refused_once_any_invoice_exists(sandbox):
    order_id, _value = handling_order(sandbox)
    send_invoice(sandbox, order_id, "NF-1", 100)

    response = sandbox.vtex("POST", f"{ORDERS}/{order_id}/cancel", json={"reason": "x"})

    assert response.status_code == 400
    assert error_code(response) == "SBX-CANCEL-INVOICED"
    assert get_order(sandbox, order_id)["status"] == "handling"


def test_an_invoiced_order_cancels_only_after_a_return_of_its_whole_value(sandbox):
    order_id, value = handling_order(sandbox)
    send_invoice(sandbox, order_id, "NF-1", value)
    send_invoice(sandbox, order_id, "DEV-1", value - 1, kind="Input")

    partial = sandbox.vtex("POST", f"{ORDERS}/{order_id}/cancel", json={"reason": "x"})
    assert error_code(partial) == "SBX-CANCEL-INVOICED"

    send_invoice(sandbox, order_id, "DEV-2", 1, kind="Input")
    accepted = sandbox.vtex("POST", f"{ORDERS}/{order_id}/cancel", json={"reason": "x"})

    assert accepted.status_code == 200
    assert get_order(sandbox, order_id)["status"] == "canceled"


def test_invoiced_and_canceled_are_final(sandbox):
    invoiced = new_order(sandbox, "invoiced")
    canceled = new_order(sandbox, "canceled")

    assert error_code(sandbox.vtex("POST", f"{ORDERS}/{invoiced}/cancel")) == "SBX-CANCEL-INVOICED"
    assert error_code(sandbox.vtex("POST", f"{ORDERS}/{canceled}/cancel")) == "SBX-CANCEL-STATUS"
    for order_id in (invoiced, canceled):
        assert sandbox.vtex("POST", f"{ORDERS}/{order_id}/start-handling").status_code == 409
    assert send_invoice(sandbox, canceled, "NF-9", 100).status_code == 400
    assert get_order(sandbox, invoiced)["status"] == "invoiced"
    assert get_order(sandbox, canceled)["status"] == "canceled"


@pytest.mark.parametrize(
    "status",
    ["invoice-after-cancellation-deny", "replaced", "order-create-error", "order-creation-error"],
)
def test_final_and_incomplete_orders_cannot_be_canceled(sandbox, status):
    order_id = new_order(sandbox, status)

    response = sandbox.vtex("POST", f"{ORDERS}/{order_id}/cancel", json={"reason": "x"})

    assert response.status_code == 400
    assert error_code(response) == "SBX-CANCEL-STATUS"
    assert get_order(sandbox, order_id)["status"] == status


def test_an_invoiced_order_without_invoices_is_not_taken_for_a_fully_returned_one(sandbox):
    order_id = new_order(sandbox)
    sandbox.set_status(order_id, "invoiced")

    response = sandbox.vtex("POST", f"{ORDERS}/{order_id}/cancel", json={"reason": "x"})

    assert error_code(response) == "SBX-CANCEL-INVOICED"
    assert get_order(sandbox, order_id)["status"] == "invoiced"


def test_generated_invoiced_orders_carry_their_invoices(sandbox):
    order = get_order(sandbox, new_order(sandbox, "invoiced"))

    packages = order["packageAttachment"]["packages"]
    assert sum(p["invoiceValue"] for p in packages if p["type"] == "Output") == order["value"]
    assert len(packages[0]["invoiceKey"]) == 44


def test_tracking_needs_an_existing_invoice(sandbox):
    order_id, value = handling_order(sandbox)
    tracking = {
        "trackingNumber": "BR123",
        "trackingUrl": None,
        "courier": "Correios",
        "dispatchedDate": None,
    }

    missing = sandbox.vtex("PATCH", f"{ORDERS}/{order_id}/invoice/NF-404", json=tracking)
    assert missing.status_code == 404
    assert error_code(missing) == "SBX-INVOICE-NOT-FOUND"

    send_invoice(sandbox, order_id, "NF-1", value)
    response = sandbox.vtex("PATCH", f"{ORDERS}/{order_id}/invoice/NF-1", json=tracking)
    assert response.status_code == 200
    package = get_order(sandbox, order_id)["packageAttachment"]["packages"][0]
    assert (package["trackingNumber"], package["courier"]) == ("BR123", "Correios")


def test_tracking_events_need_a_tracking_number_and_show_in_courier_status(sandbox):
    order_id, value = handling_order(sandbox)
    send_invoice(sandbox, order_id, "NF-1", value)
    events = {
        "isDelivered": False,
        "deliveredDate": None,
        "events": [
            {"city": "Cajamar", "state": "SP", "description": "Em trânsito", "date": "2024-05-03"}
        ],
    }

    refused = sandbox.vtex("PUT", f"{ORDERS}/{order_id}/invoice/NF-1/tracking", json=events)
    assert refused.status_code == 400
    assert error_code(refused) == "SBX-NO-TRACKING-NUMBER"

    sandbox.vtex(
        "PATCH",
        f"{ORDERS}/{order_id}/invoice/NF-1",
        json={
            "trackingNumber": "BR1",
            "trackingUrl": None,
            "courier": None,
            "dispatchedDate": None,
        },
    )
    assert (
        sandbox.vtex("PUT", f"{ORDERS}/{order_id}/invoice/NF-1/tracking", json=events).status_code
        == 200
    )
    delivered = {
        "isDelivered": True,
        "deliveredDate": "2024-05-04 14:30",
        "events": [
            *events["events"],
            {"city": "Recife", "state": "PE", "description": "Entregue", "date": "2024-05-04"},
        ],
    }
    assert (
        sandbox.vtex(
            "PUT", f"{ORDERS}/{order_id}/invoice/NF-1/tracking", json=delivered
        ).status_code
        == 200
    )

    order = get_order(sandbox, order_id)
    status = order["packageAttachment"]["packages"][0]["courierStatus"]
    assert [e["description"] for e in status["data"]] == ["Em trânsito", "Entregue"]
    assert status["finished"] is True
    # Read as UTC (VTEX's dates are), answered in GetOrder's form.
    assert status["deliveredDate"] == "2024-05-04T14:30:00.0000000+00:00"
    assert order["status"] == "invoiced"


def _change(request_id: str, **fields) -> dict:
    return {
        "requestId": request_id,
        "reason": "Cliente trocou o item",
        "discountValue": 0,
        "incrementValue": 0,
        "itemsRemoved": [],
        "itemsAdded": [],
        **fields,
    }


def test_changes_are_refused_before_handling(sandbox):
    order_id = new_order(sandbox)

    response = sandbox.vtex(
        "POST", f"{ORDERS}/{order_id}/changes", json=_change("r1", discountValue=100)
    )

    assert response.status_code == 400
    assert error_code(response) == "SBX-CHANGE-STATUS"


@pytest.mark.parametrize("status", ["waiting-for-fulfillment", "ready-for-invoicing"])
def test_changes_are_accepted_in_the_warehouse_statuses_too(sandbox, status):
    # RegisterChange's spec: "handling, waiting-for-fulfillment, ready for invoicing".
    order_id = new_order(sandbox, status)
    value = get_order(sandbox, order_id)["value"]

    response = sandbox.vtex(
        "POST", f"{ORDERS}/{order_id}/changes", json=_change("r1", discountValue=100)
    )

    assert response.status_code == 200
    assert get_order(sandbox, order_id)["value"] == value - 100


def test_a_change_moves_value_items_and_totals_once_per_request_id(sandbox):
    order_id, value = handling_order(sandbox)
    before = get_order(sandbox, order_id)
    sku = before["items"][0]["id"]
    change = _change(
        "r1",
        discountValue=300,
        incrementValue=100,
        itemsAdded=[{"id": "NEW-1", "price": 2500, "quantity": 2}],
        itemsRemoved=[{"id": sku, "price": before["items"][0]["sellingPrice"], "quantity": 1}],
    )

    first = sandbox.vtex("POST", f"{ORDERS}/{order_id}/changes", json=change)
    repeat = sandbox.vtex("POST", f"{ORDERS}/{order_id}/changes", json=change)

    assert first.status_code == repeat.status_code == 200
    assert repeat.json()["receipt"] == first.json()["receipt"]
    after = get_order(sandbox, order_id)
    expected = value - 300 + 100 + 5000 - before["items"][0]["sellingPrice"]
    assert after["value"] == expected
    assert sum(t["value"] for t in after["totals"]) == expected
    assert "NEW-1" in [item["id"] for item in after["items"]]
    assert len(after["changesAttachment"]["changesData"]) == 1
    assert len(sandbox.order(order_id)["changes"]) == 1


def test_a_discount_of_the_uninvoiced_rest_completes_the_invoicing(sandbox):
    order_id, value = handling_order(sandbox)
    send_invoice(sandbox, order_id, "NF-1", value - 700)

    response = sandbox.vtex(
        "POST", f"{ORDERS}/{order_id}/changes", json=_change("r1", discountValue=700)
    )

    assert response.status_code == 200
    assert get_order(sandbox, order_id)["status"] == "invoiced"


def test_a_change_cannot_go_below_what_is_invoiced(sandbox):
    order_id, value = handling_order(sandbox)
    send_invoice(sandbox, order_id, "NF-1", value - 700)

    response = sandbox.vtex(
        "POST", f"{ORDERS}/{order_id}/changes", json=_change("r1", discountValue=701)
    )

    assert error_code(response) == "SBX-CHANGE-VALUE"


def test_transition_delay_keeps_transient_statuses_for_a_while(sandbox):
    sandbox.set_options(transition_delay=0.6)
    order_id = new_order(sandbox)

    sandbox.vtex("POST", f"{ORDERS}/{order_id}/start-handling")

    assert get_order(sandbox, order_id)["status"] == "start-handling"
    cancel = sandbox.vtex("POST", f"{ORDERS}/{order_id}/cancel")
    assert error_code(cancel) == "SBX-CANCEL-STATUS"
    sandbox.advance_clock(0.75)
    assert get_order(sandbox, order_id)["status"] == "handling"


def test_forced_status_goes_to_the_feed(sandbox):
    configure_feed(sandbox, statuses=["handling"])
    order_id = new_order(sandbox)

    sandbox.set_status(order_id, "handling")

    assert [(e["orderId"], e["state"]) for e in drain_feed(sandbox)] == [(order_id, "handling")]


def test_payment_transaction_and_gateway_transaction_agree_with_the_order(sandbox):
    order = get_order(sandbox, new_order(sandbox))
    transaction = order["paymentData"]["transactions"][0]

    oms = sandbox.vtex("GET", f"{ORDERS}/{order['orderId']}/payment-transaction").json()
    gateway = sandbox.vtex("GET", f"/api/pvt/transactions/{transaction['transactionId']}").json()

    assert oms["transactionId"] == gateway["transactionId"] == transaction["transactionId"]
    assert oms["payments"][0]["value"] == order["value"] == gateway["value"]
    assert gateway["referenceKey"] == order["sequence"]
    missing = sandbox.vtex("GET", "/api/pvt/transactions/NOPE")
    assert missing.status_code == 404


def test_a_body_that_is_not_json_is_400_with_the_envelope(sandbox):
    order_id, _value = handling_order(sandbox)

    response = sandbox.vtex("POST", f"{ORDERS}/{order_id}/invoice", data="{not json")

    assert response.status_code == 400
    assert error_code(response) == "SBX-BAD-REQUEST"


def test_a_forced_transient_status_stays_like_a_stuck_order(sandbox):
    order_id = new_order(sandbox)

    sandbox.set_status(order_id, "start-handling")

    assert get_order(sandbox, order_id)["status"] == "start-handling"
    assert sandbox.vtex("POST", f"{ORDERS}/{order_id}/start-handling").status_code == 409


def test_orders_cannot_be_created_in_a_transient_status(sandbox):
    response = sandbox.session.post(
        f"{sandbox.base_url}/_sandbox/orders", json={"count": 1, "status": "invoice"}, timeout=10
    )

    assert response.status_code == 400
