"""The seller endpoints as the sandbox marketplace calls them: every request it sends and every
answer of the back office checked against the External Seller Fulfillment spec, and every
operation seen answering (the guide's bodies and random carts are in
tests/catalog/test_seller.py, checked the same way)."""

from __future__ import annotations

import random

import pytest

from tests.catalog.seller_data import catalog_load
from tests.contract.openapi import validate_request, validate_response

pytestmark = pytest.mark.django_db(transaction=True)

EXPECTED = {
    ("fulfillment-simulation", 200),
    ("fulfillment-simulation", 401),
    ("order-placement", 200),
    ("order-placement", 400),
    ("authorize-fulfillment", 200),
    ("mkp-order-cancellation", 200),
    ("mkp-order-cancellation", 400),
}


def test_every_seller_endpoint_answers_the_sandbox_marketplace_as_the_spec_says(
    live_server, vtex_store, settings
):
    settings.SELLER_APP_KEY = vtex_store.app_key
    settings.SELLER_APP_TOKEN = vtex_store.app_token
    catalog_load()
    seller_url = f"{live_server.url}/seller"
    seen: set[tuple[str, int]] = set()

    def check(result: dict) -> dict:
        request = result["request"]
        path = request["url"].removeprefix(live_server.url)
        if request["method"] == "POST":
            validate_request("POST", path, request["body"], api="seller-fulfillment")
        # A GET simulation is answered as the POST (the spec documents the POST only).
        operation = validate_response(
            "POST", path, result["status"], result["body"], api="seller-fulfillment"
        )
        seen.add((operation.operation_id, result["status"]))
        return result

    chooser = random.Random(3)
    skus = ["2000037", "34562", "555", "777", "unknown"]
    for _ in range(20):
        cart = [
            {"id": chooser.choice(skus), "quantity": chooser.randint(1, 4)}
            for _ in range(chooser.randint(1, 3))
        ]
        extra = chooser.choice(
            [{}, {"postalCode": "01311000", "country": "BRA"}, {"postalCode": "22051-030"}]
        )
        check(
            vtex_store.marketplace_simulation(
                seller_url, cart, method=chooser.choice(["GET", "POST"]), **extra
            )
        )
    check(
        vtex_store.marketplace_simulation(
            seller_url, [{"id": "2000037", "quantity": 1}], headers={"X-VTEX-API-AppToken": "x"}
        )
    )

    cart = [{"id": "2000037", "quantity": 1}, {"id": "34562", "quantity": 1}]
    placed = check(vtex_store.marketplace_place_order(seller_url, cart))
    check(placed["simulation"])
    mkp_id = placed["marketplaceOrderId"]
    check(vtex_store.marketplace_place_order(seller_url, cart, marketplaceOrderId=mkp_id))
    # More than the stock, at a price given (no simulation first): refused.
    check(
        vtex_store.marketplace_place_order(seller_url, [{"id": "34562", "quantity": 9, "price": 1}])
    )
    check(vtex_store.marketplace_fulfill(mkp_id))
    check(vtex_store.marketplace_cancel(mkp_id))
    # The second call by the marketplace's own id, as the spec's cancellation example.
    check(vtex_store.marketplace_cancel(mkp_id, path_id="marketplace"))

    # Invoiced (the seller's invoice accepted by the marketplace): a cancellation is refused.
    other = check(vtex_store.marketplace_place_order(seller_url, cart))
    check(vtex_store.marketplace_fulfill(other["marketplaceOrderId"]))
    from orders.models import Order

    order = Order.objects.get(marketplace_order_id=other["marketplaceOrderId"])
    Order.objects.filter(pk=order.pk).update(status="invoiced")
    check(vtex_store.marketplace_cancel(other["marketplaceOrderId"]))

    assert seen >= EXPECTED, sorted(EXPECTED - seen)
