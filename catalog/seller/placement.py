"""Marketplace orders on the seller side: placement, the authorization to dispatch (fulfill)
and the marketplace's cancellation.

A placement is checked against the catalog (every SKU sold and active, enough units not held
by other orders, each line's SLA offered for the address's CEP); then, in one transaction
with the SKUs locked, the order mirror is written through ``orders.services.marketplace``
(status waiting for the marketplace's authorization, origin Marketplace, its services
endpoint and order id) and its units are held in ``StockReservation`` rows. The seller order
id is ``SLR-{marketplaceOrderId}``: the marketplace retrying a placement gets the same order
back, and nothing more is held. An order the marketplace does not authorize within its
``lockTTL`` is canceled by ``marketplace_orders_expire`` (a periodic task), its units released.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from catalog.models import Sku, StockReservation
from catalog.selectors import skus_available
from catalog.seller.protocol import BadRequest, MarketplaceRequest, Placement, lock_ttl_duration
from catalog.seller.simulation import slas_for
from core.refusals import Refused
from orders.models import AT_MARKETPLACE, Order, OrderEvent, OrderOrigin
from orders.services.marketplace import (
    MarketplaceOrderRefused,
    marketplace_order_authorize,
    marketplace_order_cancel,
    marketplace_order_create,
)
from orders.status import OrderStatus

SELLER_ORDER_PREFIX = "SLR-"

logger = logging.getLogger(__name__)


class OrderNotFound(Refused):
    """No marketplace order has this id (``message``)."""


@dataclass(frozen=True)
class Placed:
    order: Order
    created: bool


def seller_order_id(marketplace_order_id: str) -> str:
    return f"{SELLER_ORDER_PREFIX}{marketplace_order_id}"


def marketplace_order_place(*, placement: Placement) -> Placed:
    order_id = seller_order_id(placement.marketplace_order_id)
    wanted: dict[str, int] = {}
    for line in placement.lines:
        wanted[line.sku_id] = wanted.get(line.sku_id, 0) + line.quantity
    with transaction.atomic():
        # Placements of the same SKUs wait for each other here, so two cannot both take the
        # last units, and a retry of this placement finds the order its first try wrote.
        locked = list(Sku.objects.select_for_update().filter(sku_id__in=wanted).order_by("pk"))
        existing = Order.objects.filter(vtex_order_id=order_id).first()
        if existing is not None:
            return Placed(order=existing, created=False)
        skus = skus_available(sku_ids=wanted)
        for sku_id, quantity in wanted.items():
            sku = skus.get(sku_id)
            if sku is None:
                raise BadRequest(f"SKU {sku_id} is not sold by this seller")
            if sku["available"] < quantity:
                raise BadRequest(f"SKU {sku_id}: {quantity} ordered, {sku['available']} available")
        offered = {sla["name"]: sla for sla in slas_for(placement.postal_code)}
        for entry in placement.shipping:
            if entry.sla not in offered:
                raise BadRequest(
                    f"SLA {entry.sla!r} is not offered for CEP {placement.postal_code}; "
                    f"offered: {', '.join(sorted(offered)) or 'none'}"
                )
        names = {sku.sku_id: sku for sku in locked}
        order, created = marketplace_order_create(
            document=_document(placement, order_id=order_id, skus=names, offered=offered)
        )
        if created:
            StockReservation.objects.bulk_create(
                StockReservation(order=order, sku=names[sku_id], quantity=quantity)
                for sku_id, quantity in wanted.items()
            )
        return Placed(order=order, created=created)


def marketplace_order_find(*, order_id: str, marketplace_order_id: str = "") -> Order:
    """The marketplace order a fulfill or a cancellation names. The path's id is the seller's
    (``SLR-...``, what the placement answered) or the marketplace's own (the spec's cancellation
    example puts the body's ``marketplaceOrderId`` there); when it names neither, the body's
    ``marketplaceOrderId`` finds the order. When the path's id is one order's seller id and
    another's marketplace id (a marketplace id may itself read ``SLR-5``), the one the body
    names is meant, else the seller's."""
    marketplace_orders = Order.objects.filter(AT_MARKETPLACE).order_by("pk")
    found = list(
        marketplace_orders.filter(Q(vtex_order_id=order_id) | Q(marketplace_order_id=order_id))
    )
    if not found and marketplace_order_id:
        found = list(marketplace_orders.filter(marketplace_order_id=marketplace_order_id))
    if not found:
        raise OrderNotFound(order_id)
    return min(
        found,
        key=lambda order: (
            bool(marketplace_order_id) and order.marketplace_order_id != marketplace_order_id,
            order.vtex_order_id != order_id,
        ),
    )


def marketplace_order_fulfill(*, order_id: str, request: MarketplaceRequest) -> OrderEvent:
    order = marketplace_order_find(
        order_id=order_id, marketplace_order_id=request.marketplace_order_id
    )
    return marketplace_order_authorize(
        order=order, marketplace_order_id=request.marketplace_order_id
    )


def marketplace_order_cancel_request(*, order_id: str, request: MarketplaceRequest) -> OrderEvent:
    """The marketplace's cancellation, by either id; the held units go back
    (``catalog.seller.stock``). Asked again, by either id, the first one answers."""
    order = marketplace_order_find(
        order_id=order_id, marketplace_order_id=request.marketplace_order_id
    )
    return marketplace_order_cancel(
        order=order,
        marketplace_order_id=request.marketplace_order_id,
        reason=request.reason,
        request_id=request.request_id,
    )


def order_lock_ttl(order: Order) -> tuple[str, timedelta] | None:
    """The shortest ``lockTTL`` of the order's SLAs (as placed, and as a duration); None when
    the placement named none."""
    logistics = ((order.raw_document or {}).get("shippingData") or {}).get("logisticsInfo") or []
    ttls = [
        (entry["lockTTL"], duration)
        for entry in logistics
        if isinstance(entry, dict)
        and (duration := lock_ttl_duration(entry.get("lockTTL"))) is not None
    ]
    return min(ttls, key=lambda ttl: ttl[1]) if ttls else None


def marketplace_orders_expire(*, now: datetime | None = None) -> int:
    """Cancel the marketplace orders still waiting for the marketplace's authorization once
    their ``lockTTL`` has passed since the placement (the marketplace no longer holds the
    sale): their units are released (``catalog.seller.stock``) and the audit says why.
    Returns how many were canceled."""
    now = now or timezone.now()
    waiting = (
        Order.objects.filter(AT_MARKETPLACE, status=OrderStatus.WAITING_FFMT_AUTHORIZATION)
        .only("pk", "vtex_order_id", "created_at", "raw_document")
        .order_by("created_at", "pk")
    )
    expired = 0
    for order in waiting.iterator(chunk_size=200):
        ttl = order_lock_ttl(order)
        if ttl is None or order.created_at + ttl[1] > now:
            continue
        try:
            marketplace_order_cancel(
                order=order,
                marketplace_order_id="",
                reason=f"lockTTL {ttl[0]} passed without the marketplace's authorization",
                lock_expired=ttl[0],
            )
        except MarketplaceOrderRefused:
            continue  # authorized (or canceled) meanwhile
        logger.info("seller: order %s canceled: lockTTL %s passed", order.vtex_order_id, ttl[0])
        expired += 1
    return expired


def _document(
    placement: Placement, *, order_id: str, skus: dict[str, Sku], offered: dict[str, Any]
) -> dict[str, Any]:
    """The order as a GetOrder document, which the mirror reads like any VTEX order (and
    stores with the customer's data masked)."""
    now = timezone.now().isoformat()
    shipping = {entry.item_index: entry for entry in placement.shipping}
    items = []
    for line in placement.lines:
        sku = skus[line.sku_id]
        items.append(
            {
                "id": line.sku_id,
                "name": sku.name,
                "refId": sku.ref_id,
                "ean": sku.ean,
                "quantity": line.quantity,
                "price": line.price,
                "listPrice": sku.list_price or line.price,
                "sellingPrice": line.price,
                "measurementUnit": line.raw.get("measurementUnit") or "un",
                "unitMultiplier": line.raw.get("unitMultiplier") or 1,
                "seller": line.seller,
                "imageUrl": sku.images[0] if sku.images else "",
            }
        )
    items_total = sum(line.price * line.quantity for line in placement.lines)
    shipping_total = sum(entry.price for entry in placement.shipping)
    address = placement.address
    return {
        "orderId": order_id,
        "sellerOrderId": order_id,
        "marketplaceOrderId": placement.marketplace_order_id,
        "marketplaceServicesEndpoint": placement.services_endpoint,
        "origin": OrderOrigin.MARKETPLACE.value,
        "status": OrderStatus.WAITING_FFMT_AUTHORIZATION.value,
        "value": items_total + shipping_total,
        "marketplacePaymentValue": placement.payment_value,
        "totals": [
            {"id": "Items", "value": items_total},
            {"id": "Shipping", "value": shipping_total},
        ],
        "creationDate": now,
        "lastChange": now,
        "items": items,
        "clientProfileData": placement.client,
        "shippingData": {
            "address": address,
            "logisticsInfo": [
                {
                    "itemIndex": index,
                    "selectedSla": shipping[index].sla,
                    "price": shipping[index].price,
                    "shippingEstimate": shipping[index].estimate,
                    "lockTTL": shipping[index].lock_ttl,
                    "deliveryChannel": offered[shipping[index].sla]["delivery_channel"],
                }
                for index in range(len(placement.lines))
            ],
        },
        "storePreferencesData": {"currencyCode": "BRL"},
    }
