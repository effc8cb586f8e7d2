"""Marketplace role: the sandbox calls an external seller and records what the seller sends back."""

from __future__ import annotations

import pytest
import requests

from tests.contract.openapi import validate_request, validate_response
from tests.fixtures.recorder import RecordingServer
from tests.sandbox.support import error_code

PRICES = {"SKU-A": 4990, "SKU-B": 12990}


def seller_answers(request: dict) -> tuple[int, object]:
    """A well-behaved external seller, as the protocol describes it."""
    path, body = request["path"], request["body"]
    if path.endswith("/pvt/orderForms/simulation"):
        items = [
            {
                "id": item["id"],
                "requestIndex": index,
                "quantity": item["quantity"],
                "seller": item["seller"],
                "price": PRICES[item["id"]],
                "listPrice": PRICES[item["id"]],
                "priceValidUntil": None,
                "priceTags": [],
                "measurementUnit": "un",
                "unitMultiplier": 1,
                "merchantName": "seller1",
                "offerings": [],
            }
            for index, item in enumerate(body["items"])
            if item["id"] in PRICES
        ]
        logistics = [
            {
                "itemIndex": index,
                "quantity": item["quantity"],
                "shipsTo": ["BRA"],
                "stockBalance": 10,
                "deliveryChannels": [{"id": "delivery", "stockBalance": 10}],
                "slas": [
                    {
                        "id": "Normal",
                        "deliveryChannel": "delivery",
                        "name": "Normal",
                        "price": 1500,
                        "shippingEstimate": "5bd",
                        "availableDeliveryWindows": [],
                        "pickupStoreInfo": None,
                    }
                ],
            }
            for index, item in enumerate(items)
        ]
        return 200, {
            "items": items,
            "logisticsInfo": logistics,
            "postalCode": body.get("postalCode", ""),
            "country": "BRA",
        }
    if path.endswith("/pvt/orders"):
        return 200, {
            **body,
            "orderId": "SELLER-" + body["marketplaceOrderId"],
            "followUpEmail": "seller@example.com",
        }
    if path.endswith("/fulfill"):
        return 200, {
            "date": "2024-05-02T10:00:00",
            "marketplaceOrderId": body["marketplaceOrderId"],
            "orderId": path.split("/")[-2],
            "receipt": "r-1",
        }
    if path.endswith("/cancel"):
        return 200, {
            "date": "2024-05-02T10:00:00",
            "marketplaceOrderId": body["marketplaceOrderId"],
            "orderId": path.split("/")[-2],
            "receipt": "r-2",
        }
    return 404, None


@pytest.fixture
def seller():
    server = RecordingServer(seller_answers)
    yield server
    server.close()


def test_simulation_posts_to_the_seller_and_returns_its_answer(sandbox, seller):
    result = sandbox.marketplace_simulation(
        seller.url + "/seller",
        [{"id": "SKU-A", "quantity": 2}],
        postalCode="01310100",
        country="BRA",
    )

    assert result["status"] == 200
    assert result["body"]["items"][0]["price"] == 4990
    (call,) = seller.requests
    assert call["path"] == "/seller/pvt/orderForms/simulation"
    assert call["query"] == {"sc": "1", "an": "sandbox"}
    assert call["headers"]["X-Vtex-Api-Appkey"] == sandbox.app_key
    validate_request("POST", call["path"], call["body"], api="seller-fulfillment")


def test_simulation_can_use_get_with_purchase_context(sandbox, seller):
    result = sandbox.marketplace_simulation(
        seller.url, [{"id": "SKU-B", "quantity": 1}], method="GET"
    )

    assert result["request"]["method"] == "GET"
    (call,) = seller.requests
    assert call["method"] == "GET"
    assert '"SKU-B"' in call["query"]["purchaseContext"]


def test_a_slow_seller_simulation_times_out_like_vtex(sandbox):
    def slow(request):
        import time

        time.sleep(0.5)
        return 200, {}

    server = RecordingServer(slow)
    try:
        result = sandbox.marketplace_simulation(
            server.url, [{"id": "X", "quantity": 1}], timeout=0.2
        )
    finally:
        server.close()

    assert result["status"] is None
    assert "timeout" in result["error"]


def test_full_marketplace_order_flow(sandbox, seller):
    placed = sandbox.marketplace_place_order(
        seller.url, [{"id": "SKU-A", "quantity": 1}, {"id": "SKU-B", "quantity": 2}]
    )

    assert placed["status"] == 200
    marketplace_order_id = placed["marketplaceOrderId"]
    assert placed["sellerOrderId"] == "SELLER-" + marketplace_order_id
    _simulation, placement = seller.requests
    payload = placement["body"]
    validate_request("POST", placement["path"], payload, api="seller-fulfillment")
    assert placement["headers"]["Authorization"].startswith('VTEX key="')
    assert payload["marketplacePaymentValue"] == 4990 + 2 * 12990 + 1500
    endpoint = payload["marketplaceServicesEndpoint"]
    assert endpoint == f"{sandbox.base_url}/marketplace-services/api/oms?an=sandbox"

    fulfilled = sandbox.marketplace_fulfill(marketplace_order_id)
    assert fulfilled["status"] == 200
    fulfill_call = seller.requests[-1]
    assert fulfill_call["path"] == f"/pvt/orders/SELLER-{marketplace_order_id}/fulfill"
    assert fulfill_call["body"] == {"marketplaceOrderId": marketplace_order_id}
    validate_request("POST", fulfill_call["path"], fulfill_call["body"], api="seller-fulfillment")
    validate_response(
        "POST", fulfill_call["path"], 200, fulfilled["body"], api="seller-fulfillment"
    )

    # The seller now calls the marketplace services endpoint back.
    base = f"{sandbox.base_url}/marketplace-services/api/oms/pvt/orders/{marketplace_order_id}"
    value = payload["marketplacePaymentValue"]
    invoice = {
        "type": "Output",
        "invoiceNumber": "NF-7",
        "invoiceValue": value,
        "issuanceDate": "2024-05-02T10:00:00",
        "courier": "",
        "trackingNumber": "",
        "trackingUrl": "",
        "items": [{"id": "SKU-A", "quantity": 1, "price": 4990}],
    }
    tracking = {
        "courier": "Correios",
        "trackingNumber": "BR1",
        "trackingUrl": "https://t/BR1",
        "dispatchedDate": "2024-05-03T09:00:00",
    }
    status = {
        "isDelivered": True,
        "events": [
            {"city": "Recife", "state": "PE", "description": "Entregue", "date": "2024-05-05"}
        ],
    }
    for path, body in (
        (f"{base}/invoice", invoice),
        (f"{base}/invoice/NF-7", tracking),
        (f"{base}/invoice/NF-7/tracking", status),
    ):
        response = sandbox.vtex(
            "POST", path.removeprefix(sandbox.base_url), json=body, params={"an": "sandbox"}
        )
        assert response.status_code == 200, response.text
        assert response.json()["orderId"] == marketplace_order_id

    record = sandbox.marketplace_order(marketplace_order_id)
    assert record["status"] == "invoiced"
    assert [r["operation"] for r in record["received"]] == [
        "invoice",
        "tracking",
        "tracking-status",
    ]
    assert record["invoices"]["NF-7"]["tracking"]["trackingNumber"] == "BR1"


def test_cancellation_request_reaches_the_seller(sandbox, seller):
    placed = sandbox.marketplace_place_order(
        seller.url,
        [{"id": "SKU-A", "quantity": 1, "price": 4990}],
        shipping_price=1000,
    )
    marketplace_order_id = placed["marketplaceOrderId"]
    assert [r["path"] for r in seller.requests] == ["/pvt/orders"]

    result = sandbox.marketplace_cancel(marketplace_order_id, reason="Cliente desistiu")

    assert result["status"] == 200
    cancel_call = seller.requests[-1]
    validate_request("POST", cancel_call["path"], cancel_call["body"], api="seller-fulfillment")
    assert cancel_call["body"]["reason"] == "Cliente desistiu"
    assert sandbox.marketplace_order(marketplace_order_id)["status"] == "canceled"


def test_seller_cancel_and_invoice_rules_on_the_services_endpoint(sandbox, seller):
    placed = sandbox.marketplace_place_order(
        seller.url,
        [{"id": "SKU-A", "quantity": 1, "price": 5000}],
        shipping_price=0,
    )
    path = f"/marketplace-services/api/oms/pvt/orders/{placed['marketplaceOrderId']}"
    invoice = {
        "type": "Output",
        "invoiceNumber": "1",
        "invoiceValue": 6000,
        "items": [{"id": "SKU-A", "quantity": 1, "price": 5000}],
    }

    over = sandbox.vtex("POST", f"{path}/invoice", json=invoice)
    assert error_code(over) == "SBX-OVER-INVOICE"
    assert (
        sandbox.vtex("POST", f"{path}/invoice", json={**invoice, "invoiceValue": 5000}).status_code
        == 200
    )
    refused = sandbox.vtex("POST", f"{path}/cancel", json={"reason": "sem estoque"})
    assert error_code(refused) == "SBX-CANCEL-INVOICED"
    assert (
        sandbox.vtex(
            "POST",
            f"{path}/invoice",
            json={**invoice, "type": "Input", "invoiceNumber": "DEV-1", "invoiceValue": 5000},
        ).status_code
        == 200
    )
    assert sandbox.vtex("POST", f"{path}/cancel", json={"reason": "devolvido"}).status_code == 200
    missing = sandbox.vtex(
        "POST", "/marketplace-services/api/oms/pvt/orders/nope/cancel", json={"reason": "x"}
    )
    assert missing.status_code == 404


def test_an_unreachable_seller_is_reported_not_raised(sandbox):
    gone = RecordingServer()
    url = gone.url
    gone.close()

    result = sandbox.marketplace_place_order(url, [{"id": "SKU-A", "quantity": 1, "price": 100}])

    assert result["status"] is None
    assert result["error"]
    record = sandbox.marketplace_order(result["marketplaceOrderId"])
    assert record["status"] == "order-create-error"
    response = requests.post(
        f"{sandbox.base_url}/_sandbox/marketplace/orders/{result['marketplaceOrderId']}/fulfill",
        json={},
        timeout=10,
    )
    assert response.status_code == 400
