"""The fulfillment simulation: what the seller offers for a cart (price, list price, the
quantity it can serve, stock balance, SLAs for the postal code).

VTEX gives a seller 2.5 s before treating its SKUs as unavailable, and calls this for every
cart change and for its storefront's indexing: three queries of plain values (the cart's
SKUs, the units their reservations hold, the shipping rules for the CEP), no model objects.

What VTEX expects (the guide's notes): an item the seller does not sell, or cannot serve any
of, is left out of ``items`` and of ``logisticsInfo``; ``requestIndex`` points each answered
item at its position in the request and ``logisticsInfo[].itemIndex`` at its position in the
answer; without a postal code there are no SLAs. An SLA's price is per delivery: it is
charged on the first answered item that offers it, the others carry it at 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import Q, Sum

from catalog.models import ShippingRule, Sku, StockReservation
from catalog.seller.protocol import BRAZIL, SimulationRequest

MEASUREMENT_UNIT = "un"


def skus_available(sku_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """sku_id -> {pk, sku_id, price, list_price, available} for the active SKUs among
    ``sku_ids``; ``available`` is the stock less what placed orders hold. Two queries."""
    skus = {
        row["sku_id"]: row
        for row in Sku.objects.filter(sku_id__in=set(sku_ids), active=True).values(
            "pk", "sku_id", "price", "list_price", "stock"
        )
    }
    held = dict(
        StockReservation.objects.filter(
            sku_id__in=[row["pk"] for row in skus.values()], released_at__isnull=True
        )
        .values("sku_id")
        .annotate(held=Sum("quantity"))
        .values_list("sku_id", "held")
    )
    for row in skus.values():
        row["available"] = max(row["stock"] - (held.get(row["pk"]) or 0), 0)
    return skus


def slas_for(postal_code: str) -> list[dict[str, Any]]:
    """The SLAs offered for a CEP (8 digits), one per name: a rule whose range covers the
    CEP, else that name's default; the cheapest when several ranges cover it. One query."""
    rules = ShippingRule.objects.filter(active=True).filter(
        Q(is_default=True) | Q(postal_code_from__lte=postal_code, postal_code_to__gte=postal_code)
    )
    chosen: dict[str, dict[str, Any]] = {}
    for rule in rules.values(
        "name", "delivery_channel", "price", "shipping_estimate", "is_default"
    ):
        current = chosen.get(rule["name"])
        rank = (rule["is_default"], rule["price"])
        if current is None or rank < (current["is_default"], current["price"]):
            chosen[rule["name"]] = rule
    return [chosen[name] for name in sorted(chosen)]


def fulfillment_simulation(*, request: SimulationRequest) -> dict[str, Any]:
    skus = skus_available(line.sku_id for line in request.lines)
    slas = slas_for(request.postal_code) if request.postal_code else []
    merchant = settings.VTEX_SELLER_ID
    items: list[dict[str, Any]] = []
    logistics: list[dict[str, Any]] = []
    left = {sku_id: row["available"] for sku_id, row in skus.items()}
    charged: set[str] = set()
    for request_index, line in enumerate(request.lines):
        sku = skus.get(line.sku_id)
        served = min(line.quantity, left.get(line.sku_id, 0))
        if sku is None or served <= 0:
            continue
        balance = left[line.sku_id]
        left[line.sku_id] -= served
        items.append(
            {
                "id": line.sku_id,
                "requestIndex": request_index,
                "quantity": served,
                "seller": line.seller or merchant,
                "price": sku["price"],
                "listPrice": sku["list_price"] or sku["price"],
                "priceValidUntil": None,
                "priceTags": [],
                "measurementUnit": MEASUREMENT_UNIT,
                "unitMultiplier": 1,
                "merchantName": merchant,
                "offerings": [],
            }
        )
        offered = []
        for sla in slas:
            offered.append(
                {
                    "id": sla["name"],
                    "deliveryChannel": sla["delivery_channel"],
                    "name": sla["name"],
                    "price": 0 if sla["name"] in charged else sla["price"],
                    "shippingEstimate": sla["shipping_estimate"],
                    "availableDeliveryWindows": [],
                    "pickupStoreInfo": None,
                }
            )
            charged.add(sla["name"])
        channels = sorted({sla["deliveryChannel"] for sla in offered}) or ["delivery"]
        logistics.append(
            {
                "itemIndex": len(items) - 1,
                "quantity": served,
                "shipsTo": [BRAZIL],
                "slas": offered,
                "stockBalance": balance,
                "deliveryChannels": [
                    {"id": channel, "stockBalance": balance} for channel in channels
                ],
            }
        )
    return {
        "items": items,
        "logisticsInfo": logistics,
        "postalCode": request.postal_code_sent,
        "country": request.country,
        "allowMultipleDeliveries": True,
    }
