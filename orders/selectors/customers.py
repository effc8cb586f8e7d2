"""Who the order's customer is, as the user looking may see it: the name, e-mail, document,
phone and address shown, masked or not (``orders.view_customer_pii``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User

from orders.models import (
    Order,
)


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
    # Shipping address: street level masked without the permission, city and state kept.
    receiver_name: str = ""
    street: str = ""
    number: str = ""
    complement: str = ""
    neighborhood: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""


def customer_display(*, order: Order, user: User | AnonymousUser) -> CustomerDisplay:
    """The customer's data as ``user`` may see it: every screen shows customers through here.

    Without ``orders.view_customer_pii`` (the Viewer group) e-mail, documents and phones
    are masked, keeping just enough to tell customers apart, and so are the receiver and the
    street address (street, number, complement, postal code); city and state stay.
    """
    full = user.has_perm("orders.view_customer_pii")
    return CustomerDisplay(
        name=order.customer_name,
        email=order.customer_email if full else mask_email(order.customer_email),
        document_type=order.customer_document_type,
        document=order.customer_document if full else mask_tail(order.customer_document),
        phone=order.customer_phone if full else mask_tail(order.customer_phone),
        is_corporate=order.customer_is_corporate,
        corporate_name=order.customer_corporate_name,
        trade_name=order.customer_trade_name,
        corporate_document=(
            order.customer_corporate_document
            if full
            else mask_tail(order.customer_corporate_document)
        ),
        state_inscription=order.customer_state_inscription,
        corporate_phone=(
            order.customer_corporate_phone if full else mask_tail(order.customer_corporate_phone)
        ),
        receiver_name=(
            order.shipping_receiver_name if full else mask_name(order.shipping_receiver_name)
        ),
        street=order.shipping_street if full else mask_all(order.shipping_street),
        number=order.shipping_number if full else mask_all(order.shipping_number),
        complement=order.shipping_complement if full else mask_all(order.shipping_complement),
        neighborhood=order.shipping_neighborhood,
        city=order.shipping_city,
        state=order.shipping_state,
        postal_code=(
            order.shipping_postal_code if full else mask_postal_code(order.shipping_postal_code)
        ),
        country=order.shipping_country,
    )


def mask_email(email: str) -> str:
    """``joana.silva@example.com`` -> ``j***@example.com``."""
    if not email:
        return ""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def mask_name(name: str) -> str:
    """``Joana Silva`` -> ``J*** S***``: initials only."""
    return " ".join(f"{word[:1]}***" for word in name.split())


def mask_all(value: str) -> str:
    return "***" if value else ""


def mask_postal_code(value: str) -> str:
    """``01310-100`` -> ``013*****``: the region (first 3 digits) only."""
    digits = "".join(char for char in value if char.isdigit())
    if not digits:
        return mask_all(value)
    return digits[:3] + "*" * max(len(digits) - 3, 0)


def phone_display(value: str) -> str:
    """A Brazilian phone as Brazilians write it: ``+5511987654321`` -> ``(11) 98765-4321``
    (``(11) 3456-7890`` for a landline); anything else (foreign, masked, odd) as it is."""
    digits = "".join(character for character in value if character.isdigit())
    if value.startswith("+"):
        if not digits.startswith("55"):
            return value
        digits = digits[2:]
    if "*" in value or len(digits) not in (10, 11):
        return value
    area, number = digits[:2], digits[2:]
    return f"({area}) {number[:-4]}-{number[-4:]}"


def mask_tail(value: str, *, keep: int = 2) -> str:
    """Documents and phones: every character but the last ``keep`` hidden."""
    if not value:
        return ""
    if len(value) <= keep * 2:
        return "*" * len(value)
    return "*" * (len(value) - keep) + value[-keep:]
