"""The seller endpoints as a VTEX marketplace calls them (Django's test client): credentials,
the fulfillment simulation, order placement, the authorization to dispatch and the
marketplace's cancellation; every answer checked against the External Seller Fulfillment
spec."""

from __future__ import annotations

import json
import random
from urllib.parse import quote

import pytest

from catalog.models import Sku, StockReservation
from catalog.selectors import sku_available
from core.actor import Actor
from orders.models import EventType, Order, OrderEvent, OrderOrigin
from orders.services.marketplace import marketplace_commands_applied
from outbox.models import CommandState, VtexCommand
from tests.catalog.seller_data import (
    APP_KEY,
    APP_TOKEN,
    GUIDE_PLACEMENT,
    GUIDE_SIMULATION,
    HEADERS,
    ORDERS,
    SERVICES,
    SIMULATION,
    catalog_load,
    placement,
)
from tests.contract.openapi import validate_response

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _seller_credentials(settings):
    settings.SELLER_APP_KEY = APP_KEY
    settings.SELLER_APP_TOKEN = APP_TOKEN
    settings.VTEX_SELLER_ID = "1"


def post(client, path, body, **headers):
    response = client.post(
        path, json.dumps(body), content_type="application/json", **{**HEADERS, **headers}
    )
    checked(response, "POST", path)
    return response


def checked(response, method, path):
    """Every answer fits the spec: its 200 body, or VTEX's error envelope for an error."""
    # The GET simulation is the POST's cached twin: the spec documents the POST only.
    validate_response(
        "POST" if path.startswith(SIMULATION) else method,
        path.split("?")[0],
        response.status_code,
        response.json(),
        content_type=response["Content-Type"],
        api="seller-fulfillment",
    )
    return response


def available(sku_id: str) -> int:
    return sku_available(sku=Sku.objects.get(sku_id=sku_id))


# --- Credentials ------------------------------------------------------------------------------

ENDPOINTS = [
    ("POST", SIMULATION),
    ("GET", SIMULATION + "?purchaseContext=" + quote(json.dumps(GUIDE_SIMULATION))),
    ("POST", ORDERS),
    ("POST", ORDERS + "/SLR-1/fulfill"),
    ("POST", ORDERS + "/SLR-1/cancel"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_X_VTEX_API_APPKEY": APP_KEY},
        {"HTTP_X_VTEX_API_APPKEY": APP_KEY, "HTTP_X_VTEX_API_APPTOKEN": "wrong"},
        {"HTTP_X_VTEX_API_APPKEY": "wrong", "HTTP_X_VTEX_API_APPTOKEN": APP_TOKEN},
        {"HTTP_AUTHORIZATION": f'VTEX key="{APP_KEY}" token="nope"'},
        {"HTTP_AUTHORIZATION": f"Bearer {APP_TOKEN}"},
    ],
    ids=["none", "key-only", "wrong-token", "wrong-key", "wrong-authorization", "bearer"],
)
def test_calls_without_the_marketplace_credentials_get_401(client, method, path, headers):
    catalog_load()
    body = json.dumps(GUIDE_SIMULATION if "simulation" in path else placement())
    if method == "GET":
        response = client.get(path, **headers)
    else:
        response = client.post(path, body, content_type="application/json", **headers)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHORIZED"
    checked(response, method, path)
    assert not Order.objects.exists()


def test_no_credentials_configured_refuses_even_empty_ones(client, settings):
    settings.SELLER_APP_KEY = settings.SELLER_APP_TOKEN = ""
    response = client.post(
        SIMULATION,
        json.dumps(GUIDE_SIMULATION),
        content_type="application/json",
        HTTP_X_VTEX_API_APPKEY="",
        HTTP_X_VTEX_API_APPTOKEN="",
    )
    assert response.status_code == 401


def test_the_authorization_header_form_is_accepted(client):
    catalog_load()
    for value in (
        f'VTEX key="{APP_KEY}" token="{APP_TOKEN}"',
        f"vtex key={APP_KEY} token={APP_TOKEN}",
    ):
        response = client.post(
            SIMULATION,
            json.dumps(GUIDE_SIMULATION),
            content_type="application/json",
            HTTP_AUTHORIZATION=value,
        )
        assert response.status_code == 200, value


# --- Simulation -------------------------------------------------------------------------------


def test_the_guides_simulation_answers_prices_quantities_and_slas(
    client, django_assert_max_num_queries
):
    catalog_load()
    with django_assert_max_num_queries(2):
        response = post(client, SIMULATION + "?sc=1&an=mymarketplace", GUIDE_SIMULATION)

    assert response.status_code == 200
    body = response.json()
    assert [
        (i["id"], i["requestIndex"], i["quantity"], i["price"], i["listPrice"])
        for i in body["items"]
    ] == [
        ("2000037", 0, 1, 4990, 5990),
        # No list price: the price is the list price.
        ("34562", 1, 2, 18990, 18990),
    ]
    assert body["items"][0]["seller"] == "1" and body["items"][0]["offerings"] == []
    first, second = body["logisticsInfo"]
    assert (first["itemIndex"], first["quantity"], first["stockBalance"]) == (0, 1, 10)
    assert (second["itemIndex"], second["quantity"], second["stockBalance"]) == (1, 2, 3)
    # CEP 22051030 (Rio) is outside Normal's range and Expressa's: Normal's default only,
    # charged once per delivery, on the first item.
    assert [(s["id"], s["price"], s["shippingEstimate"]) for s in first["slas"]] == [
        ("Normal", 1590, "7bd")
    ]
    assert [(s["id"], s["price"]) for s in second["slas"]] == [("Normal", 0)]
    assert (body["postalCode"], body["country"]) == ("22051030", "BRA")


def test_a_cep_in_range_gets_the_range_slas(client):
    catalog_load()
    body = post(client, SIMULATION, {**GUIDE_SIMULATION, "postalCode": "01311-000"}).json()
    slas = body["logisticsInfo"][0]["slas"]
    assert [(s["id"], s["price"], s["shippingEstimate"], s["deliveryChannel"]) for s in slas] == [
        ("Expressa", 2490, "1bd", "delivery"),
        ("Normal", 990, "4bd", "delivery"),
    ]
    assert body["postalCode"] == "01311-000"


def test_without_a_postal_code_there_are_no_slas(client):
    catalog_load()
    body = post(client, SIMULATION, {"items": GUIDE_SIMULATION["items"]}).json()
    assert [info["slas"] for info in body["logisticsInfo"]] == [[], []]
    assert len(body["items"]) == 2
    # The spec types both as strings (required): empty, not null, when the request has none.
    assert (body["postalCode"], body["country"]) == ("", "")


def test_unknown_inactive_and_unavailable_items_are_left_out(client):
    catalog_load()
    cart = {
        "items": [
            {"id": "nope", "quantity": 1, "seller": "1"},
            {"id": "555", "quantity": 1, "seller": "1"},  # no stock
            {"id": "777", "quantity": 1, "seller": "1"},  # inactive
            {"id": "34562", "quantity": 5, "seller": "1"},  # 3 in stock
        ],
        "postalCode": "01311000",
        "country": "BRA",
    }
    body = post(client, SIMULATION, cart).json()

    [item] = body["items"]
    assert (item["id"], item["requestIndex"], item["quantity"]) == ("34562", 3, 3)
    [info] = body["logisticsInfo"]
    assert (info["itemIndex"], info["quantity"], info["stockBalance"]) == (0, 3, 3)


def test_nothing_available_answers_empty_lists(client):
    catalog_load()
    body = post(client, SIMULATION, {"items": [{"id": "555", "quantity": 1, "seller": "1"}]}).json()
    assert (body["items"], body["logisticsInfo"]) == ([], [])


def test_the_units_placed_orders_hold_are_not_offered(client):
    catalog_load()
    assert post(client, ORDERS, placement(items=[("34562", 2, 18990)])).status_code == 200

    body = post(
        client, SIMULATION, {"items": [{"id": "34562", "quantity": 3, "seller": "1"}]}
    ).json()
    assert body["items"][0]["quantity"] == 1
    assert body["logisticsInfo"][0]["stockBalance"] == 1


def test_the_get_simulation_reads_the_url_encoded_purchase_context(client):
    catalog_load()
    context = quote(json.dumps({**GUIDE_SIMULATION, "postalCode": "01311000"}))
    path = f"{SIMULATION}?purchaseContext={context}&sc=1&an=mymarketplace"
    response = checked(client.get(path, **HEADERS), "GET", path)

    assert response.status_code == 200
    assert (
        response.json()
        == post(client, SIMULATION, {**GUIDE_SIMULATION, "postalCode": "01311000"}).json()
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("not json", "The body is not JSON"),
        ([], "The simulation body must be a JSON object"),
        ({}, "items must be a non-empty list"),
        ({"items": [{"quantity": 1}]}, "items[0].id (the seller's SKU id) is required"),
        ({"items": [{"id": "1", "quantity": 0}]}, "items[0].quantity must be a whole number"),
        ({"items": [{"id": "1", "quantity": "2"}]}, "items[0].quantity must be a whole number"),
        ({"items": [{"id": "1", "quantity": True}]}, "items[0].quantity must be a whole number"),
        ({"items": [{"id": "1", "quantity": 1}] * 101}, "items holds more than 100 entries"),
        (
            {"items": [{"id": "1", "quantity": 1}], "postalCode": "123", "country": "BRA"},
            "postalCode '123' is not a Brazilian CEP (8 digits)",
        ),
        (
            {"items": [{"id": "1", "quantity": 1}], "postalCode": 1234},
            "postalCode must be a string",
        ),
    ],
)
def test_bad_simulation_bodies_get_a_400_naming_the_field(client, body, message):
    raw = body if isinstance(body, str) else json.dumps(body)
    response = client.post(SIMULATION, raw, content_type="application/json", **HEADERS)
    checked(response, "POST", SIMULATION)
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith(message)


def test_a_get_without_purchase_context_is_a_400(client):
    for path in (SIMULATION, SIMULATION + "?purchaseContext=%7Bnope"):
        response = checked(client.get(path, **HEADERS), "GET", path)
        assert response.status_code == 400
        assert "purchaseContext" in response.json()["error"]["message"]


def test_another_verb_is_a_405_in_vtex_envelope(client):
    response = client.get(ORDERS, **HEADERS)
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "METHOD_NOT_ALLOWED"


def test_generated_carts_answer_as_the_spec_says(client):
    """Random carts (known, unknown, out-of-stock and inactive SKUs, with and without a
    postal code, in range or not): each answer validates and offers no more than the stock."""
    catalog_load()
    stock = dict(Sku.objects.filter(active=True).values_list("sku_id", "stock"))
    chooser = random.Random(10)
    for _ in range(60):
        lines = [
            {
                "id": chooser.choice(["2000037", "34562", "555", "777", "x", 2000037]),
                "quantity": chooser.randint(1, 12),
                chooser.choice(["seller", "Seller"]): "1",
            }
            for _ in range(chooser.randint(1, 5))
        ]
        cart = {"items": lines}
        if chooser.random() < 0.7:
            cart |= {
                "postalCode": chooser.choice(["01311000", "22051-030", "04538133"]),
                "country": "BRA",
            }
        method = chooser.choice(["GET", "POST"])
        if method == "GET":
            path = f"{SIMULATION}?purchaseContext={quote(json.dumps(cart))}"
            response = checked(client.get(path, **HEADERS), "GET", path)
        else:
            response = post(client, SIMULATION, cart)
        assert response.status_code == 200
        body = response.json()
        served: dict[str, int] = {}
        for item, info in zip(body["items"], body["logisticsInfo"], strict=True):
            asked = lines[item["requestIndex"]]
            assert item["id"] == str(asked["id"]) and 0 < item["quantity"] <= asked["quantity"]
            assert info["quantity"] == item["quantity"]
            served[item["id"]] = served.get(item["id"], 0) + item["quantity"]
            assert bool(info["slas"]) == ("postalCode" in cart)
        assert all(served[sku] <= stock[sku] for sku in served)


# --- Placement ----------------------------------------------------------------------------------


def test_a_placement_creates_the_order_and_holds_its_units(client):
    skus = catalog_load()
    body = placement()
    response = post(client, ORDERS + "?sc=1&an=mymarketplace", body)

    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["orderId"] == "SLR-1300000007919-01"
    assert answer["marketplaceOrderId"] == "1300000007919-01"
    assert [(i["id"], i["quantity"], i["price"]) for i in answer["items"]] == [
        (i["id"], i["quantity"], i["price"]) for i in body["items"]
    ]
    assert answer["items"][0]["measurementUnit"] == "un"
    order = Order.objects.get(vtex_order_id=answer["orderId"])
    assert order.at_marketplace
    assert (order.status, order.origin) == ("waiting-ffmt-authorization", OrderOrigin.MARKETPLACE)
    assert order.marketplace_order_id == "1300000007919-01"
    assert order.marketplace_services_endpoint == SERVICES
    assert (order.value, order.items_total, order.shipping_total) == (
        2 * 4990 + 18990 + 990,
        2 * 4990 + 18990,
        990,
    )
    assert [(i.sku_id, i.name, i.quantity, i.selling_price) for i in order.items.all()] == [
        ("2000037", "Camiseta P", 2, 4990),
        ("34562", "Calça 40", 1, 18990),
    ]
    # The customer in the columns (shown per permission), never in the stored document.
    assert (order.customer_email, order.shipping_postal_code) == (
        "32172239852@gmail.com.br",
        "13476103",
    )
    assert "32172239852" not in json.dumps(order.raw_document)
    imported = OrderEvent.objects.get(order=order)
    assert (imported.type, imported.source) == (EventType.IMPORTED, Actor.SELLER_API)
    held = dict(StockReservation.objects.values_list("sku__sku_id", "quantity"))
    assert held == {"2000037": 2, "34562": 1}
    assert (available("2000037"), available("34562")) == (8, 2)
    assert skus["2000037"].stock == Sku.objects.get(sku_id="2000037").stock == 10


def test_a_retried_placement_returns_the_same_order_and_holds_nothing_more(client):
    catalog_load()
    first = post(client, ORDERS, placement()).json()
    again = post(client, ORDERS, placement()).json()

    assert first["orderId"] == again["orderId"]
    assert Order.objects.count() == 1
    assert StockReservation.objects.count() == 2
    assert available("2000037") == 8


def test_the_guides_placement_list_is_answered_as_a_list(client):
    catalog_load()
    body = json.loads(json.dumps(GUIDE_PLACEMENT))
    body[0]["shippingData"]["logisticsInfo"][0]["selectedSla"] = "Normal"
    # The guide's unitMultiplier 0 is refused (test_seller_bounds); the spec's default is 1.
    body[0]["items"][0]["unitMultiplier"] = 1
    response = client.post(ORDERS, json.dumps(body), content_type="application/json", **HEADERS)

    assert response.status_code == 200, response.content
    [answer] = response.json()
    assert answer["orderId"] == "SLR-959311095"
    # The spec documents the object form only: each order of the list is one answer.
    validate_response("POST", ORDERS, 200, answer, api="seller-fulfillment")
    assert Order.objects.get(vtex_order_id="SLR-959311095").items.get().selling_price == 9990


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda b: b["items"][1].update(id="nope"),
            "SKU nope is not sold by this seller",
        ),
        (lambda b: b["items"][1].update(quantity=4), "SKU 34562: 4 ordered, 3 available"),
        (lambda b: b["items"][0].update(id="777"), "SKU 777 is not sold by this seller"),
        (
            lambda b: b["shippingData"]["logisticsInfo"][0].update(selectedSla="Expressa"),
            "SLA 'Expressa' is not offered for CEP 13476103; offered: Normal",
        ),
        (lambda b: b.pop("marketplaceOrderId"), "marketplaceOrderId is required"),
        (lambda b: b.update(marketplaceOrderId="../x"), "marketplaceOrderId is required"),
        (
            lambda b: b.update(marketplaceServicesEndpoint="ftp://x"),
            "marketplaceServicesEndpoint must be an http(s) URL",
        ),
        (
            lambda b: b["items"][0].update(price=-1),
            "items[0].price must be a whole number of cents",
        ),
        (lambda b: b["clientProfileData"].pop("email"), "clientProfileData.email is required"),
        (
            lambda b: b["shippingData"]["address"].update(postalCode="x"),
            "shippingData.address.postalCode is not a CEP",
        ),
        (
            lambda b: b["shippingData"]["logisticsInfo"].pop(),
            "shippingData.logisticsInfo has no SLA for items [1]",
        ),
        (
            lambda b: b["shippingData"]["logisticsInfo"][0].update(itemIndex=7),
            "shippingData.logisticsInfo[0].itemIndex",
        ),
        (lambda b: b.update(items=[]), "items must be a non-empty list"),
    ],
)
def test_a_bad_placement_is_a_400_and_changes_nothing(client, change, message):
    catalog_load()
    body = placement()
    change(body)
    response = post(client, ORDERS, body)

    assert response.status_code == 400
    assert message in response.json()["error"]["message"]
    assert not Order.objects.exists() and not StockReservation.objects.exists()


# --- Fulfill and cancel ---------------------------------------------------------------------------


def placed(client, marketplace_order_id="1300000007919-01", **kwargs) -> Order:
    answer = post(client, ORDERS, placement(marketplace_order_id, **kwargs)).json()
    return Order.objects.get(vtex_order_id=answer["orderId"])


def test_fulfill_makes_the_order_ready_for_handling_once(client):
    catalog_load()
    order = placed(client)
    path = f"{ORDERS}/{order.vtex_order_id}/fulfill"
    first = post(client, path, {"marketplaceOrderId": order.marketplace_order_id})

    assert first.status_code == 200
    answer = first.json()
    assert (answer["orderId"], answer["marketplaceOrderId"]) == (
        order.vtex_order_id,
        order.marketplace_order_id,
    )
    assert answer["receipt"] and answer["date"]
    order.refresh_from_db()
    assert order.status == "ready-for-handling"
    changed = OrderEvent.objects.get(order=order, type=EventType.STATUS_CHANGED)
    assert (changed.from_status, changed.to_status, changed.source, changed.receipt) == (
        "waiting-ffmt-authorization",
        "ready-for-handling",
        Actor.SELLER_API,
        answer["receipt"],
    )
    again = post(client, path, {"marketplaceOrderId": order.marketplace_order_id}).json()
    assert again["receipt"] == answer["receipt"]
    assert OrderEvent.objects.filter(order=order, type=EventType.STATUS_CHANGED).count() == 1


def test_fulfill_of_an_unknown_order_is_a_404_in_vtex_envelope(client):
    catalog_load()
    # A store order (not placed by a marketplace) is unknown on the seller side too.
    store_order = placed(client)
    Order.objects.filter(pk=store_order.pk).update(seller_order_id="")
    for order_id in ("SLR-nope", store_order.vtex_order_id):
        response = post(client, f"{ORDERS}/{order_id}/fulfill", {"marketplaceOrderId": "x"})
        assert response.status_code == 404
        assert response.json()["error"] == {
            "code": "ORDER_NOT_FOUND",
            "message": f"Order {order_id} was not found",
            "exception": None,
        }


def test_fulfill_for_another_marketplace_order_is_refused(client):
    catalog_load()
    order = placed(client)
    response = post(
        client, f"{ORDERS}/{order.vtex_order_id}/fulfill", {"marketplaceOrderId": "999-01"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "MARKETPLACE_ORDER_MISMATCH"
    order.refresh_from_db()
    assert order.status == "waiting-ffmt-authorization"


def cancellation(order: Order) -> dict:
    return {
        "marketplaceOrderId": order.marketplace_order_id,
        "marketplaceOrderGroup": order.marketplace_order_id.rsplit("-", 1)[0],
        "cancellationRequestId": "c0ffee",
        "cancellationRequestDate": "2026-11-28T12:00:00Z",
        "reason": "Cliente desistiu",
        "requestedByUser": True,
    }


def test_the_marketplaces_cancellation_releases_the_stock(client):
    catalog_load()
    order = placed(client)
    assert available("34562") == 2
    response = post(client, f"{ORDERS}/{order.vtex_order_id}/cancel", cancellation(order))

    assert response.status_code == 200
    receipt = response.json()["receipt"]
    order.refresh_from_db()
    assert order.status == "canceled"
    assert (available("34562"), available("2000037")) == (3, 10)
    assert Sku.objects.get(sku_id="34562").stock == 3
    assert not StockReservation.objects.filter(released_at__isnull=True).exists()
    event = OrderEvent.objects.get(order=order, to_status="canceled")
    assert (event.source, event.payload["reason"]) == (Actor.SELLER_API, "Cliente desistiu")
    # Asked again (VTEX calls twice): the same answer, nothing more.
    again = post(client, f"{ORDERS}/{order.vtex_order_id}/cancel", cancellation(order))
    assert again.json()["receipt"] == receipt


def test_the_marketplaces_cancellation_is_refused_once_invoiced(
    client, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from orders.operations.invoice import InvoiceRequest, invoice_submit

    catalog_load()
    order = placed(client)
    post(
        client,
        f"{ORDERS}/{order.vtex_order_id}/fulfill",
        {"marketplaceOrderId": order.marketplace_order_id},
    )
    order.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=False):
        result = invoice_submit(
            InvoiceRequest(order=order, number="NF9", issued_at=timezone.now()), user=None
        )

    # Queued, not yet sent: refused already.
    response = post(client, f"{ORDERS}/{order.vtex_order_id}/cancel", cancellation(order))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "ORDER_INVOICED"
    # Sent: the order is invoiced and the units left the stock.
    VtexCommand.objects.filter(pk=result.command.pk).update(state=CommandState.SUCCEEDED)
    from django.db import transaction

    with transaction.atomic():
        marketplace_commands_applied(commands=[VtexCommand.objects.get(pk=result.command.pk)])
    order.refresh_from_db()
    assert order.status == "invoiced"
    assert Sku.objects.get(sku_id="34562").stock == 2
    assert Sku.objects.get(sku_id="2000037").stock == 8
    assert (
        post(client, f"{ORDERS}/{order.vtex_order_id}/cancel", cancellation(order)).status_code
        == 400
    )


def test_a_trailing_slash_is_tolerated_and_unknown_routes_answer_the_envelope(client):
    catalog_load()
    response = client.post(
        SIMULATION + "/", json.dumps(GUIDE_SIMULATION), content_type="application/json", **HEADERS
    )
    assert response.status_code == 200
    assert response.json()["items"]
    response = client.post("/seller/pvt/nothing", "{}", content_type="application/json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "ROUTE_NOT_FOUND"


def test_an_oversized_body_is_a_413(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = {"items": [{"id": "2000037", "quantity": 1, "seller": "1"}], "pad": "x" * 2000}
    response = client.post(SIMULATION, json.dumps(body), content_type="application/json", **HEADERS)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "TOO_LARGE"


# --- The order by either id (issue 16 §4) ------------------------------------------------------


@pytest.mark.parametrize(
    ("path_id", "body_id"),
    [
        # The spec's cancellation example: the path's id is the body's marketplaceOrderId.
        ("1300000007919-01", "1300000007919-01"),
        ("SLR-1300000007919-01", "1300000007919-01"),
        # The path's id unknown: the body's marketplaceOrderId finds the order.
        ("959311095", "1300000007919-01"),
        # No marketplaceOrderId in the body: the path's id alone, either one.
        ("1300000007919-01", None),
    ],
    ids=["marketplace-id", "seller-id", "body-id", "path-only"],
)
def test_the_marketplace_cancels_by_either_id_once_and_the_units_come_back(
    client, path_id, body_id
):
    catalog_load()
    order = placed(client)
    other = placed(client, "1300000008000-01", items=[("2000037", 1, 4990)])
    body = cancellation(order)
    if body_id is None:
        body.pop("marketplaceOrderId")
    assert (available("34562"), available("2000037")) == (2, 7)

    first = post(client, f"{ORDERS}/{path_id}/cancel", body)

    assert first.status_code == 200, first.content
    answer = first.json()
    assert (answer["orderId"], answer["marketplaceOrderId"]) == (
        "SLR-1300000007919-01",
        "1300000007919-01",
    )
    statuses = dict(Order.objects.values_list("vtex_order_id", "status"))
    assert statuses == {
        order.vtex_order_id: "canceled",
        other.vtex_order_id: "waiting-ffmt-authorization",
    }
    assert (available("34562"), available("2000037")) == (3, 9)
    # Asked again by the other id: the first cancellation's receipt, nothing more.
    for again_id in ("SLR-1300000007919-01", "1300000007919-01"):
        again = post(client, f"{ORDERS}/{again_id}/cancel", cancellation(order))
        assert again.json()["receipt"] == answer["receipt"]
    assert OrderEvent.objects.filter(order=order, to_status="canceled").count() == 1
    assert (available("34562"), available("2000037")) == (3, 9)


def test_the_path_naming_one_order_and_the_body_another_is_refused(client):
    catalog_load()
    order = placed(client)
    other = placed(client, "1300000008000-01", items=[("2000037", 1, 4990)])

    response = post(client, f"{ORDERS}/{order.vtex_order_id}/cancel", cancellation(other))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "MARKETPLACE_ORDER_MISMATCH"
    assert set(Order.objects.values_list("status", flat=True)) == {"waiting-ffmt-authorization"}


def test_a_marketplace_id_that_looks_like_a_seller_id_finds_its_own_order(client):
    # "SLR-5" is a valid marketplace order id (placed as SLR-SLR-5): the body tells it from
    # the order the seller calls SLR-5.
    catalog_load()
    mine = placed(client, "5", items=[("2000037", 1, 4990)])
    theirs = placed(client, "SLR-5", items=[("2000037", 1, 4990)])
    assert (mine.vtex_order_id, theirs.vtex_order_id) == ("SLR-5", "SLR-SLR-5")

    response = post(client, f"{ORDERS}/SLR-5/cancel", cancellation(theirs))

    assert response.status_code == 200, response.content
    assert response.json()["orderId"] == "SLR-SLR-5"
    assert dict(Order.objects.values_list("vtex_order_id", "status")) == {
        "SLR-5": "waiting-ffmt-authorization",
        "SLR-SLR-5": "canceled",
    }


def test_fulfill_finds_the_order_by_the_marketplaces_id_too(client):
    catalog_load()
    order = placed(client)
    response = post(
        client,
        f"{ORDERS}/{order.marketplace_order_id}/fulfill",
        {"marketplaceOrderId": order.marketplace_order_id},
    )
    assert response.status_code == 200, response.content
    assert response.json()["orderId"] == order.vtex_order_id
    order.refresh_from_db()
    assert order.status == "ready-for-handling"
