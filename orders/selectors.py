"""Reads shared by the admin and the tasks (append only: both import and operations add here)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from orders.models import Invoice, Order, OrderEvent


@dataclass(frozen=True)
class CustomerDisplay:
    name: str
    email: str
    document_type: str
    document: str
    phone: str
    is_corporate: bool
    corporate_name: str
    trade_name: str
    corporate_document: str
    state_inscription: str
    corporate_phone: str


def customer_display(*, order: Order, user: AbstractBaseUser | AnonymousUser) -> CustomerDisplay:
    """The customer's data as ``user`` may see it: every screen shows customers through here."""
    return CustomerDisplay(
        name=order.customer_name,
        email=order.customer_email,
        document_type=order.customer_document_type,
        document=order.customer_document,
        phone=order.customer_phone,
        is_corporate=order.customer_is_corporate,
        corporate_name=order.customer_corporate_name,
        trade_name=order.customer_trade_name,
        corporate_document=order.customer_corporate_document,
        state_inscription=order.customer_state_inscription,
        corporate_phone=order.customer_corporate_phone,
    )


def orders_with_invoice_flag(queryset: QuerySet[Order] | None = None) -> QuerySet[Order]:
    """Orders annotated with ``has_invoice`` (an Output invoice exists)."""
    queryset = Order.objects.all() if queryset is None else queryset
    return queryset.annotate(
        has_invoice=Exists(Invoice.objects.filter(order=OuterRef("pk"), type="Output"))
    )


def order_detail_related(*, order: Order) -> dict[str, list]:
    """Items, invoices (with their items and tracking) and the timeline of one order.

    A fixed number of queries whatever the number of items, invoices or events.
    """
    return {
        "items": list(order.items.all()),
        "invoices": list(
            order.invoices.prefetch_related(
                "items", Prefetch("tracking_events", to_attr="tracking")
            )
        ),
        "events": list(
            OrderEvent.objects.filter(order=order)
            .select_related("actor_user")
            .order_by("created_at", "pk")
        ),
    }
