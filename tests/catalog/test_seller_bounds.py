"""The seller endpoints' defences a review asked for: an item's unit within the order item's
columns, a placement list placed all or none, one SLA per item, ASCII CEPs, and the orders
the marketplace never authorized canceled once their lockTTL passed (their units released).
Every answer still fits the External Seller Fulfillment spec (``post`` checks it)."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django_celery_beat.models import PeriodicTask

from catalog.models import StockReservation
from catalog.seller.placement import marketplace_orders_expire
from catalog.tasks import SELLER_ORDERS_EXPIRE, seller_orders_expire_task
from core.actor import Actor
from orders.admin.timeline import timeline
from orders.models import Order, OrderEvent
from orders.services.sync import orders_upsert_from_documents
from outbox.selectors import subject_commands
from tests.catalog.seller_data import HEADERS, ORDERS, SIMULATION, catalog_load, placement
from tests.catalog.test_seller import (  # noqa: F401 (the credentials fixture)
    _seller_credentials,
    available,
    cancellation,
    placed,
    post,
)
from tests.contract.openapi import validate_response
from tests.orders.documents import vtex_order_document

pytestmark = pytest.mark.django_db


def full_width(digits: str) -> str:
    """The digits as full-width ones (U+FF10...), which ``str.isdigit`` takes for digits."""
    return "".join(chr(0xFF10 + int(digit)) for digit in digits)


def nothing_changed() -> bool:
    return not Order.objects.exists() and not StockReservation.objects.exists()


# --- 1. An item's unit ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("unitMultiplier", "NaN"),
        ("unitMultiplier", float("nan")),  # JSON's bare NaN, which Python's parser reads
        ("unitMultiplier", float("inf")),
        ("unitMultiplier", 10**8),
        ("unitMultiplier", 123456789.5),
        ("unitMultiplier", -1),
        ("unitMultiplier", "2"),
        ("unitMultiplier", 0.25),  # the spec's unitMultiplier is an integer
        ("unitMultiplier", True),
        # The guide's placement example sends 0: no unit is sold 0 at a time (issue 17 §9).
        ("unitMultiplier", 0),
        ("unitMultiplier", 0.0),
        ("measurementUnit", "u" * 21),
        ("measurementUnit", 5),
    ],
)
def test_an_items_unit_that_does_not_fit_is_a_400_naming_it(client, field, value):
    catalog_load()
    body = placement()
    body["items"][1][field] = value
    response = post(client, ORDERS, body)

    assert response.status_code == 400, response.content
    assert response.json()["error"]["message"].startswith(f"items[1].{field} must be")
    assert nothing_changed()


def test_an_items_unit_within_bounds_is_stored(client):
    catalog_load()
    body = placement()
    body["items"][0].update(measurementUnit="kg", unitMultiplier=12)
    body["items"][1].update(measurementUnit="m" * 20, unitMultiplier=99_999_999.0)
    response = post(client, ORDERS, body)

    assert response.status_code == 200, response.content
    # A whole float is that integer, answered as the spec's integer.
    assert [item["unitMultiplier"] for item in response.json()["items"]] == [12, 99_999_999]
    order = Order.objects.get(vtex_order_id=response.json()["orderId"])
    assert list(order.items.values_list("measurement_unit", "unit_multiplier")) == [
        ("kg", Decimal(12)),
        ("m" * 20, Decimal(99_999_999)),
    ]


def test_a_unit_multiplier_not_given_is_the_sellers_1(client):
    # VTEX sends null (or leaves it out) when it has none: the seller's 1.
    catalog_load()
    body = placement()
    del body["items"][0]["unitMultiplier"]
    body["items"][1]["unitMultiplier"] = None
    response = post(client, ORDERS, body)

    assert response.status_code == 200, response.content
    assert [item["unitMultiplier"] for item in response.json()["items"]] == [1, 1]
    order = Order.objects.get(vtex_order_id=response.json()["orderId"])
    assert set(order.items.values_list("unit_multiplier", flat=True)) == {Decimal(1)}


@pytest.mark.parametrize("value", ["NaN", "-Infinity", "sNaN", 1e9, "123456789", [], True])
def test_a_vtex_document_with_an_impossible_unit_multiplier_imports_with_1(value):
    document = vtex_order_document("1172452900788-01")
    document["items"][0]["unitMultiplier"] = value
    orders_upsert_from_documents(documents=[document], source=Actor.FEED)

    item = Order.objects.get(vtex_order_id="1172452900788-01").items.get(position=0)
    assert item.unit_multiplier == Decimal(1)


# --- 2. The guide's placement list: all or nothing -----------------------------------------------


def test_a_placement_list_with_one_refused_order_places_none(client):
    catalog_load()
    body = [
        placement("A-01"),
        placement("B-01", items=[("34562", 1, 18990)]),
        placement("C-01", items=[("34562", 2, 18990)]),
    ]
    response = post(client, ORDERS, body)

    assert response.status_code == 400
    assert response.json()["error"]["message"] == "SKU 34562: 2 ordered, 1 available"
    assert nothing_changed()
    assert (available("34562"), available("2000037")) == (3, 10)
    # The marketplace retries without C: both are placed, C's units still free.
    response = client.post(ORDERS, json.dumps(body[:2]), content_type="application/json", **HEADERS)
    assert response.status_code == 200, response.content
    assert [answer["orderId"] for answer in response.json()] == ["SLR-A-01", "SLR-B-01"]
    # The spec documents the object form only: each order of the list is one answer.
    for answer in response.json():
        validate_response("POST", ORDERS, 200, answer, api="seller-fulfillment")
    assert available("34562") == 1


# --- 3. One SLA per item, ASCII CEPs, lockTTL ----------------------------------------------------


def test_a_repeated_item_index_is_a_400_and_not_charged_twice(client):
    catalog_load()
    body = placement()
    logistics = body["shippingData"]["logisticsInfo"]
    logistics.insert(1, {**logistics[0]})
    response = post(client, ORDERS, body)

    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "shippingData.logisticsInfo[1].itemIndex 0 is repeated: one SLA per item"
    )
    assert nothing_changed()


@pytest.mark.parametrize("item_index", [-1, 2, "0", 0.0])
def test_an_item_index_outside_the_items_is_a_400(client, item_index):
    catalog_load()
    body = placement()
    body["shippingData"]["logisticsInfo"][1]["itemIndex"] = item_index
    response = post(client, ORDERS, body)

    assert response.status_code == 400
    assert (
        "logisticsInfo[1].itemIndex must point at one of the items"
        in (response.json()["error"]["message"])
    )
    assert nothing_changed()


def test_full_width_digits_are_not_a_cep(client):
    catalog_load()
    body = placement()
    body["shippingData"]["address"]["postalCode"] = full_width("13476103")
    response = post(client, ORDERS, body)

    assert response.status_code == 400
    assert "shippingData.address.postalCode is not a CEP" in response.json()["error"]["message"]
    assert nothing_changed()
    simulated = post(
        client,
        SIMULATION,
        {
            "items": [{"id": "2000037", "quantity": 1, "seller": "1"}],
            "postalCode": full_width("01310000"),
        },
    )
    assert simulated.status_code == 400
    assert "is not a Brazilian CEP (8 digits)" in simulated.json()["error"]["message"]


@pytest.mark.parametrize("lock_ttl", ["8 days", "d", "8x", 8])
def test_a_lock_ttl_that_is_not_a_duration_is_a_400(client, lock_ttl):
    catalog_load()
    body = placement()
    body["shippingData"]["logisticsInfo"][0]["lockTTL"] = lock_ttl
    response = post(client, ORDERS, body)

    assert response.status_code == 400
    assert "logisticsInfo[0].lockTTL must be a duration" in response.json()["error"]["message"]
    assert nothing_changed()


# --- 4. Units held past the lockTTL --------------------------------------------------------------


def placed_days_ago(client, marketplace_order_id, days, **kwargs) -> Order:
    order = placed(client, marketplace_order_id, **kwargs)
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(days=days))
    return order


def test_orders_not_authorized_within_their_lock_ttl_are_canceled_and_release_their_units(
    client,
):
    catalog_load()
    expired = placed_days_ago(client, "1300000000001-01", 9, items=[("34562", 1, 18990)])
    recent = placed_days_ago(client, "1300000000002-01", 7, items=[("34562", 1, 18990)])
    authorized = placed_days_ago(client, "1300000000003-01", 9, items=[("2000037", 2, 4990)])
    post(
        client,
        f"{ORDERS}/{authorized.vtex_order_id}/fulfill",
        {"marketplaceOrderId": authorized.marketplace_order_id},
    )
    assert (available("34562"), available("2000037")) == (1, 8)

    assert marketplace_orders_expire() == 1

    statuses = dict(Order.objects.values_list("vtex_order_id", "status"))
    assert statuses == {
        expired.vtex_order_id: "canceled",
        recent.vtex_order_id: "waiting-ffmt-authorization",
        authorized.vtex_order_id: "ready-for-handling",
    }
    assert (available("34562"), available("2000037")) == (2, 8)
    assert not StockReservation.objects.filter(order=expired, released_at__isnull=True).exists()
    event = OrderEvent.objects.get(order=expired, to_status="canceled")
    assert event.source == Actor.RECONCILE
    assert event.payload["lock_ttl"] == "8d"
    # The order's timeline says why, in the operator's language.
    with translation.override("pt-br"):
        lines = [
            line.what
            for line in timeline(
                events=list(OrderEvent.objects.filter(order=expired).order_by("pk")),
                commands=subject_commands(subject=expired),
            )
        ]
    assert any("lockTTL (8d)" in what and "liberad" in what for what in lines), lines
    # A second run finds nothing more; the marketplace canceling it too gets a 200 receipt.
    assert marketplace_orders_expire() == 0
    again = post(client, f"{ORDERS}/{expired.vtex_order_id}/cancel", cancellation(expired))
    assert again.status_code == 200
    # The shortest lockTTL of the order's SLAs counts; hours count too.
    assert marketplace_orders_expire(now=timezone.now() + timedelta(days=1, hours=1)) == 1
    assert Order.objects.get(pk=recent.pk).status == "canceled"


def test_an_order_with_a_short_lock_ttl_in_hours_expires(client):
    catalog_load()
    body = placement("1300000000004-01")
    body["shippingData"]["logisticsInfo"][1]["lockTTL"] = "12h"
    order = Order.objects.get(vtex_order_id=post(client, ORDERS, body).json()["orderId"])

    assert marketplace_orders_expire(now=timezone.now() + timedelta(hours=11)) == 0
    assert marketplace_orders_expire(now=timezone.now() + timedelta(hours=13)) == 1
    order.refresh_from_db()
    assert order.status == "canceled"
    assert not StockReservation.objects.filter(released_at__isnull=True).exists()


def test_the_expiry_is_a_declared_periodic_task():
    task = PeriodicTask.objects.get(task=SELLER_ORDERS_EXPIRE)
    assert task.enabled
    assert task.interval.every == 300


@pytest.mark.django_db(transaction=True)
def test_the_expiry_runs_as_beat_runs_it(client):
    catalog_load()
    placed_days_ago(client, "1300000000005-01", 9)
    assert available("34562") == 2

    # Beat calls the task by name, outside any transaction, with its lock.
    assert seller_orders_expire_task.apply().get() == 1
    assert available("34562") == 3
    assert Order.objects.get().status == "canceled"
