"""A SKU as the marketplace's Suggestions API takes it (``SaveSuggestion``), and what a SKU
lacks before it can be suggested. Pure: reads the SKU, writes nothing.

VTEX requires the product and SKU names, the product's description, its brand and category
path (both must exist at the marketplace), height, width, length (cm) and weight (grams) as
integers, a RefId or an EAN, at least one https image, the quantity available and the price
(``../shared/docs/vtex-contract.md`` §8.3). The operator reads what is missing by the names
the SKU page uses for its fields.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from catalog.models import Sku
from core.fields import model_field

# VTEX refuses a longer ProductName.
PRODUCT_NAME_MAX_LENGTH = 150
# SKU fields VTEX requires, in the order the operator reads them.
REQUIRED_FIELDS = (
    "product_name",
    "name",
    "description",
    "brand",
    "category_path",
    "height_cm",
    "width_cm",
    "length_cm",
    "weight_kg",
    "images",
    "price",
)


def _label(field_name: str) -> str:
    return str(capfirst(model_field(Sku, field_name).verbose_name))


def _filled(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, int | Decimal):
        return value > 0
    return bool(value)


def https_images(sku: Sku) -> list[str]:
    return [
        url.strip()
        for url in sku.images or []
        if isinstance(url, str) and url.strip().startswith("https://")
    ]


def suggestion_missing(sku: Sku) -> list[str]:
    """The SKU's fields VTEX requires and the SKU lacks, by their names on the SKU page
    (empty: the SKU can be suggested)."""
    missing = []
    for name in REQUIRED_FIELDS:
        value = https_images(sku) if name == "images" else getattr(sku, name)
        if not _filled(value):
            missing.append(_label(name))
    if not (sku.ean.strip() or sku.ref_id.strip()):
        missing.append(
            _("%(ean)s or %(ref_id)s") % {"ean": _label("ean"), "ref_id": _label("ref_id")}
        )
    return missing


def suggestion_problems(sku: Sku) -> list[str]:
    """Everything that keeps the SKU from being suggested, for the operator."""
    problems = []
    missing = suggestion_missing(sku)
    if missing:
        problems.append(_("missing %(fields)s") % {"fields": ", ".join(missing)})
    if len(sku.product_name) > PRODUCT_NAME_MAX_LENGTH:
        problems.append(
            _("%(field)s has more than %(limit)d characters")
            % {"field": _label("product_name"), "limit": PRODUCT_NAME_MAX_LENGTH}
        )
    if sku.images and len(https_images(sku)) < len(sku.images):
        problems.append(_("every image needs an https:// URL"))
    return problems


def _whole(value: Decimal, factor: int = 1) -> int:
    # VTEX takes integers: round up, so a package is never declared smaller than it is.
    return max(1, math.ceil(value * factor))


def _specifications(values: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "fieldName": str(name),
            "fieldValues": [str(v) for v in value] if isinstance(value, list) else [str(value)],
        }
        for name, value in (values or {}).items()
    ]


def suggestion_payload(*, sku: Sku, seller_id: str, available: int) -> dict[str, Any]:
    """The body of ``PUT /suggestions/{sellerId}/{sellerSkuId}`` for a SKU with no problems
    (``suggestion_problems``); ``available`` is its stock less what placed orders hold."""
    payload: dict[str, Any] = {
        "ProductId": sku.product_id or sku.sku_id,
        "ProductName": sku.product_name,
        "ProductDescription": sku.description,
        "BrandName": sku.brand,
        "SkuName": sku.name,
        "SellerId": seller_id,
        "Height": _whole(sku.height_cm),
        "Width": _whole(sku.width_cm),
        "Length": _whole(sku.length_cm),
        "Weight": _whole(sku.weight_kg, 1000),
        "CategoryFullPath": sku.category_path.strip("/"),
        "Images": [
            {"imageName": f"{sku.sku_id}-{position}", "imageUrl": url}
            for position, url in enumerate(https_images(sku), start=1)
        ],
        "SkuSpecifications": _specifications(sku.specifications),
        "ProductSpecifications": [],
        "MeasurementUnit": "un",
        "UnitMultiplier": 1,
        "AvailableQuantity": max(available, 0),
        "Pricing": {"Currency": "BRL", "SalePrice": sku.price, "CurrencySymbol": "R$"},
    }
    if sku.ean:
        payload["EAN"] = sku.ean
    if sku.ref_id:
        payload["RefId"] = sku.ref_id
    if sku.sku_id.isdigit():
        payload["SellerStockKeepingUnitId"] = int(sku.sku_id)
    return payload
