"""GetOrder documents shaped like VTEX's (the seeds' full order JSON), for tests without HTTP."""

import copy
from typing import Any


def vtex_order_document(
    order_id: str = "1172452900788-01",
    *,
    status: str = "ready-for-handling",
    last_change: str = "2024-05-10T12:00:00.0000000+00:00",
    packages: list[dict[str, Any]] | None = None,
    items: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    document = {
        "orderId": order_id,
        "sequence": "502556",
        "marketplaceOrderId": "",
        "marketplaceServicesEndpoint": "",
        "sellerOrderId": f"00-{order_id}",
        "origin": "Marketplace",
        "affiliateId": "",
        "salesChannel": "1",
        "status": status,
        "statusDescription": "Pronto para o manuseio",
        "value": 28880,
        "creationDate": "2024-05-10T11:00:00.4617653+00:00",
        "lastChange": last_change,
        "orderGroup": order_id.rsplit("-", 1)[0],
        "authorizedDate": "2024-05-10T11:05:00.0000000+00:00",
        "invoicedDate": None,
        "followUpEmail": "81acb5b2b0e942e6aac05490a6351278@ct.vtex.com.br",
        "totals": [
            {"id": "Items", "name": "Items Total", "value": 30000},
            {"id": "Discounts", "name": "Discounts Total", "value": -1120},
            {"id": "Shipping", "name": "Shipping Total", "value": 0},
            {"id": "Tax", "name": "Tax Total", "value": 0},
        ],
        "items": items
        if items is not None
        else [
            {
                "uniqueId": "87F0945396994B349158C7D9C9941442",
                "id": "270851",
                "productId": "100057806",
                "ean": "7891234567895",
                "quantity": 1,
                "seller": "1",
                "name": "Notebook Samsung Intel Core i3",
                "refId": "14568",
                "price": 30000,
                "listPrice": 129800,
                "sellingPrice": 28880,
                "imageUrl": "https://example.vteximg.com.br/arquivos/ids/959883-55-55/270851.jpg",
                "measurementUnit": "un",
                "unitMultiplier": 1.0,
            }
        ],
        "clientProfileData": {
            "email": "4f1431877bb6410798bebf34c6e46b28@ct.vtex.com.br",
            "firstName": "Saul",
            "lastName": "Goodman",
            "documentType": "cpf",
            "document": "77564538910",
            "phone": "+552199998888",
            "corporateName": None,
            "tradeName": None,
            "corporateDocument": None,
            "stateInscription": None,
            "corporatePhone": None,
            "isCorporate": False,
            "userProfileId": "dd013258-7be9-4555-bbfe-7207fadcdd62",
        },
        "shippingData": {
            "address": {
                "addressType": "residential",
                "receiverName": "Gustavo Almeida",
                "postalCode": "20010-060",
                "city": "Rio De Janeiro",
                "state": "RJ",
                "country": "BRA",
                "street": "Rua Visconde De Itaboraí",
                "number": "70",
                "neighborhood": "Centro",
                "complement": None,
                "reference": None,
            },
            "logisticsInfo": [
                {
                    "itemIndex": 0,
                    "selectedSla": "Normal",
                    "deliveryCompany": "Transportadora Exemplo",
                    "shippingEstimate": "12bd",
                    "shippingEstimateDate": "2024-05-28T19:46:23.686688Z",
                }
            ],
        },
        "paymentData": {
            "transactions": [
                {
                    "isActive": True,
                    "transactionId": "33CD3CC4D11A4FA49A2C9EE20D771F98",
                    "payments": [
                        {
                            "paymentSystemName": "American Express",
                            "value": 28880,
                            "installments": 3,
                            "group": "creditCard",
                            "firstDigits": "376441",
                            "lastDigits": "2018",
                        }
                    ],
                }
            ]
        },
        "packageAttachment": {"packages": packages or []},
        "storePreferencesData": {"currencyCode": "BRL"},
    }
    return copy.deepcopy(document)


def vtex_package(
    number: str = "NF1001",
    *,
    value: int = 28880,
    tracking: list[dict[str, str]] | None = None,
    delivered: bool = False,
) -> dict[str, Any]:
    return {
        "type": "Output",
        "invoiceNumber": number,
        "invoiceValue": value,
        "issuanceDate": "2024-05-11T10:00:00.0000000+00:00",
        "invoiceKey": "35240512345678000190550010000010011000010010",
        "invoiceUrl": "https://nfe.example.com.br/NF1001.pdf",
        "courier": "Correios",
        "trackingNumber": "BR123456789",
        "trackingUrl": "https://rastreio.example.com.br/BR123456789",
        "items": [{"itemIndex": 0, "quantity": 1, "price": 28880, "description": "Notebook"}],
        "courierStatus": {
            "status": "delivered" if delivered else "in-transit",
            "finished": delivered,
            "deliveredDate": "2024-05-15 14:30" if delivered else None,
            "data": [
                {
                    "city": event["city"],
                    "state": event["state"],
                    "description": event["description"],
                    "createDate": event["date"],
                    "lastChange": event["date"],
                }
                for event in tracking or []
            ],
        },
    }
