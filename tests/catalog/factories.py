"""factory-boy factories for the catalog: a SKU with everything VTEX requires to suggest it."""

from decimal import Decimal

import factory

from catalog.models import ShippingRule, Sku


class SkuFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sku

    sku_id = factory.Sequence(lambda n: str(5000 + n))
    product_id = factory.Sequence(lambda n: str(900 + n))
    name = factory.Sequence(lambda n: f"Garrafa Térmica 1L cor {n}")
    product_name = "Garrafa Térmica 1L"
    description = "Garrafa térmica de aço inox, mantém a bebida quente por 24 horas."
    brand = "Stanley"
    category_path = "Casa/Garrafas"
    ean = "7891000315507"
    weight_kg = Decimal("0.700")
    height_cm = Decimal("30.5")
    width_cm = Decimal("10")
    length_cm = Decimal("10")
    images = factory.LazyAttribute(lambda sku: [f"https://img.example.com/{sku.sku_id}.jpg"])
    specifications = factory.LazyFunction(lambda: {"Cor": "Verde", "Capacidade": ["1 L"]})
    price = 24990
    list_price = 29990
    stock = 12


class ShippingRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShippingRule

    name = "Normal"
    is_default = True
    price = 1590
    shipping_estimate = "7bd"
