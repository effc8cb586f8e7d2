"""Catalog side: change notifications against bound SKUs, price/stock pings, suggestions."""

from __future__ import annotations

import requests

from tests.sandbox.support import error_code

CHANGE = "/api/sku-binding/pvt/skuseller/changenotification"
CATALOG_CHANGE = "/api/catalog_system/pvt/skuseller/changenotification"


def suggestion(**overrides) -> dict:
    body = {
        "ProductName": "Camiseta Básica Algodão",
        "ProductId": "100",
        "ProductDescription": "Camiseta 100% algodão",
        "BrandName": "Hering",
        "SkuName": "Camiseta Básica Algodão P",
        "SellerId": "seller1",
        "Height": 2,
        "Width": 30,
        "Length": 40,
        "Weight": 200,
        "RefId": "CAM-P",
        "CategoryFullPath": "Vestuário/Camisetas",
        "Images": [{"imageName": "frente", "imageUrl": "https://img.example.com/cam-p.jpg"}],
        "AvailableQuantity": 12,
        "Pricing": {"Currency": "BRL", "SalePrice": 4990, "CurrencySymbol": "R$"},
    }
    body.update(overrides)
    return body


def test_change_notification_is_200_for_the_sellers_bound_skus_and_text_404_otherwise(sandbox):
    sandbox.set_bindings(["SKU-1"], seller_id="seller1")

    bound = sandbox.vtex("POST", f"{CHANGE}/seller1/SKU-1")
    unbound = sandbox.vtex("POST", f"{CHANGE}/seller1/SKU-2")
    other_seller = sandbox.vtex("POST", f"{CHANGE}/other/SKU-1")

    assert bound.status_code == 200
    assert (unbound.status_code, other_seller.status_code) == (404, 404)
    assert unbound.headers["Content-Type"].startswith("text/plain")
    assert unbound.text == "Seller StockKeepingUnit `SKU-2` not found for this seller id `seller1`"


def test_the_catalogs_seller_scoped_route_is_204_when_bound(sandbox):
    # Seed 003's route; its spec documents 204.
    sandbox.set_bindings(["SKU-1"], seller_id="seller1")

    assert sandbox.vtex("POST", f"{CATALOG_CHANGE}/seller1/SKU-1").status_code == 204
    assert sandbox.vtex("POST", f"{CATALOG_CHANGE}/other/SKU-1").status_code == 404


def test_the_marketplace_sku_id_route_is_not_served(sandbox):
    # Its one segment is the marketplace's own SKU id, not the seller's: a seller calling it
    # with its SKU id would read an unrelated SKU's answer.
    sandbox.set_bindings(["SKU-1"], seller_id="seller1")

    response = sandbox.vtex("POST", f"{CATALOG_CHANGE}/SKU-1")

    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/json")


def test_bindings_are_replaced_and_readable(sandbox):
    sandbox.set_bindings(["1", "2"], seller_id="s")
    sandbox.set_bindings(["3"], seller_id="s")

    assert sandbox.bindings() == {"seller_id": "s", "sku_ids": ["3"]}


def test_price_and_inventory_notifications_are_accepted(sandbox):
    for kind in ("price", "inventory"):
        response = sandbox.vtex("POST", f"/api/notificator/seller1/changenotification/9/{kind}")
        assert response.status_code == 202
    assert len(sandbox.calls(path_contains="/api/notificator/")) == 2


def test_a_suggestion_is_stored_and_replaced_while_pending(sandbox):
    assert sandbox.vtex("PUT", "/suggestions/seller1/CAM-P", json=suggestion()).status_code == 200
    assert (
        sandbox.vtex(
            "PUT", "/suggestions/seller1/CAM-P", json=suggestion(AvailableQuantity=3)
        ).status_code
        == 200
    )

    (pending,) = sandbox.suggestions()
    assert (pending["sellerId"], pending["sellerSkuId"], pending["versions"]) == (
        "seller1",
        "CAM-P",
        2,
    )
    assert pending["suggestion"]["AvailableQuantity"] == 3


def test_an_incomplete_suggestion_is_refused(sandbox):
    body = suggestion()
    del body["BrandName"]
    del body["RefId"]

    response = sandbox.vtex("PUT", "/suggestions/seller1/CAM-P", json=body)

    assert response.status_code == 400
    assert error_code(response) == "SBX-SUGGESTION-INVALID"
    assert "BrandName" in response.json()["error"]["message"]
    assert "RefId or EAN" in response.json()["error"]["message"]
    assert sandbox.suggestions() == []


def test_approving_a_suggestion_binds_the_sku(sandbox):
    sandbox.vtex("PUT", "/suggestions/seller1/CAM-P", json=suggestion())

    sandbox.approve_suggestion("seller1", "CAM-P")

    assert sandbox.suggestions() == []
    assert sandbox.vtex("POST", f"{CHANGE}/seller1/CAM-P").status_code == 200


def test_denying_a_suggestion_removes_it(sandbox):
    sandbox.vtex("PUT", "/suggestions/seller1/CAM-P", json=suggestion())

    sandbox.deny_suggestion("seller1", "CAM-P")

    assert sandbox.suggestions() == []
    assert sandbox.vtex("POST", f"{CHANGE}/seller1/CAM-P").status_code == 404
    missing = requests.post(
        f"{sandbox.base_url}/_sandbox/suggestions/seller1/CAM-P/deny", timeout=10
    )
    assert missing.status_code == 404


def test_a_pending_suggestion_is_read_until_it_is_decided(sandbox):
    sandbox.vtex("PUT", "/suggestions/seller1/CAM-P", json=suggestion(AvailableQuantity=7))

    pending = sandbox.vtex("GET", "/suggestions/seller1/CAM-P")

    assert pending.status_code == 200
    assert pending.json()["status"] == "Pending"
    assert pending.json()["content"]["AvailableQuantity"] == 7
    sandbox.deny_suggestion("seller1", "CAM-P")
    gone = sandbox.vtex("GET", "/suggestions/seller1/CAM-P")
    assert gone.status_code == 404
    assert error_code(gone) == "SBX-SUGGESTION-NOT-FOUND"
