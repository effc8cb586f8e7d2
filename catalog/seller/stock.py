"""The units a marketplace order holds (``StockReservation``) once it closes: invoiced, they
leave the stock; canceled, they are free again. Registered with the orders app in
``CatalogConfig.ready``; runs in the transaction that closes the order."""

from __future__ import annotations

from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from catalog.models import Sku, StockReservation
from orders.models import Order
from orders.services.marketplace_status import on_marketplace_order_closed
from orders.status import OrderStatus


def reservations_close(*, order: Order, status: str) -> None:
    held = list(
        StockReservation.objects.select_for_update()
        .filter(order=order, released_at__isnull=True)
        .order_by("sku_id")
    )
    if not held:
        return
    if status == OrderStatus.INVOICED:
        for reservation in held:
            # An operator may have set the stock below what was held: it stops at 0.
            Sku.objects.filter(pk=reservation.sku_id).update(
                stock=Greatest(F("stock") - reservation.quantity, 0), updated_at=timezone.now()
            )
    StockReservation.objects.filter(pk__in=[r.pk for r in held]).update(released_at=timezone.now())


def register() -> None:
    on_marketplace_order_closed(reservations_close)
