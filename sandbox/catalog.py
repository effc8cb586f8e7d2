"""Catalog side of the marketplace: SKU change notifications, price/stock pings, suggestions.

The sandbox plays the marketplace that already matched some of the seller's SKUs
(`bindings`, set through `PUT /_sandbox/catalog/bindings`): a change notification
naming the seller and its SKU (the SKU Bindings route, or the Catalog's older
`{sellerId}/{sellerSkuId}` one of seed 003, 204 as its spec says) answers 2xx for a
bound SKU, anything else the text/plain 404 VTEX sends, which tells the seller to send
a suggestion. The Catalog's `changenotification/{skuId}` is not served: its id is the
marketplace's own SKU id, which the sandbox's marketplace has none of. A suggestion
PUT stores or replaces the pending suggestion; approving it (control API) binds the SKU
and removes it, as VTEX's matcher does.
"""

from __future__ import annotations

from sandbox.clock import utcnow, vtex_datetime
from sandbox.errors import ApiError, bad_request
from sandbox.store import Store

SUGGESTION_REQUIRED = (
    "ProductName",
    "ProductId",
    "ProductDescription",
    "BrandName",
    "SkuName",
    "SellerId",
    "Height",
    "Width",
    "Length",
    "Weight",
    "CategoryFullPath",
    "Images",
    "AvailableQuantity",
    "Pricing",
)


class TextNotFound(Exception):
    """A 404 VTEX answers in text/plain rather than the JSON envelope."""

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text


def _not_bound(sku_id: str, seller_id: str) -> TextNotFound:
    return TextNotFound(
        f"Seller StockKeepingUnit `{sku_id}` not found for this seller id `{seller_id}`"
    )


def change_notification(store: Store, seller_id: str, seller_sku_id: str) -> None:
    """POST /api/sku-binding/pvt/skuseller/changenotification/{sellerId}/{sellerSkuId}: 200
    when the marketplace binds that seller's SKU, else the text 404 (a suggestion is due)."""
    with store.lock:
        bound = store.bindings
        if seller_id != bound["seller_id"] or seller_sku_id not in bound["sku_ids"]:
            raise _not_bound(seller_sku_id, seller_id)


def save_suggestion(store: Store, seller_id: str, seller_sku_id: str, body) -> None:
    if not isinstance(body, dict):
        raise bad_request("The suggestion must be a JSON object")
    missing = [name for name in SUGGESTION_REQUIRED if body.get(name) in (None, "")]
    if not body.get("RefId") and not body.get("EAN"):
        missing.append("RefId or EAN")
    if missing:
        raise bad_request(
            f"Missing suggestion fields: {', '.join(missing)}", "SBX-SUGGESTION-INVALID"
        )
    if len(str(body["ProductName"])) > 150:
        raise bad_request("ProductName has more than 150 characters", "SBX-SUGGESTION-INVALID")
    images = body["Images"]
    if not isinstance(images, list) or not all(
        isinstance(i, dict)
        and i.get("imageName")
        and str(i.get("imageUrl", "")).startswith("https://")
        for i in images
    ):
        raise bad_request("Images need imageName and an https imageUrl", "SBX-SUGGESTION-INVALID")
    with store.lock:
        key = (seller_id, seller_sku_id)
        previous = store.suggestions.get(key)
        store.suggestions[key] = {
            "sellerId": seller_id,
            "sellerSkuId": seller_sku_id,
            "suggestion": body,
            "receivedAt": vtex_datetime(utcnow()),
            "versions": (previous["versions"] + 1) if previous else 1,
        }


def get_suggestion(store: Store, seller_id: str, seller_sku_id: str) -> dict:
    """GET /suggestions/{sellerId}/{sellerSkuId}: the pending suggestion as the matcher holds
    it (what the seller sent under ``content``); 404 once it was approved or denied, as VTEX
    removes decided suggestions."""
    with store.lock:
        suggestion = store.suggestions.get((seller_id, seller_sku_id))
        if suggestion is None:
            raise ApiError(404, "SBX-SUGGESTION-NOT-FOUND", "No pending suggestion for this SKU")
        return {
            "sellerId": seller_id,
            "sellerSkuId": seller_sku_id,
            "status": "Pending",
            "version": suggestion["versions"],
            "receivedAt": suggestion["receivedAt"],
            "content": suggestion["suggestion"],
        }


def list_suggestions(store: Store) -> list[dict]:
    with store.lock:
        return list(store.suggestions.values())


def decide_suggestion(store: Store, seller_id: str, seller_sku_id: str, approve: bool) -> dict:
    with store.lock:
        suggestion = store.suggestions.pop((seller_id, seller_sku_id), None)
        if suggestion is None:
            raise ApiError(404, "SBX-SUGGESTION-NOT-FOUND", "No pending suggestion for this SKU")
        if approve:
            store.bindings["seller_id"] = seller_id
            store.bindings["sku_ids"].add(seller_sku_id)
        return suggestion


def set_bindings(store: Store, body) -> dict:
    if not isinstance(body, dict) or not isinstance(body.get("sku_ids", []), list):
        raise bad_request('Send {"seller_id": "1", "sku_ids": ["123", ...]}')
    with store.lock:
        store.bindings = {
            "seller_id": str(body.get("seller_id", store.bindings["seller_id"])),
            "sku_ids": {str(sku) for sku in body.get("sku_ids", [])},
        }
        return describe_bindings(store)


def describe_bindings(store: Store) -> dict:
    with store.lock:
        return {
            "seller_id": store.bindings["seller_id"],
            "sku_ids": sorted(store.bindings["sku_ids"]),
        }
