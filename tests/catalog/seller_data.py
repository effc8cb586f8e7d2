"""What the seller endpoint tests share: a small catalog with shipping rules, the
marketplace's credentials, the guide's example bodies, and a placement body."""

from __future__ import annotations

import copy
from typing import Any

from catalog.models import ShippingRule, Sku

APP_KEY = "seller-test-appkey"
APP_TOKEN = "seller-test-apptoken"
HEADERS = {"HTTP_X_VTEX_API_APPKEY": APP_KEY, "HTTP_X_VTEX_API_APPTOKEN": APP_TOKEN}
SIMULATION = "/seller/pvt/orderForms/simulation"
ORDERS = "/seller/pvt/orders"
SERVICES = "https://mymarketplace.vtexcommercestable.com.br/api/fulfillment?an=mymarketplace"


def catalog_load() -> dict[str, Sku]:
    """Three SKUs (one out of stock, one inactive) and the rules: Normal for 01000000-19999999
    at R$ 9,90 in 4 business days, its default R$ 15,90 in 7, Expressa only in 01000000-05999999
    at R$ 24,90 next business day."""
    skus = {
        sku.sku_id: sku
        for sku in Sku.objects.bulk_create(
            [
                Sku(
                    sku_id="2000037",
                    name="Camiseta P",
                    product_name="Camiseta",
                    price=4990,
                    list_price=5990,
                    stock=10,
                ),
                Sku(
                    sku_id="34562",
                    name="Calça 40",
                    product_name="Calça",
                    price=18990,
                    list_price=0,
                    stock=3,
                ),
                Sku(sku_id="555", name="Boné", product_name="Boné", price=2990, stock=0),
                Sku(
                    sku_id="777",
                    name="Meia",
                    product_name="Meia",
                    price=990,
                    stock=50,
                    active=False,
                ),
            ]
        )
    }
    ShippingRule.objects.bulk_create(
        [
            ShippingRule(
                name="Normal",
                postal_code_from="01000000",
                postal_code_to="19999999",
                price=990,
                shipping_estimate="4bd",
            ),
            ShippingRule(name="Normal", is_default=True, price=1590, shipping_estimate="7bd"),
            ShippingRule(
                name="Expressa",
                postal_code_from="01000000",
                postal_code_to="05999999",
                price=2490,
                shipping_estimate="1bd",
            ),
            ShippingRule(
                name="Retirada",
                postal_code_from="01000000",
                postal_code_to="01999999",
                price=0,
                shipping_estimate="2d",
                active=False,
            ),
        ]
    )
    return skus


# The guide's examples (seeds/003: "Simulação de Carrinho", "Enviar Pedido").
GUIDE_SIMULATION = {
    "items": [
        {"id": "2000037", "quantity": 1, "seller": "1"},
        {"id": "34562", "quantity": 2, "seller": "1"},
    ],
    "marketingData": None,
    "postalCode": "22051030",
    "country": "BRA",
    "selectedSla": None,
    "clientProfileData": None,
    "geoCoordinates": [],
}
GUIDE_PLACEMENT = [
    {
        "marketplaceOrderId": "959311095",
        "marketplaceServicesEndpoint": SERVICES,
        "marketplacePaymentValue": 11080,
        "items": [
            {
                "id": "2000037",
                "quantity": 1,
                "Seller": "1",
                "commission": 0,
                "freightCommission": 0,
                "price": 9990,
                "bundleItems": [],
                "itemAttachment": {"name": None, "content": {}},
                "attachments": [],
                "priceTags": [],
                "measurementUnit": None,
                "unitMultiplier": 0,
                "isGift": False,
            }
        ],
        "clientProfileData": {
            "id": "clientProfileData",
            "email": "32172239852@gmail.com.br",
            "firstName": "Jonas",
            "lastName": "Alves de Oliveira",
            "documentType": None,
            "document": "3244239851",
            "phone": "399271258",
            "corporateName": None,
            "tradeName": None,
            "corporateDocument": None,
            "stateInscription": None,
            "corporatePhone": None,
            "isCorporate": False,
            "userProfileId": None,
        },
        "shippingData": {
            "id": "shippingData",
            "address": {
                "addressType": "Residencial",
                "receiverName": "Jonas Alves de Oliveira",
                "addressId": "Casa",
                "postalCode": "13476103",
                "city": "Americana",
                "state": "SP",
                "country": "BRA",
                "street": "JOÃO DAMÁZIO GOMES",
                "number": "311",
                "neighborhood": "SÃO JOSÉ",
                "complement": None,
                "reference": "Bairro Praia Azul / Posto de Saúde 17",
                "geoCoordinates": [],
            },
            "logisticsInfo": [
                {
                    "itemIndex": 0,
                    "selectedSla": "Normal",
                    "lockTTL": "8d",
                    "shippingEstimate": "7d",
                    "price": 1090,
                    "deliveryWindow": None,
                }
            ],
        },
        "openTextField": None,
        "marketingData": {"utmSource": "buscape", "utmCampaign": "fretegratis"},
        "paymentData": None,
    }
]


def placement(
    marketplace_order_id: str = "1300000007919-01", items: list[tuple[str, int, int]] | None = None
) -> dict[str, Any]:
    """The spec's placement (an object) of ``items`` as (sku id, quantity, unit price)."""
    body = copy.deepcopy(GUIDE_PLACEMENT[0])
    lines = items or [("2000037", 2, 4990), ("34562", 1, 18990)]
    template = body["items"][0]
    body["marketplaceOrderId"] = marketplace_order_id
    body["items"] = [
        # unitMultiplier: the spec's default 1 (the guide's 0 is refused).
        {
            **template,
            "id": sku,
            "quantity": quantity,
            "price": price,
            "seller": "1",
            "unitMultiplier": 1,
        }
        for sku, quantity, price in lines
    ]
    body["shippingData"]["logisticsInfo"] = [
        {
            "itemIndex": index,
            "selectedSla": "Normal",
            "lockTTL": "8d",
            "shippingEstimate": "4bd",
            "price": 990 if index == 0 else 0,
            "deliveryWindow": None,
        }
        for index in range(len(lines))
    ]
    body["marketplacePaymentValue"] = sum(q * p for _s, q, p in lines) + 990
    return body
