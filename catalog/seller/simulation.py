"""The fulfillment simulation: what the seller offers for a cart (price, list price, the
quantity it can serve, stock balance, SLAs for the postal code).

VTEX gives a seller 2.5 s before treating its SKUs as unavailable, and calls this for every
cart change and for its storefront's indexing: two queries of plain values (the cart's SKUs
with the units their reservations hold, the shipping rules for the CEP), no model objects.

What VTEX expects (the guide's notes): an item the seller does not sell, or cannot serve any
of, is left out of ``items`` and of ``logisticsInfo``; ``requestIndex`` points each answered
item at its position in the request and ``logisticsInfo[].itemIndex`` at its position in the
answer; without a postal code there are no SLAs. An SLA's price is per delivery: it is
charged on the first answered item that offers it, the others carry it at 0.
"""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.db import connection

from catalog.models import ShippingRule
from catalog.selectors import skus_available
from catalog.seller.protocol import BRAZIL, SimulationRequest
from core.fields import field_column

MEASUREMENT_UNIT = "un"


def slas_for(postal_code: str) -> list[dict[str, Any]]:
    """The SLAs offered for a CEP (8 digits), one per name: a rule whose range covers the
    CEP, else that name's default; the cheapest when several ranges cover it. One query."""
    with connection.cursor() as cursor:
        cursor.execute(_rules_statement(connection.vendor), [True, True, postal_code, postal_code])
        rules = cursor.fetchall()
    chosen: dict[str, tuple] = {}
    for rule in rules:
        name, _channel, price, _estimate, is_default = rule
        current = chosen.get(name)
        if current is None or (is_default, price) < (current[4], current[2]):
            chosen[name] = rule
    return [
        {
            "name": name,
            "delivery_channel": chosen[name][1],
            "price": chosen[name][2],
            "shipping_estimate": chosen[name][3],
        }
        for name in sorted(chosen)
    ]


@functools.cache
def _rules_statement(vendor: str) -> str:
    """Written once from the model. Plain SQL because compiling it through the ORM cost more
    than running it (bench/simulation.py), for a statement that never changes."""
    quote = connection.ops.quote_name

    def rule(name: str) -> str:
        return quote(field_column(ShippingRule, name))

    # Only the model's own names go into the text; every value is a parameter.
    return (
        f"SELECT {rule('name')}, {rule('delivery_channel')}, "  # noqa: S608
        f"{rule('price')}, {rule('shipping_estimate')}, {rule('is_default')} "
        f"FROM {quote(ShippingRule._meta.db_table)} "
        f"WHERE {rule('active')} = %s AND ({rule('is_default')} = %s "
        f"OR ({rule('postal_code_from')} <= %s AND {rule('postal_code_to')} >= %s))"
    )


def fulfillment_simulation(*, request: SimulationRequest) -> dict[str, Any]:
    skus = skus_available(sku_ids=[line.sku_id for line in request.lines])
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
        # Strings, as the spec types them (both required): empty when the request had none.
        "postalCode": request.postal_code_sent or "",
        "country": request.country or "",
        "allowMultipleDeliveries": True,
    }
