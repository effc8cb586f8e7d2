"""Catalog notifications, SKU suggestions, and the seller -> marketplace calls made at an
order's marketplaceServicesEndpoint."""

from datetime import UTC, date, datetime

import pytest

from tests.vtex.support import SUGGESTION, vtex_calls
from vtex import OrderRef, VtexRejected


def test_sku_change_notification_tells_bound_from_unknown_skus(client, sandbox):
    sandbox.set_bindings(["100"], seller_id="seller1")

    assert client.notify_sku_change(seller_id="seller1", sku_id="100") is True
    assert client.notify_sku_change(seller_id="seller1", sku_id="200") is False
    # Another seller's SKU 100 is not this seller's.
    assert client.notify_sku_change(seller_id="seller2", sku_id="100") is False

    calls = vtex_calls(sandbox, method="POST", path_contains="/changenotification/")
    change = "/api/sku-binding/pvt/skuseller/changenotification"
    assert [(c["path"], c["status"]) for c in calls] == [
        (f"{change}/seller1/100", 200),
        (f"{change}/seller1/200", 404),
        (f"{change}/seller2/100", 404),
    ]


def test_sku_suggestion_is_stored_pending(client, sandbox):
    client.send_sku_suggestion(seller_id="seller1", seller_sku_id="CAM-P-AZ", suggestion=SUGGESTION)
    client.send_sku_suggestion(
        seller_id="seller1", seller_sku_id="CAM-P-AZ", suggestion={**SUGGESTION, "Weight": 210}
    )

    (pending,) = sandbox.suggestions()
    assert (pending["sellerId"], pending["sellerSkuId"], pending["versions"]) == (
        "seller1",
        "CAM-P-AZ",
        2,
    )
    assert pending["suggestion"]["Weight"] == 210


def test_a_suggestion_is_read_while_pending_and_none_once_decided(client, sandbox):
    client.send_sku_suggestion(seller_id="seller1", seller_sku_id="CAM-P-AZ", suggestion=SUGGESTION)

    pending = client.get_sku_suggestion(seller_id="seller1", seller_sku_id="CAM-P-AZ")
    assert pending["content"]["SkuName"] == SUGGESTION["SkuName"]

    sandbox.approve_suggestion("seller1", "CAM-P-AZ")
    assert client.get_sku_suggestion(seller_id="seller1", seller_sku_id="CAM-P-AZ") is None
    assert client.notify_sku_change(seller_id="seller1", sku_id="CAM-P-AZ") is True


def test_price_and_inventory_notifications_are_accepted(client, sandbox):
    assert client.notify_price_change(seller_id="seller1", sku_id="100") is None
    assert client.notify_inventory_change(seller_id="seller1", sku_id="100") is None

    calls = vtex_calls(sandbox, method="POST", path_contains="/api/notificator/")
    assert [(c["path"], c["status"]) for c in calls] == [
        ("/api/notificator/seller1/changenotification/100/price", 202),
        ("/api/notificator/seller1/changenotification/100/inventory", 202),
    ]


# --- seller -> marketplace ----------------------------------------------------------------------


def _at(order):
    return OrderRef(order["id"], order["endpoint"])


def _invoice(client, order, number, value, kind="Output"):
    return client.send_invoice(
        _at(order),
        invoice_type=kind,
        number=number,
        value=value,
        issued_at=date(2024, 5, 2),
        items=[{"id": "100", "price": 2500, "quantity": 2}],
    )


def test_marketplace_invoice_tracking_and_status(client, sandbox, marketplace_order):
    order = marketplace_order
    assert "?an=" in order["endpoint"]

    receipt = _invoice(client, order, "NF-7", order["value"])
    client.update_invoice_tracking(
        _at(order),
        "NF-7",
        courier="Correios",
        tracking_number="BR777",
        tracking_url="https://rastreio.example/BR777",
        dispatched_date=datetime(2024, 5, 3, 8, tzinfo=UTC),
    )
    client.send_tracking_events(
        _at(order),
        "NF-7",
        is_delivered=True,
        events=[{"city": "Recife", "state": "PE", "description": "Entregue", "date": "2024-05-06"}],
    )

    assert receipt["orderId"] == order["id"] and receipt["receipt"]
    record = sandbox.marketplace_order(order["id"])
    assert record["status"] == "invoiced"
    assert [r["operation"] for r in record["received"]] == [
        "invoice",
        "tracking",
        "tracking-status",
    ]
    invoice = record["invoices"]["NF-7"]
    assert invoice["invoiceValue"] == order["value"]
    assert invoice["tracking"]["trackingNumber"] == "BR777"
    assert invoice["isDelivered"] is True
    calls = vtex_calls(sandbox, path_contains="/marketplace-services/")
    assert [c["path"] for c in calls] == [
        f"/marketplace-services/api/oms/pvt/orders/{order['id']}/invoice",
        f"/marketplace-services/api/oms/pvt/orders/{order['id']}/invoice/NF-7",
        f"/marketplace-services/api/oms/pvt/orders/{order['id']}/invoice/NF-7/tracking",
    ]
    assert all(call["query"] == "an=sandbox" for call in calls)
    # The protocol types invoiceValue as an integer, unlike the Orders API.
    assert calls[0]["body"]["invoiceValue"] == order["value"]


def test_marketplace_refusals(client, sandbox, marketplace_order):
    order = marketplace_order
    with pytest.raises(VtexRejected) as over:
        _invoice(client, order, "NF-1", order["value"] + 1)
    assert over.value.code == "SBX-OVER-INVOICE"

    _invoice(client, order, "NF-1", order["value"])
    event = {"city": "Recife", "state": "PE", "description": "Em rota", "date": "2024-05-04"}
    with pytest.raises(VtexRejected) as no_tracking:
        client.send_tracking_events(_at(order), "NF-1", is_delivered=False, events=[event])
    assert no_tracking.value.code == "SBX-NO-TRACKING-NUMBER"

    with pytest.raises(VtexRejected) as invoiced:
        client.cancel_order(_at(order), reason="Sem estoque")
    assert invoiced.value.code == "SBX-CANCEL-INVOICED"
    assert sandbox.marketplace_order(order["id"])["status"] == "invoiced"


def test_marketplace_cancel_after_a_return_invoice(client, sandbox, marketplace_order):
    order = marketplace_order
    _invoice(client, order, "NF-1", order["value"])
    _invoice(client, order, "DEV-1", order["value"], kind="Input")

    answer = client.cancel_order(_at(order), reason="Devolvido")

    record = sandbox.marketplace_order(order["id"])
    assert (record["status"], record["cancellation"]) == ("canceled", {"reason": "Devolvido"})
    assert answer["receipt"] == record["received"][-1]["receipt"]


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://attacker.example/api/oms?an=sandbox",
        "http://127.0.0.1:1/marketplace-services/api/oms",
        "https://vtexcommercestable.com.br.attacker.example/api",
        # Python's parser reads the VTEX host, the one requests sends with reads 127.0.0.1.
        "http://127.0.0.1:1\\@marketplace.vtexcommercestable.com.br/api/oms?an=m",
        "https://user@marketplace.vtexcommercestable.com.br/api/oms",
        # A VTEX host, but in clear text: the credentials would travel unencrypted.
        "http://marketplace.vtexcommercestable.com.br/api/oms",
        "https://marketplace.vtexcommercestable.com.br:8443/api/oms",
        "https://marketplace.vtexcommercestable.com.br /api/oms",
    ],
)
def test_credentials_only_go_to_vtex_or_the_configured_host(client, sandbox, endpoint):
    with pytest.raises(VtexRejected) as caught:
        client.cancel_order(OrderRef("1300-01", endpoint), reason="x")

    assert caught.value.code == "UNTRUSTED_ENDPOINT"
    assert vtex_calls(sandbox) == []


@pytest.mark.parametrize(
    "host",
    [
        # myvtex.com serves any VTEX account's workspaces and apps: another account's host
        # runs code that account deploys, and would receive this store's credentials.
        "attacker.myvtex.com",
        "master--attacker.myvtex.com",
        "sandbox.attacker.myvtex.com",
        "sandboxx.myvtex.com",
        "xsandbox.myvtex.com",
        "marketplaceservicesendpoint.myvtex.com",  # the spec's placeholder
    ],
)
def test_myvtex_hosts_of_another_account_get_no_credentials(client, sandbox, host):
    with pytest.raises(VtexRejected) as caught:
        client.cancel_order(OrderRef("1300-01", f"https://{host}/api/oms"), reason="x")

    assert caught.value.code == "UNTRUSTED_ENDPOINT"
    assert vtex_calls(sandbox) == []


@pytest.mark.parametrize(
    "endpoint",
    [
        # The account the client works for (``sandbox`` here): its own host and workspaces.
        "https://sandbox.myvtex.com/api/oms?an=sandbox",
        "https://master--sandbox.myvtex.com/api/oms",
        # VTEX's OMS hosts, for every account.
        "https://marketplace.vtexcommercestable.com.br/api/oms?an=marketplace",
        "https://oms.vtexinternal.com.br/api/oms?an=luxstore",
    ],
)
def test_vtex_hosts_and_the_accounts_own_myvtex_host_are_trusted(client, endpoint):
    url = client._marketplace(endpoint, "/pvt/orders/1300-01/cancel")
    assert "/pvt/orders/1300-01/cancel" in url


def test_marketplace_tracking_fills_what_the_protocol_requires(client, sandbox, marketplace_order):
    order = marketplace_order
    _invoice(client, order, "NF-1", order["value"])
    before = datetime.now(UTC)

    client.update_invoice_tracking(_at(order), "NF-1", tracking_number="BR1")
    client.send_tracking_events(
        _at(order),
        "NF-1",
        is_delivered=True,
        delivered_date=datetime(2024, 5, 6, 14, 5, tzinfo=UTC),
        events=[{"city": "Recife", "state": "PE", "description": "Entregue", "date": "2024-05-06"}],
    )

    tracking, status = vtex_calls(sandbox, method="POST", path_contains="/invoice/NF-1")
    # A POST at the marketplace (a PATCH at the store), every field a string, dispatched now.
    assert tracking["body"].keys() == {"courier", "trackingNumber", "trackingUrl", "dispatchedDate"}
    assert (tracking["body"]["courier"], tracking["body"]["trackingUrl"]) == ("", "")
    assert before <= datetime.fromisoformat(tracking["body"]["dispatchedDate"]) <= datetime.now(UTC)
    # The protocol has no deliveredDate; the store's PUT carries it, the marketplace's POST not.
    assert status["path"].endswith("/invoice/NF-1/tracking")
    assert status["body"] == {
        "isDelivered": True,
        "events": [
            {"city": "Recife", "state": "PE", "description": "Entregue", "date": "2024-05-06"}
        ],
    }
    assert vtex_calls(sandbox, method="PATCH") == vtex_calls(sandbox, method="PUT") == []


def test_an_operation_the_marketplace_lacks_is_refused_before_any_request(
    client, sandbox, marketplace_order
):
    with pytest.raises(ValueError, match=r"start_handling .*marketplace"):
        client.start_handling(_at(marketplace_order))

    assert vtex_calls(sandbox) == []
    assert sandbox.marketplace_order(marketplace_order["id"])["received"] == []


@pytest.mark.parametrize("order", ["", OrderRef("", "https://x.vtexcommercestable.com.br/api")])
def test_an_order_write_without_an_order_id_is_refused_before_any_request(client, sandbox, order):
    with pytest.raises(ValueError, match="order's id"):
        client.cancel_order(order, reason="x")

    assert vtex_calls(sandbox) == []
