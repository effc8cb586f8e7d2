"""A small demo catalog for a newcomer's ``make run`` against the sandbox: SKUs whose ids are
the sandbox's (seed 1) store catalog's, so the sandbox marketplace can simulate and place
orders for them, and shipping rules for a few CEP ranges with a default."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from catalog.models import DeliveryChannel, ShippingRule, Sku

IMAGES = "https://picsum.photos/seed"
CAMISETA = {
    "product_id": "100",
    "product_name": "Camiseta Básica Algodão",
    "description": "Camiseta de malha 100% algodão, gola redonda.",
    "brand": "Hering",
    "category_path": "Moda/Camisetas",
    "price": 4990,
    "list_price": 5990,
    "weight_kg": Decimal("0.200"),
    "height_cm": Decimal("3"),
    "width_cm": Decimal("25"),
    "length_cm": Decimal("30"),
}
CALCA = {
    "product_id": "101",
    "product_name": "Calça Jeans Slim",
    "description": "Calça jeans de corte slim, algodão com elastano.",
    "brand": "Levi's",
    "category_path": "Moda/Calças",
    "price": 18990,
    "list_price": 0,
    "weight_kg": Decimal("0.600"),
    "height_cm": Decimal("5"),
    "width_cm": Decimal("30"),
    "length_cm": Decimal("40"),
}
# (sku id, variant, EAN, stock, product)
SKUS = [
    ("2138", "P", "7896111780022", 50, CAMISETA),
    ("2139", "M", "7899099250471", 40, CAMISETA),
    ("2140", "G", "7898614255489", 30, CAMISETA),
    ("2141", "GG", "7898200967536", 0, CAMISETA),
    ("2142", "38", "7890677604365", 10, CALCA),
    ("2143", "40", "7892738782876", 8, CALCA),
]
# (SLA name, default, from CEP, to CEP, price in cents, estimate)
SHIPPING_RULES = [
    ("Normal", True, "", "", 1590, "7bd"),
    ("Normal", False, "01000000", "19999999", 990, "4bd"),
    ("Expressa", False, "01000000", "05999999", 2490, "1bd"),
]


@dataclass(frozen=True)
class DemoLoaded:
    skus: int
    shipping_rules: int


def catalog_demo_load() -> DemoLoaded:
    """Create what is missing of the demo catalog; rows already there are left as they are
    (an operator may have changed them)."""
    skus = rules = 0
    with transaction.atomic():
        for sku_id, variant, ean, stock, product in SKUS:
            _sku, created = Sku.objects.get_or_create(
                sku_id=sku_id,
                defaults={
                    **product,
                    "name": f"{product['product_name']} {variant}",
                    "ean": ean,
                    "ref_id": f"REF-{product['product_id']}-{variant}",
                    "stock": stock,
                    "images": [f"{IMAGES}/{sku_id}/600/600.jpg"],
                    "specifications": {"Tamanho": variant},
                },
            )
            skus += created
        for name, is_default, first, last, price, estimate in SHIPPING_RULES:
            _rule, created = ShippingRule.objects.get_or_create(
                name=name,
                is_default=is_default,
                postal_code_from=first,
                postal_code_to=last,
                defaults={
                    "delivery_channel": DeliveryChannel.DELIVERY,
                    "price": price,
                    "shipping_estimate": estimate,
                },
            )
            rules += created
    return DemoLoaded(skus=skus, shipping_rules=rules)
