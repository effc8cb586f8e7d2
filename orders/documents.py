"""VTEX's GetOrder document read into the mirror's columns: pure functions, no database.

What a document gives an ``Order``, its ``OrderItem``s and, per package, an ``Invoice``, its
lines and tracking events; the stored copy of the document with every personal value masked
(see docs/personal-data.md); VTEX's date strings. ``orders.services.sync`` writes what this
module reads.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils import timezone

from core.fields import model_field
from orders.models import Invoice, InvoiceItem, InvoiceType, Order, OrderItem, TrackingEvent
from orders.models.order import untracked_since

logger = logging.getLogger(__name__)

Document = dict[str, Any]

MASK = "***"
# Personal data VTEX puts in a GetOrder document. The mirror keeps what operators need in
# columns (where the admin can mask it per user); the stored raw document keeps none of it.
PERSONAL_KEYS = frozenset(
    {
        "email",
        "followUpEmail",
        "firstName",
        "lastName",
        "clientName",
        "document",
        "phone",
        "corporateName",
        "tradeName",
        "corporateDocument",
        "stateInscription",
        "corporatePhone",
        "userProfileId",
        "receiverName",
        "street",
        "number",
        "complement",
        "reference",
        "postalCode",
        "geoCoordinates",
        "cardHolder",
        "cardNumber",
        "firstDigits",
        "lastDigits",
        "cvv2",
        "expireMonth",
        "expireYear",
        # packageAttachment.packages[].embeddedInvoice: the NF-e XML, which names the
        # customer (CPF, name, address). The invoice's number, key and value have columns.
        "embeddedInvoice",
    }
)


@dataclass(frozen=True)
class Incoming:
    """A GetOrder document read into the rows it gives."""

    vtex_order_id: str
    document: Document
    fields: dict[str, Any]
    items: list[dict[str, Any]]
    packages: list[Document]

    @classmethod
    def read(cls, document: Document) -> Incoming:
        return cls(
            vtex_order_id=str(document["orderId"]),
            document=document,
            fields=order_fields_from_document(document),
            items=items_from_document(document),
            packages=cls.packages_of(document),
        )

    @staticmethod
    def packages_of(document: Document) -> list[Document]:
        return ((document.get("packageAttachment") or {}).get("packages")) or []

    def older_than(self, moment: datetime | None) -> bool:
        mine = self.fields["vtex_last_change"]
        return mine is not None and moment is not None and mine < moment


def order_fields_from_document(document: Document) -> dict[str, Any]:
    """The `Order` columns a GetOrder document gives (all but the id and bookkeeping)."""
    totals = {total.get("id"): _int(total.get("value")) for total in document.get("totals") or []}
    client = document.get("clientProfileData") or {}
    shipping = document.get("shippingData") or {}
    address = shipping.get("address") or {}
    logistics = shipping.get("logisticsInfo") or []
    estimates = [
        moment
        for moment in (parse_vtex_datetime(info.get("shippingEstimateDate")) for info in logistics)
        if moment is not None
    ]
    store = document.get("storePreferencesData") or {}
    invoices = [_invoice_fields(package) for package in Incoming.packages_of(document)]

    fields: dict[str, Any] = {
        "sequence": _str(document.get("sequence")),
        "order_group": _str(document.get("orderGroup")),
        "marketplace_order_id": _str(document.get("marketplaceOrderId")),
        "marketplace_services_endpoint": _str(document.get("marketplaceServicesEndpoint")),
        "seller_order_id": _str(document.get("sellerOrderId")),
        "origin": _str(document.get("origin")),
        "sales_channel": _str(document.get("salesChannel")),
        "affiliate_id": _str(document.get("affiliateId")),
        "status": _str(document.get("status")),
        "value": _int(document.get("value")),
        "items_total": totals.get("Items", 0),
        "discounts_total": totals.get("Discounts", 0),
        "shipping_total": totals.get("Shipping", 0),
        "tax_total": totals.get("Tax", 0),
        "currency_code": _str(store.get("currencyCode")) or "BRL",
        "created_at": parse_vtex_datetime(document.get("creationDate")) or timezone.now(),
        "authorized_at": parse_vtex_datetime(document.get("authorizedDate")),
        "invoiced_at": parse_vtex_datetime(document.get("invoicedDate")),
        "vtex_last_change": parse_vtex_datetime(document.get("lastChange")),
        "customer_first_name": _str(client.get("firstName")),
        "customer_last_name": _str(client.get("lastName")),
        "customer_email": _str(client.get("email")),
        "customer_document_type": _str(client.get("documentType")),
        "customer_document": _str(client.get("document")),
        "customer_phone": _str(client.get("phone")),
        "customer_is_corporate": bool(client.get("isCorporate")),
        "customer_corporate_name": _str(client.get("corporateName")),
        "customer_trade_name": _str(client.get("tradeName")),
        "customer_corporate_document": _str(client.get("corporateDocument")),
        "customer_state_inscription": _str(client.get("stateInscription")),
        "customer_corporate_phone": _str(client.get("corporatePhone")),
        "shipping_receiver_name": _str(address.get("receiverName")),
        "shipping_postal_code": _str(address.get("postalCode")),
        "shipping_street": _str(address.get("street")),
        "shipping_number": _str(address.get("number")),
        "shipping_complement": _str(address.get("complement")),
        "shipping_neighborhood": _str(address.get("neighborhood")),
        "shipping_city": _str(address.get("city")),
        "shipping_state": _str(address.get("state")),
        "shipping_country": _str(address.get("country")),
        "selected_sla": _joined(info.get("selectedSla") for info in logistics),
        "carrier": _joined(info.get("deliveryCompany") for info in logistics),
        "estimated_delivery_at": max(estimates) if estimates else None,
        "delivered": any(
            fields["delivered"] and fields["type"] == InvoiceType.OUTPUT for fields in invoices
        ),
        **_payment_fields(document.get("paymentData") or {}),
        "raw_document": document_mask(document),
    }
    fields["untracked_since"] = untracked_since(
        (
            (invoice["type"], invoice["tracking_number"], invoice["issued_at"])
            for invoice in invoices
        ),
        invoiced_at=fields["invoiced_at"],
        created_at=fields["created_at"],
    )
    return _clipped(Order, fields)


def _payment_fields(payment_data: Document) -> dict[str, Any]:
    transactions = payment_data.get("transactions") or []
    active = [t for t in transactions if t.get("isActive", True)] or transactions
    payments = [payment for t in active for payment in (t.get("payments") or [])]
    return {
        "payment_method": _joined(p.get("paymentSystemName") for p in payments),
        "payment_group": _joined(p.get("group") for p in payments),
        "payment_installments": max((_int(p.get("installments")) for p in payments), default=0),
        "payment_transaction_id": _str(active[0].get("transactionId")) if active else "",
    }


def items_from_document(document: Document) -> list[dict[str, Any]]:
    """`OrderItem` columns for each of VTEX's items[], in VTEX's order (position = index)."""
    return [
        _clipped(
            OrderItem,
            {
                "position": position,
                "sku_id": _str(item.get("id")),
                "product_id": _str(item.get("productId")),
                "ref_id": _str(item.get("refId")),
                "ean": _str(item.get("ean")),
                "name": _str(item.get("name")),
                "quantity": _int(item.get("quantity")),
                "unit_price": _int(item.get("price")),
                "list_price": _int(item.get("listPrice")),
                "selling_price": _int(item.get("sellingPrice")),
                "measurement_unit": _str(item.get("measurementUnit")),
                "unit_multiplier": _decimal(item.get("unitMultiplier"), default=Decimal(1)),
                "seller": _str(item.get("seller")),
                "image_url": _str(item.get("imageUrl")),
            },
        )
        for position, item in enumerate(document.get("items") or [])
    ]


def document_mask(document: Document) -> Document:
    """A copy of ``document`` with every personal value replaced by ``***``."""

    def mask(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                key: (MASK if key in PERSONAL_KEYS and value not in (None, "") else mask(value))
                for key, value in node.items()
            }
        if isinstance(node, list):
            return [mask(value) for value in node]
        return node

    # mask() builds new containers all the way down, so the caller's document is untouched.
    return mask(document)


def parse_vtex_datetime(value: Any) -> datetime | None:
    """VTEX dates: ISO 8601, often with 7-digit fractions; a missing offset means UTC."""
    if not value or not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        logger.warning("unreadable VTEX date %r", value)
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_vtex_date(value: Any) -> date | None:
    """A tracking event's day. A plain ``YYYY-MM-DD`` (what carriers and operators send) is
    that day: read as midnight UTC it was shown as the evening before in Brazil. A date with
    a time (VTEX's ``createDate``, ``lastChange``) is the day it was in the back office's
    time zone."""
    if not value or not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        moment = parse_vtex_datetime(value)
    return None if moment is None else timezone.localdate(moment)


@dataclass(frozen=True)
class PackageRows:
    fields: dict[str, Any]
    lines: list[dict[str, Any]]
    tracking: list[dict[str, Any]]

    @property
    def key(self) -> tuple[str, str]:
        return (self.fields["type"], self.fields["number"])


def package_rows(package: Document, items: list[dict[str, Any]]) -> PackageRows:
    """`Invoice`, `InvoiceItem` and `TrackingEvent` columns of one of VTEX's packages."""
    sku_by_position = {item["position"]: item["sku_id"] for item in items}
    courier_status = package.get("courierStatus") or {}
    return PackageRows(
        fields=_invoice_fields(package),
        lines=sorted(
            (
                _clipped(
                    InvoiceItem,
                    {
                        "item_index": _int(line.get("itemIndex")),
                        "sku_id": sku_by_position.get(_int(line.get("itemIndex")), ""),
                        "quantity": _int(line.get("quantity")),
                        "unit_price": _int(line.get("price")),
                    },
                )
                for line in package.get("items") or []
            ),
            # The database lists them in this order too: comparing the two stays cheap.
            key=lambda line: line["item_index"],
        ),
        tracking=sorted(
            (
                _clipped(
                    TrackingEvent,
                    {
                        "city": _str(event.get("city")),
                        "state": _str(event.get("state")),
                        "description": _str(event.get("description")),
                        "occurred_at": parse_vtex_date(
                            event.get("date") or event.get("createDate") or event.get("lastChange")
                        ),
                    },
                )
                for event in courier_status.get("data") or []
            ),
            key=lambda event: (event["occurred_at"] is not None, event["occurred_at"] or 0),
        ),
    )


def _invoice_fields(package: Document) -> dict[str, Any]:
    courier_status = package.get("courierStatus") or {}
    invoice_type = _str(package.get("type")) or InvoiceType.OUTPUT
    return _clipped(
        Invoice,
        {
            "number": _str(package.get("invoiceNumber")),
            "type": invoice_type,
            "value": _int(package.get("invoiceValue")),
            "issued_at": parse_vtex_datetime(package.get("issuanceDate")),
            "key": _str(package.get("invoiceKey")),
            "url": _str(package.get("invoiceUrl")),
            "courier": _str(package.get("courier")),
            "tracking_number": _str(package.get("trackingNumber")),
            "tracking_url": _str(package.get("trackingUrl")),
            "dispatched_at": parse_vtex_datetime(package.get("dispatchedDate")),
            "delivered": bool(courier_status.get("finished")),
            "delivered_at": parse_vtex_datetime(courier_status.get("deliveredDate")),
        },
    )


# --- Small conversions ------------------------------------------------------------------


def _str(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


# The decimal columns read here are numeric(12,4): below 10^8 either way.
DECIMAL_BELOW = Decimal(10**8)


def _decimal(value: Any, *, default: Decimal) -> Decimal:
    """``value`` to 4 decimals; ``default`` when it is missing, not a number, not finite
    (``NaN``, ``Infinity``) or too large for the column (a row must not stop an import)."""
    if value is None or isinstance(value, bool):
        return default
    try:
        number = Decimal(str(value))
        if not number.is_finite() or abs(number) >= DECIMAL_BELOW:
            return default
        return number.quantize(Decimal("0.0001"))
    except (InvalidOperation, ValueError):
        return default


def _joined(values: Any) -> str:
    seen: list[str] = []
    for value in values:
        text = _str(value)
        if text and text not in seen:
            seen.append(text)
    return ", ".join(seen)


def _clipped(model: type[models.Model], fields: dict[str, Any]) -> dict[str, Any]:
    """Cut strings to the column's length: one over-long VTEX field must not stop an import."""
    for name, value in fields.items():
        max_length = model_field(model, name).max_length
        if isinstance(value, str) and max_length and len(value) > max_length:
            fields[name] = value[:max_length]
    return fields
