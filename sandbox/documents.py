"""Render sandbox orders as the JSON documents VTEX answers with.

Shapes follow `VTEX - Orders API.json` (GetOrder, ListOrders, GetPaymenttransaction)
and `VTEX - Payments Gateway API.json` (TransactionDetails), with values modelled on
the full order in the integration guides (`../shared/seeds/000_*.txt`).
"""

from __future__ import annotations

import math
from datetime import datetime

from sandbox.clock import vtex_datetime
from sandbox.model import STATUS_DESCRIPTIONS, TOTAL_NAMES, Invoice, Order

STORE_NAME = "Loja Sandbox"


def _date(moment: datetime | None) -> str | None:
    return vtex_datetime(moment) if moment else None


def _item(item, order_id: str) -> dict:
    return {
        "uniqueId": item.unique_id,
        "id": item.sku_id,
        "productId": item.product_id,
        "ean": item.ean,
        "lockId": f"00-{order_id}",
        "itemAttachment": {"content": {}, "name": None},
        "attachments": [],
        "quantity": item.quantity,
        "seller": item.seller,
        "name": item.name,
        "refId": item.ref_id,
        "price": item.price,
        "listPrice": item.list_price,
        "manualPrice": None,
        "priceTags": item.price_tags,
        "imageUrl": item.image_url,
        "detailUrl": item.detail_url,
        "components": [],
        "bundleItems": [],
        "params": [],
        "offerings": [],
        "attachmentOfferings": [],
        "sellerSku": item.sku_id,
        "priceValidUntil": None,
        "commission": 0,
        "tax": 0,
        "preSaleDate": None,
        "additionalInfo": {
            "brandName": item.brand_name,
            "brandId": item.brand_id,
            "categoriesIds": item.category_ids,
            "categories": [],
            "productClusterId": "",
            "commercialConditionId": "1",
            "dimension": {
                "cubicweight": round(item.height * item.width * item.length / 6000, 4),
                "height": item.height,
                "length": item.length,
                "weight": item.weight,
                "width": item.width,
            },
            "offeringInfo": None,
            "offeringType": None,
            "offeringTypeId": None,
        },
        "measurementUnit": "un",
        "unitMultiplier": 1,
        "sellingPrice": item.selling_price,
        "isGift": False,
        "shippingPrice": None,
        "rewardValue": 0,
        "freightCommission": 0,
        "priceDefinitions": {
            "sellingPrices": [{"value": item.selling_price, "quantity": item.quantity}],
            "calculatedSellingPrice": item.selling_price,
            "total": item.selling_price * item.quantity,
        },
        "taxCode": None,
        "parentItemIndex": None,
        "parentAssemblyBinding": None,
        "callCenterOperator": None,
        "serialNumbers": None,
        "assemblies": [],
        "costPrice": item.price * 6 // 10,
    }


def _package(order: Order, invoice: Invoice) -> dict:
    index_by_sku = {item.sku_id: i for i, item in enumerate(order.items)}
    courier_status = None
    if invoice.events or invoice.delivered:
        courier_status = {
            "status": "delivered" if invoice.delivered else "in-transit",
            "finished": invoice.delivered,
            "deliveredDate": invoice.delivered_date,
            "data": [
                {
                    "lastChange": vtex_datetime(event["createDate"]),
                    "city": event["city"],
                    "state": event["state"],
                    "description": event["description"],
                    "createDate": event["date"],
                }
                for event in invoice.events
            ],
        }
    restitutions: dict = {}
    if invoice.type == "Input":
        restitutions = {
            "Refund": {
                "value": invoice.value,
                "giftCardData": None,
                "items": [
                    {
                        "useFreight": None,
                        "isCompensation": False,
                        "compensationValue": 0,
                        "id": str(line.get("id")),
                        "quantity": line.get("quantity", 0),
                        "price": line.get("price", 0),
                    }
                    for line in invoice.items
                ],
            }
        }
    return {
        "items": [
            {
                "itemIndex": index_by_sku.get(str(line.get("id")), 0),
                "quantity": line.get("quantity", 0),
                "price": line.get("price", 0),
                "description": line.get("description") or "",
                "unitMultiplier": 1.0,
            }
            for line in invoice.items
        ],
        "courier": invoice.courier,
        "invoiceNumber": invoice.number,
        "invoiceValue": invoice.value,
        "invoiceUrl": invoice.url,
        "issuanceDate": invoice.issuance_date,
        "trackingNumber": invoice.tracking_number,
        "invoiceKey": invoice.key,
        "trackingUrl": invoice.tracking_url,
        "embeddedInvoice": invoice.embedded or "",
        "type": invoice.type,
        "courierStatus": courier_status,
        "cfop": invoice.cfop,
        "restitutions": restitutions,
        "volumes": 1,
        "EnableInferItems": None,
    }


def _payment(order: Order) -> dict:
    payment = order.payment
    return {
        "id": payment["paymentId"],
        "paymentSystem": payment["paymentSystem"],
        "paymentSystemName": payment["paymentSystemName"],
        "value": payment["value"],
        "installments": payment["installments"],
        "referenceValue": payment["value"],
        "cardHolder": None,
        "cardNumber": None,
        "firstDigits": payment["firstDigits"],
        "lastDigits": payment["lastDigits"],
        "cvv2": None,
        "expireMonth": None,
        "expireYear": None,
        "url": None,
        "giftCardId": None,
        "giftCardName": None,
        "giftCardCaption": None,
        "redemptionCode": None,
        "group": payment["group"],
        "tid": payment["tid"],
        "dueDate": None,
        "connectorResponses": {
            "Tid": payment["tid"],
            "ReturnCode": "0" if order.authorized_date else None,
            "Message": None,
            "authId": payment["authId"],
            "nsu": payment["nsu"],
            "acquirer": "Cielo",
        },
    }


def _changes(order: Order) -> dict | None:
    if not order.changes:
        return None
    names = {item.sku_id: item.name for item in order.items}

    def lines(entries: list[dict]) -> list[dict]:
        return [
            {
                "id": entry["id"],
                "name": names.get(entry["id"], ""),
                "quantity": entry["quantity"],
                "price": entry["price"],
                "unitMultiplier": None,
            }
            for entry in entries
        ]

    return {
        "id": "changeAttachment",
        "changesData": [
            {
                "reason": change.reason,
                "discountValue": change.discount_value,
                "incrementValue": change.increment_value,
                "itemsAdded": lines(change.items_added),
                "itemsRemoved": lines(change.items_removed),
                "receipt": {
                    "date": vtex_datetime(change.date),
                    "orderId": order.order_id,
                    "receipt": change.receipt,
                },
            }
            for change in order.changes
        ],
    }


def order_document(order: Order, *, account: str) -> dict:
    """GetOrder's body."""
    cancellation = None
    if order.cancellation:
        cancellation = dict(order.cancellation)
        cancellation["CancellationDate"] = _date(cancellation["CancellationDate"])
    address = order.address
    editable = order.status in {"handling", "ready-for-handling"}
    return {
        "orderId": order.order_id,
        "sequence": order.sequence,
        "marketplaceOrderId": "",
        "marketplaceServicesEndpoint": "",
        "sellerOrderId": f"00-{order.order_id}",
        "origin": "Marketplace",
        "affiliateId": "",
        "salesChannel": "1",
        "merchantName": None,
        "status": order.status,
        "workflowIsInError": False,
        "statusDescription": STATUS_DESCRIPTIONS.get(order.status, order.status),
        "value": order.value,
        "creationDate": vtex_datetime(order.created),
        "lastChange": vtex_datetime(order.last_change),
        "orderGroup": order.group,
        "followUpEmail": order.follow_up_email,
        "lastMessage": None,
        "hostname": account,
        "isCompleted": True,
        "roundingError": 0,
        "orderFormId": order.order_form_id,
        "allowCancellation": order.status not in {"invoice", "invoiced", "cancel", "canceled"},
        "allowEdition": editable,
        "isCheckedIn": False,
        "authorizedDate": _date(order.authorized_date),
        "invoicedDate": _date(order.invoiced_date),
        "cancelReason": order.cancellation["Reason"] if order.cancellation else None,
        "checkedInPickupPointId": None,
        "totals": [
            {"id": key, "name": TOTAL_NAMES[key], "value": value, "alternativeTotals": None}
            for key, value in order.totals.items()
        ],
        "sellers": [
            {
                "id": "1",
                "name": STORE_NAME,
                "logo": None,
                "fulfillmentEndpoint": (
                    f"http://fulfillment.vtexcommerce.com.br/api/fulfillment?an={account}"
                ),
            }
        ],
        "clientPreferencesData": {"locale": "pt-BR", "optinNewsLetter": False},
        "cancellationData": cancellation,
        "taxData": None,
        "subscriptionData": None,
        "itemMetadata": {
            "Items": [
                {
                    "Id": item.sku_id,
                    "Seller": item.seller,
                    "Name": item.name,
                    "SkuName": item.name,
                    "ProductId": item.product_id,
                    "RefId": item.ref_id,
                    "Ean": item.ean,
                    "ImageUrl": item.image_url,
                    "DetailUrl": item.detail_url,
                    "AssemblyOptions": [],
                }
                for item in order.items
            ]
        },
        "marketplace": {
            "baseURL": f"http://oms.vtexinternal.com.br/api/oms?an={account}",
            "isCertified": None,
            "name": account,
        },
        "storePreferencesData": {
            "countryCode": "BRA",
            "currencyCode": "BRL",
            "currencyFormatInfo": {
                "CurrencyDecimalDigits": 2,
                "CurrencyDecimalSeparator": ",",
                "CurrencyGroupSeparator": ".",
                "CurrencyGroupSize": 3,
                "StartsWithCurrencySymbol": True,
            },
            "currencyLocale": 1046,
            "currencySymbol": "R$",
            "timeZone": "E. South America Standard Time",
        },
        "customData": None,
        "commercialConditionData": None,
        "openTextField": None,
        "invoiceData": None,
        "changesAttachment": _changes(order),
        "callCenterOperatorData": None,
        "packageAttachment": {
            "packages": [_package(order, invoice) for invoice in order.invoices.values()]
        },
        "paymentData": {
            "giftCards": [],
            "transactions": [
                {
                    "isActive": True,
                    "transactionId": order.payment["transactionId"],
                    "merchantName": account.upper(),
                    "payments": [_payment(order)],
                }
            ],
        },
        "shippingData": {
            "id": "shippingData",
            "address": address,
            "logisticsInfo": [
                {
                    "itemIndex": index,
                    "selectedSla": info.sla,
                    "lockTTL": "10d",
                    "price": info.price,
                    "listPrice": info.price,
                    "sellingPrice": info.price,
                    "deliveryWindow": None,
                    "deliveryCompany": info.courier,
                    "shippingEstimate": info.estimate,
                    "shippingEstimateDate": vtex_datetime(order.shipping_estimate_date),
                    "slas": [
                        {
                            "id": info.sla,
                            "name": info.sla,
                            "shippingEstimate": info.estimate,
                            "deliveryWindow": None,
                            "price": info.price,
                            "selectedDeliveryChannel": "delivery",
                            "polygonName": None,
                            "lockTTL": "10d",
                            "pickupPointId": "",
                            "transitTime": info.estimate,
                            "pickupDistance": 0.0,
                        }
                    ],
                    "shipsTo": ["BRA"],
                    "deliveryIds": [
                        {
                            "courierId": info.courier.split()[0].lower(),
                            "courierName": info.courier,
                            "dockId": "1",
                            "quantity": order.items[index].quantity,
                            "warehouseId": "1_1",
                            "accountCarrierName": account,
                            "kitItemDetails": [],
                        }
                    ],
                    "deliveryChannels": [{"id": "delivery", "stockBalance": 0}],
                    "selectedDeliveryChannel": "delivery",
                    "pickupStoreInfo": None,
                    "addressId": address["addressId"],
                    "versionId": None,
                    "entityId": None,
                    "polygonName": None,
                    "pickupPointId": None,
                    "transitTime": info.estimate,
                }
                for index, info in enumerate(order.logistics)
            ],
            "trackingHints": None,
            "selectedAddresses": [dict(address)],
            "contactInformation": [],
        },
        "ratesAndBenefitsData": {
            "id": "ratesAndBenefitsData",
            "rateAndBenefitsIdentifiers": [
                {
                    "featured": False,
                    "id": identifier,
                    "name": f"Promoção {identifier}",
                    "matchedParameters": {},
                    "additionalInfo": None,
                }
                for identifier in sorted(
                    {tag["identifier"] for item in order.items for tag in item.price_tags}
                )
            ],
        },
        "marketingData": (
            {"id": "marketingData", "coupon": order.marketing["coupon"], "marketingTags": []}
            if order.marketing
            else None
        ),
        "giftRegistryData": None,
        "clientProfileData": order.client,
        "items": [_item(item, order.order_id) for item in order.items],
        "marketplaceItems": [],
        "authorizationPolicyData": [],
    }


def list_entry(order: Order) -> dict:
    """One element of ListOrders' `list` (VTEX sends `items: null` since 2018)."""
    client = order.client
    return {
        "orderId": order.order_id,
        "creationDate": vtex_datetime(order.created),
        "clientName": f"{client['firstName']} {client['lastName']}",
        "items": None,
        "totalValue": order.value,
        "paymentNames": order.payment["paymentSystemName"],
        "status": order.status,
        "statusDescription": STATUS_DESCRIPTIONS.get(order.status, order.status),
        "marketPlaceOrderId": None,
        "sequence": order.sequence,
        "salesChannel": "1",
        "affiliateId": "",
        "origin": "Marketplace",
        "workflowInErrorState": False,
        "workflowInRetry": False,
        "lastMessageUnread": None,
        "ShippingEstimatedDate": vtex_datetime(order.shipping_estimate_date),
        "ShippingEstimatedDateMax": None,
        "ShippingEstimatedDateMin": None,
        "orderIsComplete": True,
        "listId": None,
        "listType": None,
        "authorizedDate": _date(order.authorized_date),
        "callCenterOperatorName": None,
        "totalItems": sum(item.quantity for item in order.items),
        "currencyCode": "BRL",
    }


def _stat(values: list[int], *, whole: bool = False) -> dict:
    count = len(values)
    total = sum(values)
    squares = sum(v * v for v in values)
    mean = total / count if count else 0.0
    std = math.sqrt(max(squares / count - mean * mean, 0.0)) if count else 0.0
    if whole:
        mean, std = round(mean), round(std)
    return {
        "Count": count,
        "Max": max(values, default=0),
        "Mean": mean,
        "Min": min(values, default=0),
        "Missing": 0,
        "StdDev": std,
        "Sum": total,
        "SumOfSquares": squares,
        "Facets": None,
    }


def list_stats(orders: list[Order]) -> dict:
    """ListOrders' `stats`; every order here has origin Marketplace, none Fulfillment."""

    def block(series: list[int], *, whole_fulfillment: bool) -> dict:
        stat = _stat(series)
        stat["Facets"] = {
            "origin": {
                # The spec types this block's Mean/StdDev as integers.
                "Fulfillment": _stat([], whole=whole_fulfillment),
                "Marketplace": dict(stat),
            },
            "currencyCode": {"BRL": dict(stat)},
        }
        return stat

    values = [o.value for o in orders]
    quantities = [sum(i.quantity for i in o.items) for o in orders]
    return {
        "stats": {
            "totalValue": block(values, whole_fulfillment=False),
            "totalItems": block(quantities, whole_fulfillment=True),
        }
    }


def payment_transaction(order: Order, *, account: str) -> dict:
    """GET /api/oms/pvt/orders/{orderId}/payment-transaction."""
    status = {
        "payment-pending": "Authorizing",
        "canceled": "Cancelled",
        "cancel": "Cancelling",
        "invoiced": "Finished",
    }.get(order.status, "Approved" if order.authorized_date else "Authorizing")
    return {
        "status": status,
        "isActive": True,
        "transactionId": order.payment["transactionId"],
        "merchantName": account.upper(),
        "payments": [_payment(order)],
    }


def transaction_details(order: Order, *, account: str) -> dict:
    """Payments gateway GET /api/pvt/transactions/{transactionId}."""
    payment = order.payment
    transaction_id = payment["transactionId"]
    href = f"/api/pvt/transactions/{transaction_id}"
    canceled = order.status in {"cancel", "canceled"}
    settled = order.status == "invoiced"
    client = order.client
    refunds = order.invoiced_total("Input")
    status = (
        "Cancelled"
        if canceled
        else "Finished"
        if settled
        else ("Approved" if order.authorized_date else "Authorizing")
    )
    return {
        "id": transaction_id,
        "transactionId": transaction_id,
        "referenceKey": order.sequence,
        "interactions": {"href": f"{href}/interactions"},
        "settlements": {"href": f"{href}/settlements"},
        "payments": {"href": f"{href}/payments"},
        "refunds": {"href": f"{href}/refunds"},
        "cancellations": {"href": f"{href}/cancellations"},
        "capabilities": {"href": f"{href}/capabilities"},
        "timeoutStatus": 0,
        "totalRefunds": refunds,
        "status": status,
        "value": payment["value"],
        "receiverUri": None,
        "startDate": vtex_datetime(order.created),
        "authorizationToken": payment["authId"] if order.authorized_date else None,
        "authorizationDate": _date(order.authorized_date),
        "commitmentToken": payment["nsu"] if settled else None,
        "commitmentDate": _date(order.invoiced_date) if settled else None,
        "refundingToken": None,
        "refundingDate": None,
        "cancelationToken": None,
        "cancelationDate": (
            _date(order.cancellation["CancellationDate"])
            if canceled and order.cancellation
            else None
        ),
        "fields": [
            {"name": "channel", "value": account},
            {"name": "salesChannel", "value": "1"},
        ],
        "shopperInteraction": "ecommerce",
        "ipAddress": None,
        "sessionId": None,
        "macId": "",
        "vtexFingerprint": None,
        "chargeback": None,
        "whiteSignature": None,
        "owner": account,
        "orderId": order.order_id,
        "userAgent": "Mozilla/5.0",
        "acceptHeader": "application/json",
        "antifraudTid": None,
        "antifraudResponse": None,
        "antifraudReference": None,
        "antifraudAffiliationId": None,
        "channel": account,
        "salesChannel": "1",
        "urn": None,
        "softDescriptor": None,
        "markedForRecurrence": False,
        "buyer": {
            "firstName": client["firstName"],
            "lastName": client["lastName"],
            "documentType": client["documentType"],
            "document": client["document"],
            "email": client["email"],
            "address": "",
            "phone": client["phone"],
        },
    }
