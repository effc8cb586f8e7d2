"""Every operation the sandbox serves, driven over HTTP, each exchange checked against the specs."""

from __future__ import annotations

import pytest
import requests

from tests.contract.openapi import validate_exchange
from tests.fixtures.recorder import RecordingServer

ORDERS = "/api/oms/pvt/orders"
# The change notification naming the seller and its SKU (no operationId in the spec).
SKU_BINDING_CHANGE = "/sku-binding/pvt/skuseller/changenotification/{sellerId}/{sellerSkuId}"

# (api, operationId, status) the sandbox must be seen answering, checked at the end.
EXPECTED = {
    ("oms", "ListOrders", 200),
    ("oms", "GetOrder", 200),
    ("oms", "GetOrder", 404),
    ("oms", "GetOrder", 401),
    ("oms", "StartHandling", 204),
    ("oms", "StartHandling", 409),
    ("oms", "CancelOrder", 200),
    ("oms", "CancelOrder", 400),
    ("oms", "InvoiceNotification", 200),
    ("oms", "InvoiceNotification", 400),
    ("oms", "Updatepartialinvoice.SendTrackingNumber", 200),
    ("oms", "Updatepartialinvoice.SendTrackingNumber", 404),
    ("oms", "UpdateTrackingStatus", 200),
    ("oms", "RegisterChange", 200),
    ("oms", "GetPaymenttransaction", 200),
    ("oms", "Getfeedorderstatus1", 200),
    ("oms", "Getfeedorderstatus1", 404),
    ("oms", "Commititemfeedorderstatus", 200),
    ("oms", "GetFeedConfiguration", 200),
    ("oms", "FeedConfiguration", 200),
    ("oms", "FeedConfiguration", 409),
    ("oms", "FeedConfigurationDelete", 200),
    ("oms", "GetHookConfiguration", 200),
    ("oms", "HookConfiguration", 200),
    ("oms", "DeleteHookConfiguration", 200),
    ("payments", "TransactionDetails", 200),
    ("sku-bindings", f"POST {SKU_BINDING_CHANGE}", 200),
    ("sku-bindings", f"POST {SKU_BINDING_CHANGE}", 404),
    (
        "catalog",
        "POST /api/catalog_system/pvt/skuseller/changenotification/{sellerId}/{sellerSkuId}",
        204,
    ),
    ("marketplace-apis", "PriceNotification", 202),
    ("marketplace-apis", "InventoryNotification", 202),
    ("suggestions", "SaveSuggestion", 200),
    ("suggestions", "GetSuggestion", 200),
    ("suggestions", "GetSuggestion", 404),
    ("marketplace-services", "send-invoice", 200),
    ("marketplace-services", "send-tracking-information", 200),
    ("marketplace-services", "update-tracking-status", 200),
    ("marketplace-services", "cancel-order-in-marketplace", 200),
    ("oms", "ListOrders", 429),
    ("oms", "PreviewChange", 200),
    ("oms", "PreviewChange", 400),
    ("oms", "Createchange", 202),
    ("oms", "Createchange", 400),
    ("oms", "Createchange", 409),
    ("oms", "GetChangeHistory", 200),
    ("oms", "GetChangeDetail", 200),
    ("oms", "GetChangeDetail", 404),
    ("oms", "RetryChange", 204),
    ("oms", "RetryChange", 409),
    ("oms", "CancelChangeStoppedonError", 200),
    ("oms", "CancelChangeStoppedonError", 409),
    ("oms", "GET /api/order-system/orders/changes/settings", 200),
    ("oms", "PUT /api/order-system/orders/changes/settings", 200),
}


@pytest.fixture
def checked(sandbox):
    """A session whose every VTEX exchange is validated; `seen` lists what was checked."""
    session = requests.Session()
    session.headers.update(sandbox.vtex_headers)
    session.seen = set()

    def check(response, *args, **kwargs):
        operation = validate_exchange(response)
        session.seen.add((operation.api, operation.operation_id, response.status_code))

    session.hooks["response"].append(check)
    session.url = lambda path: sandbox.base_url + path
    yield session
    session.close()


def _invoice(number: str, value, kind: str = "Output") -> dict:
    return {
        "type": kind,
        "issuanceDate": "2024-05-02T10:00:00",
        "invoiceNumber": number,
        "invoiceValue": value,
        "invoiceKey": None,
        "invoiceUrl": None,
        "embeddedInvoice": None,
        "courier": "",
        "trackingNumber": "",
        "trackingUrl": "",
        "dispatchedDate": None,
        "items": [{"id": "1", "price": 100, "quantity": 1}],
    }


def _oms(sandbox, s):
    sandbox.reset(orders=60, seed=5)
    sandbox.create_orders(3, status="ready-for-handling")
    body = s.get(s.url(ORDERS), params={"per_page": 100, "orderBy": "creationDate,asc"}).json()
    for entry in body["list"]:
        order = s.get(s.url(f"{ORDERS}/{entry['orderId']}")).json()
        s.get(s.url(f"{ORDERS}/{entry['orderId']}/payment-transaction"))
        transaction = order["paymentData"]["transactions"][0]["transactionId"]
        s.get(s.url(f"/api/pvt/transactions/{transaction}"))
    s.get(s.url(f"{ORDERS}/0000000000000-01"))
    requests.get(s.url(f"{ORDERS}/x"), timeout=10, hooks={"response": s.hooks["response"]})

    ready = sandbox.orders(status="ready-for-handling")[0]["orderId"]
    assert s.post(s.url(f"{ORDERS}/{ready}/start-handling")).status_code == 204
    assert s.post(s.url(f"{ORDERS}/{ready}/start-handling")).status_code == 409
    value = s.get(s.url(f"{ORDERS}/{ready}")).json()["value"]
    change = {
        "requestId": "c1",
        "reason": "troca",
        "discountValue": 100,
        "incrementValue": 0,
        "itemsRemoved": [],
        "itemsAdded": [],
    }
    assert s.post(s.url(f"{ORDERS}/{ready}/changes"), json=change).status_code == 200
    value -= 100
    assert (
        s.post(
            s.url(f"{ORDERS}/{ready}/invoice"), json=_invoice("NF-1", str(value - 50))
        ).status_code
        == 200
    )
    assert s.post(s.url(f"{ORDERS}/{ready}/invoice"), json=_invoice("NF-2", 51)).status_code == 400
    assert s.post(s.url(f"{ORDERS}/{ready}/cancel"), json={"reason": "x"}).status_code == 400
    assert s.post(s.url(f"{ORDERS}/{ready}/invoice"), json=_invoice("NF-2", 50)).status_code == 200
    tracking = {
        "trackingNumber": "BR1",
        "trackingUrl": "https://t/BR1",
        "courier": "Correios",
        "dispatchedDate": "2024-05-03T10:00:00",
    }
    assert s.patch(s.url(f"{ORDERS}/{ready}/invoice/NF-1"), json=tracking).status_code == 200
    assert s.patch(s.url(f"{ORDERS}/{ready}/invoice/NOPE"), json=tracking).status_code == 404
    events = {
        "isDelivered": True,
        "deliveredDate": "2024-05-05 10:00",
        "events": [
            {"city": "Recife", "state": "PE", "description": "Entregue", "date": "2024-05-05"}
        ],
    }
    assert s.put(s.url(f"{ORDERS}/{ready}/invoice/NF-1/tracking"), json=events).status_code == 200
    assert (
        s.post(s.url(f"{ORDERS}/{ready}/invoice"), json=_invoice("DEV-1", 500, "Input")).status_code
        == 200
    )
    final = s.get(s.url(f"{ORDERS}/{ready}")).json()
    assert final["status"] == "invoiced"

    other = sandbox.orders(status="ready-for-handling")[0]["orderId"]
    assert s.post(s.url(f"{ORDERS}/{other}/cancel"), json={"reason": "x"}).status_code == 200
    s.get(s.url(f"{ORDERS}/{other}"))


def _feed_and_hook(sandbox, s):
    config = {
        "filter": {"type": "FromWorkflow", "status": ["ready-for-handling"]},
        "queue": {"visibilityTimeoutInSeconds": 240, "MessageRetentionPeriodInSeconds": 345600},
    }
    assert s.get(s.url("/api/orders/feed"), params={"maxlot": 10}).status_code == 404
    assert s.post(s.url("/api/orders/feed/config"), json=config).status_code == 200
    conflict = {**config, "filter": {**config["filter"], "expression": "value > 1"}}
    assert s.post(s.url("/api/orders/feed/config"), json=conflict).status_code == 409
    sandbox.create_orders(2)
    items = s.get(s.url("/api/orders/feed"), params={"maxlot": 10}).json()
    assert len(items) == 2
    handles = {"handles": [item["handle"] for item in items]}
    assert s.post(s.url("/api/orders/feed"), json=handles).status_code == 200
    assert s.get(s.url("/api/orders/feed/config")).json()["quantity"] == 0
    assert s.delete(s.url("/api/orders/feed/config")).status_code == 200

    receiver = RecordingServer()
    try:
        hook = {
            "filter": {"type": "FromWorkflow", "status": ["handling"]},
            "hook": {"url": receiver.url, "headers": {"key": "secret"}},
        }
        assert s.post(s.url("/api/orders/hook/config"), json=hook).status_code == 200
        assert s.get(s.url("/api/orders/hook/config")).json()["hook"]["url"] == receiver.url
        assert s.delete(s.url("/api/orders/hook/config")).status_code == 200
    finally:
        receiver.close()


def _catalog(sandbox, s):
    sandbox.set_bindings(["1"], seller_id="seller1")
    change = "/api/sku-binding/pvt/skuseller/changenotification"
    assert s.post(s.url(f"{change}/seller1/1")).status_code == 200
    assert s.post(s.url(f"{change}/seller1/2")).status_code == 404
    catalog_change = "/api/catalog_system/pvt/skuseller/changenotification"
    assert s.post(s.url(f"{catalog_change}/seller1/1")).status_code == 204
    for kind in ("price", "inventory"):
        s.post(s.url(f"/api/notificator/seller1/changenotification/1/{kind}"))
    suggestion = {
        "ProductName": "Garrafa Térmica 1L",
        "ProductId": "118",
        "ProductDescription": "Inox",
        "BrandName": "Stanley",
        "SkuName": "Garrafa Térmica 1L Verde",
        "SellerId": "seller1",
        "Height": 30,
        "Width": 10,
        "Length": 10,
        "Weight": 700,
        "EAN": "7891000315507",
        "CategoryFullPath": "Casa/Garrafas",
        "Images": [{"imageName": "frente", "imageUrl": "https://img.example.com/g.jpg"}],
        "AvailableQuantity": 5,
        "Pricing": {"Currency": "BRL", "SalePrice": 24990, "CurrencySymbol": "R$"},
    }
    assert s.put(s.url("/suggestions/seller1/118"), json=suggestion).status_code == 200
    assert s.get(s.url("/suggestions/seller1/118")).status_code == 200
    sandbox.deny_suggestion("seller1", "118")
    assert s.get(s.url("/suggestions/seller1/118")).status_code == 404


def _marketplace_services(sandbox, s):
    seller = RecordingServer(lambda request: (200, {**request["body"], "orderId": "S-1"}))
    try:
        placed = sandbox.marketplace_place_order(
            seller.url, [{"id": "A", "quantity": 1, "price": 1000}], shipping_price=0
        )
    finally:
        seller.close()
    base = f"/marketplace-services/api/oms/pvt/orders/{placed['marketplaceOrderId']}"
    invoice = {
        "type": "Output",
        "invoiceNumber": "NF-1",
        "invoiceValue": 1000,
        "issuanceDate": "2024-05-02T10:00:00",
        "courier": "",
        "trackingNumber": "",
        "trackingUrl": "",
        "items": [{"id": "A", "quantity": 1, "price": 1000}],
    }
    assert s.post(s.url(f"{base}/invoice"), json=invoice).status_code == 200
    tracking = {
        "courier": "Correios",
        "trackingNumber": "BR1",
        "trackingUrl": "https://t/BR1",
        "dispatchedDate": "2024-05-03T10:00:00",
    }
    assert s.post(s.url(f"{base}/invoice/NF-1"), json=tracking).status_code == 200
    status = {
        "isDelivered": False,
        "events": [
            {"city": "Cajamar", "state": "SP", "description": "Em trânsito", "date": "2024-05-04"}
        ],
    }
    assert s.post(s.url(f"{base}/invoice/NF-1/tracking"), json=status).status_code == 200
    refund = {**invoice, "type": "Input", "invoiceNumber": "DEV-1"}
    assert s.post(s.url(f"{base}/invoice"), json=refund).status_code == 200
    assert s.post(s.url(f"{base}/cancel"), json={"reason": "devolvido"}).status_code == 200


def _modifications(sandbox, s):
    """The Order Modifications API: every operation, its answers and its refusals."""
    skus: set[str] = set()
    items: list[dict] = []
    while len(items) < 2 or not skus - {item["id"] for item in items}:
        [order_id] = sandbox.create_orders(1, status="handling")
        items = sandbox.order(order_id)["order"]["items"]
        skus.update(item["id"] for item in items)
    catalog_sku = sorted(skus - {item["id"] for item in items})[0]
    base = f"/api/order-system/orders/{order_id}/changes"
    an = {"an": "sandbox"}
    change = {
        "reason": "Falta de estoque",
        "manualDiscountValue": 100,
        "remove": {"items": [{"id": items[0]["id"], "quantity": 1}]},
        "replace": [
            {
                "from": {"items": [{"id": items[-1]["id"], "quantity": 1}]},
                "to": {"items": [{"id": items[-1]["id"], "quantity": 1}]},
            }
        ],
    }
    assert s.post(s.url(f"{base}/preview"), params=an, json=change).status_code == 200
    too_many = {"reason": "x", "remove": {"items": [{"id": items[0]["id"], "quantity": 999}]}}
    assert s.post(s.url(f"{base}/preview"), params=an, json=too_many).status_code == 400
    created = s.patch(s.url(base), params={"accountName": "sandbox"}, json=change)
    assert created.status_code == 202
    request_id = created.json()["requestId"]
    assert s.get(s.url(base), params=an).status_code == 200
    assert s.get(s.url(f"{base}/{request_id}"), params=an).json()["status"] == "done"
    assert s.get(s.url(f"{base}/nope"), params=an).status_code == 404
    reason = {"reason": "x"}
    assert s.post(s.url(f"{base}/{request_id}/cancel"), params=an, json=reason).status_code == 409
    assert s.post(s.url(f"{base}/{request_id}/retry"), params=an, json=reason).status_code == 409

    sandbox.set_options(change_stops=2)
    add = {"reason": "Brinde", "add": {"items": [{"id": catalog_sku, "quantity": 1}]}}
    assert s.post(s.url(f"{base}/preview"), params=an, json=add).status_code == 200
    discount = {"reason": "Desconto", "manualDiscountValue": 50}
    stopped = s.patch(s.url(base), params={"accountName": "sandbox"}, json=discount).json()[
        "requestId"
    ]
    again = s.patch(s.url(base), params={"accountName": "sandbox"}, json=discount)
    assert again.status_code == 409
    assert s.post(s.url(f"{base}/{stopped}/retry"), params=an, json=reason).status_code == 204
    assert s.get(s.url(f"{base}/{stopped}"), params=an).json()["status"] == "error"
    assert s.post(s.url(f"{base}/{stopped}/cancel"), params=an, json=reason).status_code == 200
    s.get(s.url(base), params=an)
    empty = s.patch(s.url(base), params={"accountName": "sandbox"}, json={"reason": "nada"})
    assert empty.status_code == 400

    settings = "/api/order-system/orders/changes/settings"
    assert s.get(s.url(settings), params=an).status_code == 200
    pipeline = {"pipelineConfiguration": {"compensateShippingChanges": True}}
    assert s.put(s.url(settings), params=an, json=pipeline).status_code == 200


def test_every_operation_answers_as_the_specs_say(sandbox, checked):
    _oms(sandbox, checked)
    _modifications(sandbox, checked)
    _feed_and_hook(sandbox, checked)
    _catalog(sandbox, checked)
    _marketplace_services(sandbox, checked)
    sandbox.set_faults(rate_429=1.0, paths=[ORDERS])
    checked.get(checked.url(ORDERS))
    sandbox.clear_faults()

    assert checked.seen >= EXPECTED, sorted(EXPECTED - checked.seen)
