"""The whole marketplace flow over real HTTP: the sandbox plays the VTEX marketplace and calls
the back office's seller endpoints (Django's live server); operators invoice and track the
order on its admin page; the outbox delivers both to the order's marketplaceServicesEndpoint,
where the sandbox's marketplace records them."""

from __future__ import annotations

import pytest
from django.utils import timezone

from catalog.models import Sku, StockReservation
from core.actor import Actor
from orders.models import EventType, Order, OrderEvent
from outbox.models import CommandState, CommandTarget, VtexCommand
from tests.browser.conftest import operator_group
from tests.catalog.seller_data import catalog_load
from tests.contract.openapi import validate_response
from tests.orders.operations import invoice_form, messages_of, operation_url, order_page

pytestmark = pytest.mark.django_db(transaction=True)
CART = [{"id": "2000037", "quantity": 2}, {"id": "34562", "quantity": 1}]


@pytest.fixture(name="seller_url")
def seller_url_fixture(live_server, vtex_store, settings):
    """The back office's fulfillment endpoint, accepting the sandbox marketplace's keys."""
    settings.SELLER_APP_KEY = vtex_store.app_key
    settings.SELLER_APP_TOKEN = vtex_store.app_token
    catalog_load()
    return f"{live_server.url}/seller"


def answered(result: dict, path: str) -> dict:
    """The seller's answer as the sandbox received it, checked against the spec."""
    assert result["error"] is None, result
    validate_response("POST", path, result["status"], result["body"], api="seller-fulfillment")
    return result["body"]


def place(vtex_store, seller_url, marketplace_order_id="1300000007919-01") -> dict:
    placed = vtex_store.marketplace_place_order(
        seller_url, CART, marketplaceOrderId=marketplace_order_id
    )
    answered(placed["simulation"], "/seller/pvt/orderForms/simulation")
    answered(placed, "/seller/pvt/orders")
    return placed


def test_the_marketplace_places_and_authorizes_and_receives_invoice_and_tracking(
    seller_url, vtex_store, login, client
):
    simulated = vtex_store.marketplace_simulation(
        seller_url, CART, postalCode="01311-000", country="BRA"
    )
    body = answered(simulated, "/seller/pvt/orderForms/simulation")
    assert [(i["id"], i["quantity"], i["price"]) for i in body["items"]] == [
        ("2000037", 2, 4990),
        ("34562", 1, 18990),
    ]
    assert [s["id"] for s in body["logisticsInfo"][0]["slas"]] == ["Expressa", "Normal"]

    # Placed twice (the marketplace retrying): one order, its units held once.
    first = place(vtex_store, seller_url)
    again = place(vtex_store, seller_url)
    assert first["sellerOrderId"] == again["sellerOrderId"] == "SLR-1300000007919-01"
    order = Order.objects.get()
    assert (order.vtex_order_id, order.status) == (
        "SLR-1300000007919-01",
        "waiting-ffmt-authorization",
    )
    assert order.marketplace_services_endpoint.startswith(vtex_store.base_url)
    assert order.value == vtex_store.marketplace_order("1300000007919-01")["value"]
    assert dict(StockReservation.objects.values_list("sku__sku_id", "quantity")) == {
        "2000037": 2,
        "34562": 1,
    }

    authorized = vtex_store.marketplace_fulfill("1300000007919-01")
    assert answered(authorized, "/seller/pvt/orders/SLR-1300000007919-01/fulfill")["receipt"]
    order.refresh_from_db()
    assert order.status == "ready-for-handling"

    # The operator's order page: invoicing, no start handling, change nor refresh (the
    # marketplace has none of them, and the store's VTEX does not have the order).
    # Transactional: the flush emptied the groups the migrations made.
    operator_group("Finance")
    login("Finance")
    page = client.get(order_page(order)).content.decode()
    assert 'data-operation="invoice"' in page
    for absent in ("start-handling", "change", "refresh"):
        assert f'data-operation="{absent}"' not in page

    response = client.post(operation_url(order, "invoice"), invoice_form(order, "NF1"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert any("NF1" in message for message in messages_of(response))
    response = client.post(
        operation_url(order, "tracking-number"),
        {
            "invoice_number": "NF1",
            "tracking_number": "BR123456789",
            "tracking_url": "https://rastreio.example.com/BR123456789",
            "courier": "Correios",
            "dispatched_at": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    today = timezone.localdate().isoformat()
    response = client.post(
        operation_url(order, "tracking-events"),
        {
            "invoice_number": "NF1",
            "is_delivered": "on",
            "delivered_at": "",
            "events-TOTAL_FORMS": "1",
            "events-INITIAL_FORMS": "0",
            "events-0-date": today,
            "events-0-city": "São Paulo",
            "events-0-state": "SP",
            "events-0-description": "Objeto entregue",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    record = vtex_store.marketplace_order("1300000007919-01")
    assert [entry["operation"] for entry in record["received"]] == [
        "invoice",
        "tracking",
        "tracking-status",
    ]
    invoice = record["invoices"]["NF1"]
    assert (invoice["type"], invoice["invoiceValue"]) == ("Output", order.value)
    assert sorted((i["id"], i["quantity"]) for i in invoice["items"]) == [
        ("2000037", 2),
        ("34562", 1),
    ]
    assert (invoice["tracking"]["trackingNumber"], invoice["tracking"]["courier"]) == (
        "BR123456789",
        "Correios",
    )
    assert [e["description"] for e in invoice["events"]] == ["Objeto entregue"]
    assert invoice["isDelivered"] is True
    assert record["status"] == "invoiced"
    commands = VtexCommand.objects.filter(order=order)
    assert {(c.kind, c.state, c.target) for c in commands} == {
        ("invoice", CommandState.SUCCEEDED, CommandTarget.MARKETPLACE),
        ("tracking-number", CommandState.SUCCEEDED, CommandTarget.MARKETPLACE),
        ("tracking-events", CommandState.SUCCEEDED, CommandTarget.MARKETPLACE),
    }

    # The mirror follows what the marketplace accepted; the units left the stock.
    order.refresh_from_db()
    assert order.status == "invoiced"
    mirrored = order.invoices.get()
    assert (mirrored.number, mirrored.value, mirrored.tracking_number, mirrored.delivered) == (
        "NF1",
        order.value,
        "BR123456789",
        True,
    )
    assert [e.description for e in mirrored.tracking_events.all()] == ["Objeto entregue"]
    assert dict(Sku.objects.values_list("sku_id", "stock"))["2000037"] == 8
    assert dict(Sku.objects.values_list("sku_id", "stock"))["34562"] == 2
    assert not StockReservation.objects.filter(released_at__isnull=True).exists()
    invoiced = OrderEvent.objects.get(order=order, to_status="invoiced")
    assert (invoiced.type, invoiced.source) == (EventType.STATUS_CHANGED, Actor.OUTBOX)
    # Nothing asked the store's OMS about this order.
    assert not vtex_store.calls(path_contains="/api/oms/pvt/orders/SLR-")

    # The marketplace's cancellation comes too late: refused.
    refused = vtex_store.marketplace_cancel("1300000007919-01")
    assert refused["status"] == 400
    assert answered(refused, "/seller/pvt/orders/SLR-1300000007919-01/cancel")["error"]["code"] == (
        "ORDER_INVOICED"
    )


@pytest.mark.parametrize(
    ("path_id", "path"),
    [("seller", "SLR-1300000008000-01"), ("marketplace", "1300000008000-01")],
)
def test_the_marketplaces_cancellation_gives_the_units_back(seller_url, vtex_store, path_id, path):
    place(vtex_store, seller_url, "1300000008000-01")
    assert StockReservation.objects.filter(released_at__isnull=True).count() == 2

    canceled = vtex_store.marketplace_cancel("1300000008000-01", path_id=path_id)

    assert canceled["request"]["url"].endswith(f"/seller/pvt/orders/{path}/cancel")
    assert answered(canceled, f"/seller/pvt/orders/{path}/cancel")["receipt"]
    assert vtex_store.marketplace_order("1300000008000-01")["status"] == "canceled"
    assert Order.objects.get().status == "canceled"
    assert not StockReservation.objects.filter(released_at__isnull=True).exists()
    assert dict(Sku.objects.values_list("sku_id", "stock"))["34562"] == 3
    # The marketplace's second call (VTEX calls twice), by the other id: the same receipt.
    other = "marketplace" if path_id == "seller" else "seller"
    again = vtex_store.marketplace_cancel("1300000008000-01", path_id=other)
    assert again["body"]["receipt"] == canceled["body"]["receipt"]
    assert OrderEvent.objects.filter(to_status="canceled").count() == 1


def test_an_operators_cancellation_goes_to_the_marketplace(seller_url, vtex_store, login, client):
    place(vtex_store, seller_url, "1300000009000-01")
    vtex_store.marketplace_fulfill("1300000009000-01")
    order = Order.objects.get()
    operator_group("Operations")
    login("Operations")

    response = client.post(operation_url(order, "cancel"), {"reason": "Sem estoque no CD"})

    assert response.status_code == 302, response.content.decode()[:2000]
    record = vtex_store.marketplace_order("1300000009000-01")
    assert record["status"] == "canceled"
    assert record["cancellation"] == {"reason": "Sem estoque no CD"}
    order.refresh_from_db()
    assert order.status == "canceled"
    assert not StockReservation.objects.filter(released_at__isnull=True).exists()


def test_unauthenticated_marketplace_calls_get_401_over_http(seller_url, vtex_store):
    wrong = {"X-VTEX-API-AppKey": vtex_store.app_key, "X-VTEX-API-AppToken": "wrong"}
    simulated = vtex_store.marketplace_simulation(seller_url, CART, headers=wrong)
    assert simulated["status"] == 401
    answered(simulated, "/seller/pvt/orderForms/simulation")
    placed = vtex_store.marketplace_place_order(
        seller_url,
        [{**line, "price": 100} for line in CART],
        headers={**wrong, "authorization": "VTEX key=x token=y"},
    )
    assert placed["status"] == 401
    assert not Order.objects.exists()
