"""OMS operations against the sandbox: what the client sends and what it changes there."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.vtex.support import invoice_items, new_order, vtex_calls
from vtex import MAX_LIST_PAGES, OrderRef, VtexNotFound

ORDERS = "/api/oms/pvt/orders"
SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def test_list_orders_filters_by_statuses_and_creation_window(client, sandbox):
    window_start = datetime(2024, 3, 1, tzinfo=UTC)
    inside = sandbox.create_orders(
        2,
        status="ready-for-handling",
        created_from=window_start,
        created_to=window_start + timedelta(hours=1),
    )
    inside += sandbox.create_orders(
        1,
        status="handling",
        created_from=window_start,
        created_to=window_start + timedelta(hours=1),
    )
    sandbox.create_orders(
        1,
        status="canceled",
        created_from=window_start,
        created_to=window_start + timedelta(hours=1),
    )
    sandbox.create_orders(
        1,
        status="handling",
        created_from=window_start - timedelta(days=2),
        created_to=window_start - timedelta(days=1),
    )

    body = client.list_orders(
        statuses=["ready-for-handling", "handling"],
        created_from=window_start,
        created_to=window_start + timedelta(hours=2),
    )

    assert sorted(entry["orderId"] for entry in body["list"]) == sorted(inside)
    assert body["paging"]["total"] == 3
    (call,) = vtex_calls(sandbox, method="GET", path_contains=ORDERS)
    assert "f_status=ready-for-handling%2Chandling" in call["query"]
    assert (
        "f_creationDate=creationDate%3A%5B2024-03-01T00%3A00%3A00.000Z+TO+"
        "2024-03-01T02%3A00%3A00.000Z%5D" in call["query"]
    )


def test_iter_order_pages_walks_every_page_in_creation_order(client, sandbox):
    created = sandbox.create_orders(25, status="ready-for-handling")

    pages = list(client.iter_order_pages(per_page=10))

    assert [page["paging"]["currentPage"] for page in pages] == [1, 2, 3]
    listed = [entry["orderId"] for page in pages for entry in page["list"]]
    assert sorted(listed) == sorted(created)
    creation_dates = [entry["creationDate"] for page in pages for entry in page["list"]]
    assert creation_dates == sorted(creation_dates)


def test_iter_order_pages_never_asks_beyond_page_30(client, sandbox):
    sandbox.create_orders(MAX_LIST_PAGES + 2, status="ready-for-handling")

    pages = list(client.iter_order_pages(per_page=1))

    assert len(pages) == MAX_LIST_PAGES
    assert pages[0]["paging"]["pages"] == MAX_LIST_PAGES + 2
    asked = [call["query"] for call in vtex_calls(sandbox, method="GET", path_contains=ORDERS)]
    assert len(asked) == MAX_LIST_PAGES
    assert all("page=31" not in query for query in asked)


def test_list_orders_refuses_pages_vtex_does_not_serve_without_calling(client, sandbox):
    with pytest.raises(ValueError, match="page"):
        client.list_orders(page=MAX_LIST_PAGES + 1)
    with pytest.raises(ValueError, match="per_page"):
        client.list_orders(per_page=101)
    with pytest.raises(ValueError, match="aware"):
        client.list_orders(created_from=datetime(2024, 1, 1))
    assert vtex_calls(sandbox) == []


def test_get_order_returns_the_document(client, sandbox):
    order_id = new_order(sandbox)

    document = client.get_order(order_id)

    assert document == sandbox.order(order_id)["order"]


def test_get_order_of_an_unknown_order_is_not_found(client, sandbox):
    with pytest.raises(VtexNotFound) as caught:
        client.get_order("999-01")

    assert (caught.value.status, caught.value.code) == (404, "OMS007")
    assert caught.value.path == f"{ORDERS}/999-01"


def test_start_handling_moves_the_order_to_handling(client, sandbox):
    order_id = new_order(sandbox)

    assert client.start_handling(order_id) is None

    state = sandbox.order(order_id)
    assert state["start_handling_calls"] == 1
    assert client.get_order(order_id)["status"] == "handling"


def test_an_order_ref_without_endpoint_is_the_store(client, sandbox):
    order_id = new_order(sandbox)

    client.start_handling(OrderRef(order_id))

    (call,) = vtex_calls(sandbox, method="POST")
    assert call["path"] == f"{ORDERS}/{order_id}/start-handling"
    assert client.get_order(order_id)["status"] == "handling"


def test_cancel_order_returns_the_receipt_and_cancels(client, sandbox):
    order_id = new_order(sandbox)

    answer = client.cancel_order(order_id, reason="Sem estoque")

    assert answer["orderId"] == order_id
    assert answer["receipt"]
    assert client.get_order(order_id)["status"] == "canceled"
    (call,) = vtex_calls(sandbox, method="POST", path_contains="/cancel")
    assert call["body"] == {"reason": "Sem estoque"}


def test_invoices_add_up_to_the_order_value_before_it_turns_invoiced(client, sandbox):
    order_id = new_order(sandbox, status="handling")
    document = client.get_order(order_id)
    value = document["value"]
    first = value // 3

    receipt = client.send_invoice(
        order_id,
        number="NF-1",
        value=first,
        issued_at=datetime(2024, 5, 2, 10, tzinfo=UTC),
        items=invoice_items(document)[:1],
        key="35240512345678000190550010000000011000000019",
        url="https://nfe.example/NF-1.xml",
    )

    assert receipt["receipt"]
    assert client.get_order(order_id)["status"] == "handling"

    client.send_invoice(
        order_id,
        number="NF-2",
        value=value - first,
        issued_at=datetime(2024, 5, 2, 11, tzinfo=UTC),
        items=invoice_items(document)[1:],
    )

    state = sandbox.order(order_id)
    assert sorted((i["invoiceNumber"], i["invoiceValue"]) for i in state["invoices"]) == [
        ("NF-1", first),
        ("NF-2", value - first),
    ]
    assert client.get_order(order_id)["status"] == "invoiced"
    first_call = vtex_calls(sandbox, method="POST", path_contains="/invoice")[0]
    assert first_call["body"]["invoiceValue"] == str(first)
    assert first_call["body"]["issuanceDate"] == "2024-05-02T10:00:00+00:00"
    assert first_call["body"]["invoiceKey"] == "35240512345678000190550010000000011000000019"
    assert "courier" not in first_call["body"]


def _invoiced_order(client, sandbox) -> str:
    order_id = new_order(sandbox, status="handling")
    document = client.get_order(order_id)
    client.send_invoice(
        order_id,
        number="NF-9",
        value=document["value"],
        issued_at=datetime(2024, 5, 2, tzinfo=UTC),
        items=invoice_items(document),
    )
    return order_id


def test_update_invoice_tracking_sets_the_tracking_number(client, sandbox):
    order_id = _invoiced_order(client, sandbox)
    # Typed in São Paulo: VTEX's dates are UTC.
    dispatched = datetime(2024, 5, 3, 6, 30, tzinfo=SAO_PAULO)

    client.update_invoice_tracking(
        order_id,
        "NF-9",
        tracking_number="BR123",
        tracking_url="https://rastreio.example/BR123",
        courier="Correios",
        dispatched_date=dispatched,
    )

    (invoice,) = sandbox.order(order_id)["invoices"]
    assert (invoice["trackingNumber"], invoice["courier"]) == ("BR123", "Correios")
    (call,) = vtex_calls(sandbox, method="PATCH")
    assert call["body"] == {
        "trackingNumber": "BR123",
        "trackingUrl": "https://rastreio.example/BR123",
        "courier": "Correios",
        "dispatchedDate": "2024-05-03T09:30:00+00:00",
    }


def test_send_tracking_events_records_events_and_delivery(client, sandbox):
    order_id = _invoiced_order(client, sandbox)
    client.update_invoice_tracking(order_id, "NF-9", tracking_number="BR123")

    client.send_tracking_events(
        order_id,
        "NF-9",
        is_delivered=True,
        # 11:05 in São Paulo; deliveredDate's "yyyy-mm-dd hh:mm" is read as UTC.
        delivered_date=datetime(2024, 5, 6, 11, 5, tzinfo=SAO_PAULO),
        events=[
            {
                "city": "Rio de Janeiro",
                "state": "RJ",
                "description": "Coletado",
                "date": datetime(2024, 5, 3, tzinfo=UTC).date(),
            },
            {"city": "Niterói", "state": "RJ", "description": "Entregue", "date": "2024-05-06"},
        ],
    )

    (call,) = vtex_calls(sandbox, method="PUT", path_contains="/tracking")
    assert call["body"]["deliveredDate"] == "2024-05-06 14:05"
    assert [event["date"] for event in call["body"]["events"]] == ["2024-05-03", "2024-05-06"]
    package = client.get_order(order_id)["packageAttachment"]["packages"][0]
    assert package["courierStatus"]["finished"] is True
    assert [event["description"] for event in package["courierStatus"]["data"]] == [
        "Coletado",
        "Entregue",
    ]


def test_register_change_discounts_the_order(client, sandbox):
    order_id = new_order(sandbox, status="handling")
    value = client.get_order(order_id)["value"]

    client.register_change(order_id, request_id="chg-1", reason="Desconto", discount_value=500)

    assert client.get_order(order_id)["value"] == value - 500
    (change,) = sandbox.order(order_id)["changes"]
    assert change["requestId"] == "chg-1"
    (call,) = vtex_calls(sandbox, method="POST", path_contains="/changes")
    assert call["body"] == {
        "requestId": "chg-1",
        "reason": "Desconto",
        "discountValue": 500,
        "incrementValue": 0,
        "itemsRemoved": [],
        "itemsAdded": [],
    }


def test_payment_transaction_and_its_gateway_details(client, sandbox):
    order_id = new_order(sandbox)

    transaction = client.get_payment_transaction(order_id)
    details = client.get_transaction_details(transaction["transactionId"])

    document = sandbox.order(order_id)["order"]
    assert (
        transaction["transactionId"]
        == (document["paymentData"]["transactions"][0]["transactionId"])
    )
    assert details["id"] == transaction["transactionId"]
    with pytest.raises(VtexNotFound):
        client.get_transaction_details("NOPE")
