"""The marketplace role: the sandbox calls an external seller and serves its services endpoint.

Control endpoints make the sandbox call the seller's fulfillment endpoints the way
a VTEX marketplace does (simulation, order placement, authorize fulfillment,
cancellation) and return the seller's answer. The placed order carries
`marketplaceServicesEndpoint = {base_url}/marketplace-services/api/oms?an={account}`,
where the sandbox records the invoices, tracking and cancellations the seller sends.
Outbound calls never hold the store lock: a seller may call back while answering.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import requests

from sandbox.clock import receipt, utcnow, vtex_datetime
from sandbox.errors import ApiError, bad_request, order_not_found
from sandbox.store import Store

SIMULATION_TIMEOUT = 2.5  # VTEX gives a seller's simulation 2.5 s
SELLER_TIMEOUT = 20.0
SERVICES_PREFIX = "/marketplace-services/api/oms"


def services_endpoint(base_url: str, account: str) -> str:
    return f"{base_url}{SERVICES_PREFIX}?an={account}"


def _seller_url(body: dict) -> str:
    url = body.get("seller_url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise bad_request("seller_url (the seller's fulfillment endpoint URL) is required")
    return url.rstrip("/")


def _headers(store: Store, body: dict, *, placement: bool = False) -> dict:
    headers = {
        "Accept": "application/json",
        "Content-Type": "application/json",
        "X-VTEX-API-AppKey": store.app_key,
        "X-VTEX-API-AppToken": store.app_token,
        "x-vtex-operation-id": str(uuid.uuid4()),
    }
    if placement:
        headers["authorization"] = f'VTEX key="{store.app_key}" token="{store.app_token}"'
    extra = body.get("headers") or {}
    if not isinstance(extra, dict):
        raise bad_request("headers must be an object")
    headers.update({str(k): str(v) for k, v in extra.items()})
    return headers


def _call(method: str, url: str, *, params: dict, headers: dict, payload, timeout: float) -> dict:
    started = time.monotonic()
    result: dict[str, Any] = {
        "request": {"method": method, "url": url, "params": params, "body": payload},
        "status": None,
        "body": None,
        "error": None,
    }
    try:
        response = requests.request(
            method,
            url,
            params=params,
            headers=headers,
            data=None if payload is None else json.dumps(payload),
            timeout=timeout,
        )
    except requests.Timeout:
        result["error"] = f"timeout after {timeout} s"
    except requests.RequestException as error:
        result["error"] = f"{type(error).__name__}: {error}"
    else:
        result["status"] = response.status_code
        try:
            result["body"] = response.json() if response.content else None
        except ValueError:
            result["body"] = response.text
    result["elapsed_ms"] = round((time.monotonic() - started) * 1000, 1)
    return result


def _timeout(body: dict, default: float) -> float:
    value = body.get("timeout", default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise bad_request("timeout must be a positive number of seconds")
    return float(value)


def _items(body: dict) -> list[dict]:
    items = body.get("items")
    if not isinstance(items, list) or not items:
        raise bad_request("items must be a non-empty list of {id, quantity}")
    lines = []
    for item in items:
        if not isinstance(item, dict) or item.get("id") in (None, ""):
            raise bad_request("Each item needs an id (the seller's SKU id)")
        quantity = item.get("quantity", 1)
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise bad_request("quantity must be a positive integer")
        lines.append(
            {
                "id": str(item["id"]),
                "quantity": quantity,
                "seller": str(item.get("seller", "1")),
                "price": item.get("price"),
            }
        )
    return lines


def simulate(store: Store, body) -> dict:
    """POST (or GET with `purchaseContext`) {seller_url}/pvt/orderForms/simulation."""
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object")
    url = _seller_url(body) + "/pvt/orderForms/simulation"
    payload = {
        "items": [{k: line[k] for k in ("id", "quantity", "seller")} for line in _items(body)],
    }
    for key in ("postalCode", "country", "geoCoordinates", "isCheckedIn"):
        if key in body:
            payload[key] = body[key]
    params = {"sc": str(body.get("sc", "1")), "an": store.account}
    headers = _headers(store, body)
    timeout = _timeout(body, SIMULATION_TIMEOUT)
    method = str(body.get("method", "POST")).upper()
    if method == "GET":
        headers.pop("Content-Type")
        params["purchaseContext"] = json.dumps(payload, separators=(",", ":"))
        return _call("GET", url, params=params, headers=headers, payload=None, timeout=timeout)
    if method != "POST":
        raise bad_request("method must be POST or GET")
    return _call("POST", url, params=params, headers=headers, payload=payload, timeout=timeout)


def _placement_payload(
    store: Store, body: dict, lines: list[dict], base_url: str, marketplace_order_id: str
) -> tuple[dict, dict | None]:
    """The order-placement body; prices and SLA come from a simulation when not given."""
    simulation = None
    sla = {
        "selectedSla": body.get("sla", "Normal"),
        "shippingEstimate": "5bd",
        "price": body.get("shipping_price", 0),
    }
    with store.lock:
        client, address = store.marketplace_factory.client_and_address()
    if any(line["price"] is None for line in lines):
        simulation = simulate(
            store,
            {
                **body,
                "postalCode": address["postalCode"].replace("-", ""),
                "country": "BRA",
                "method": "POST",
                "timeout": body.get("timeout", SIMULATION_TIMEOUT),
            },
        )
        answer = simulation.get("body") if simulation["status"] == 200 else None
        offered = {
            item.get("requestIndex", i): item
            for i, item in enumerate((answer or {}).get("items") or [])
        }
        if not answer or any(i not in offered for i in range(len(lines))):
            return {}, simulation
        for index, line in enumerate(lines):
            line["price"] = offered[index]["price"]
        logistics = (answer.get("logisticsInfo") or [{}])[0]
        slas = logistics.get("slas") or []
        if slas:
            sla = {
                "selectedSla": slas[0]["id"],
                "shippingEstimate": slas[0]["shippingEstimate"],
                "price": slas[0]["price"],
            }
    items_value = sum(line["price"] * line["quantity"] for line in lines)
    payload = {
        "marketplaceOrderId": marketplace_order_id,
        "marketplaceServicesEndpoint": services_endpoint(base_url, store.account),
        "marketplacePaymentValue": items_value + sla["price"],
        "items": [
            {
                "id": line["id"],
                "quantity": line["quantity"],
                "seller": line["seller"],
                "commission": 0,
                "freightCommission": 0,
                "price": line["price"],
                "bundleItems": [],
                "itemsAttachment": [],
                "attachments": [],
                "priceTags": [],
                "measurementUnit": "un",
                "unitMultiplier": 1,
                "isGift": False,
            }
            for line in lines
        ],
        "clientProfileData": {
            key: client[key]
            for key in (
                "email",
                "firstName",
                "lastName",
                "documentType",
                "document",
                "phone",
                "corporateName",
                "tradeName",
                "corporateDocument",
                "stateInscription",
                "corporatePhone",
                "isCorporate",
            )
        },
        "shippingData": {
            "address": {
                **{
                    key: address[key]
                    for key in (
                        "addressType",
                        "receiverName",
                        "addressId",
                        "postalCode",
                        "city",
                        "state",
                        "country",
                        "street",
                        "number",
                        "neighborhood",
                        "complement",
                    )
                },
                "reference": "",
                "geoCoordinates": [],
            },
            "logisticsInfo": [
                {
                    "itemIndex": index,
                    "selectedSla": sla["selectedSla"],
                    "lockTTL": "8d",
                    "shippingEstimate": sla["shippingEstimate"],
                    "price": sla["price"] if index == 0 else 0,
                }
                for index in range(len(lines))
            ],
            "updateStatus": "updated",
        },
        "paymentData": None,
    }
    return payload, simulation


def place_order(store: Store, body, *, base_url: str) -> dict:
    """POST {seller_url}/pvt/orders with a new marketplace order; records it."""
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object")
    seller_url = _seller_url(body)
    lines = _items(body)
    with store.lock:
        number = next(store.marketplace_numbers)
    marketplace_order_id = str(
        body.get("marketplaceOrderId") or f"{1300000000000 + number * 7919}-01"
    )
    payload, simulation = _placement_payload(store, body, lines, base_url, marketplace_order_id)
    if not payload:
        return {
            "status": None,
            "body": None,
            "error": "simulation did not offer every item",
            "simulation": simulation,
            "marketplaceOrderId": None,
            "sellerOrderId": None,
        }
    result = _call(
        "POST",
        seller_url + "/pvt/orders",
        params={"sc": str(body.get("sc", "1")), "an": store.account},
        headers=_headers(store, body, placement=True),
        payload=payload,
        timeout=_timeout(body, SELLER_TIMEOUT),
    )
    answer = result["body"]
    # The older protocol answers a list with one order; the current spec an object.
    if isinstance(answer, list) and answer:
        answer = answer[0]
    accepted = result["status"] == 200 and isinstance(answer, dict) and answer.get("orderId")
    seller_order_id = str(answer["orderId"]) if accepted else None
    with store.lock:
        store.marketplace_orders[marketplace_order_id] = {
            "marketplaceOrderId": marketplace_order_id,
            "sellerOrderId": seller_order_id,
            "sellerUrl": seller_url,
            "status": "waiting-ffmt-authorization" if accepted else "order-create-error",
            "value": payload["marketplacePaymentValue"],
            "placement": payload,
            "invoices": {},
            "cancellation": None,
            "received": [],
            "sent": [{"operation": "placement", "status": result["status"]}],
        }
    return {
        **result,
        "simulation": simulation,
        "marketplaceOrderId": marketplace_order_id,
        "sellerOrderId": seller_order_id,
    }


def _record_for_call(store: Store, marketplace_order_id: str) -> dict:
    with store.lock:
        record = store.marketplace_orders.get(marketplace_order_id)
        if record is None:
            raise order_not_found()
        if not record["sellerOrderId"]:
            raise bad_request("The seller did not accept this order", "SBX-MKP-NOT-PLACED")
        return record


def authorize_fulfillment(store: Store, marketplace_order_id: str, body) -> dict:
    """POST {seller_url}/pvt/orders/{sellerOrderId}/fulfill, after payment approval."""
    body = body if isinstance(body, dict) else {}
    record = _record_for_call(store, marketplace_order_id)
    result = _call(
        "POST",
        f"{record['sellerUrl']}/pvt/orders/{record['sellerOrderId']}/fulfill",
        params={"sc": str(body.get("sc", "1")), "an": store.account},
        headers=_headers(store, body),
        payload={"marketplaceOrderId": marketplace_order_id},
        timeout=_timeout(body, SELLER_TIMEOUT),
    )
    with store.lock:
        record["sent"].append({"operation": "fulfill", "status": result["status"]})
        if result["status"] == 200 and record["status"] == "waiting-ffmt-authorization":
            record["status"] = "ready-for-handling"
    return result


# Which id the cancellation's path carries: the seller's (what it answered at placement) or the
# marketplace's own, as in the External Seller Fulfillment spec's cancellation example.
CANCEL_PATH_IDS = ("seller", "marketplace")


def request_cancellation(store: Store, marketplace_order_id: str, body) -> dict:
    """POST {seller_url}/pvt/orders/{id}/cancel, the id being the seller's order id or, with
    ``"path_id": "marketplace"``, the marketplace's; the seller accepts with a receipt."""
    body = body if isinstance(body, dict) else {}
    path_id = body.get("path_id", "seller")
    if path_id not in CANCEL_PATH_IDS:
        raise bad_request("path_id must be seller or marketplace")
    record = _record_for_call(store, marketplace_order_id)
    order_id = record["sellerOrderId"] if path_id == "seller" else marketplace_order_id
    payload = {
        "marketplaceOrderId": marketplace_order_id,
        "marketplaceOrderGroup": marketplace_order_id.rsplit("-", 1)[0],
        "cancellationRequestId": str(uuid.uuid4()),
        "cancellationRequestDate": vtex_datetime(utcnow()),
        "reason": str(body.get("reason", "Cancelamento solicitado pelo cliente")),
        "requestedByUser": bool(body.get("requestedByUser", True)),
    }
    result = _call(
        "POST",
        f"{record['sellerUrl']}/pvt/orders/{order_id}/cancel",
        params={"sc": str(body.get("sc", "1")), "an": store.account},
        headers=_headers(store, body),
        payload=payload,
        timeout=_timeout(body, SELLER_TIMEOUT),
    )
    with store.lock:
        record["sent"].append({"operation": "cancel", "status": result["status"]})
        answer = result["body"]
        if result["status"] == 200 and isinstance(answer, dict) and answer.get("receipt"):
            record["status"] = "canceled"
        elif result["status"] == 200 and record["status"] != "canceled":
            # An empty answer means the seller is still deciding.
            record["status"] = "cancellation-requested"
    return result


# -- the marketplace services endpoint the seller calls -------------------------------------------


def _record(store: Store, marketplace_order_id: str) -> dict:
    record = store.marketplace_orders.get(marketplace_order_id)
    if record is None:
        raise order_not_found()
    return record


def _ack(record: dict, operation: str, body) -> dict:
    code = receipt()
    record["received"].append(
        {"operation": operation, "body": body, "receipt": code, "at": vtex_datetime(utcnow())}
    )
    return {
        "date": vtex_datetime(utcnow()),
        "orderId": record["marketplaceOrderId"],
        "receipt": code,
    }


def receive_invoice(store: Store, marketplace_order_id: str, body) -> dict:
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object")
    kind = body.get("type")
    number = body.get("invoiceNumber")
    value = body.get("invoiceValue")
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if kind not in ("Output", "Input") or not isinstance(number, str) or not number:
        raise bad_request("type (Output/Input) and invoiceNumber are required")
    if not isinstance(body.get("items"), list):
        raise bad_request("items is required")
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise bad_request("invoiceValue must be a positive amount in cents")
    with store.lock:
        record = _record(store, marketplace_order_id)
        invoices = record["invoices"]
        if number not in invoices:
            outputs = sum(i["invoiceValue"] for i in invoices.values() if i["type"] == "Output")
            if kind == "Output" and value > record["value"] - outputs:
                raise bad_request(
                    f"Invoice value {value} is more than the order's uninvoiced amount "
                    f"{record['value'] - outputs}",
                    "SBX-OVER-INVOICE",
                )
            if kind == "Input" and outputs < record["value"]:
                raise bad_request(
                    "A return (Input) invoice needs the order to be fully invoiced first",
                    "SBX-INPUT-BEFORE-INVOICED",
                )
            invoices[number] = {**body, "invoiceValue": value, "tracking": None, "events": []}
            if kind == "Output" and outputs + value == record["value"]:
                record["status"] = "invoiced"
        return _ack(record, "invoice", body)


def receive_tracking(store: Store, marketplace_order_id: str, number: str, body) -> dict:
    if not isinstance(body, dict) or not body.get("trackingNumber"):
        raise bad_request("trackingNumber is required")
    with store.lock:
        record = _record(store, marketplace_order_id)
        invoice = record["invoices"].get(number)
        if invoice is None:
            raise ApiError(404, "SBX-INVOICE-NOT-FOUND", "Invoice Not Found")
        invoice["tracking"] = body
        return _ack(record, "tracking", body)


def receive_tracking_status(store: Store, marketplace_order_id: str, number: str, body) -> dict:
    if not isinstance(body, dict) or not isinstance(body.get("isDelivered"), bool):
        raise bad_request("isDelivered (true/false) is required")
    with store.lock:
        record = _record(store, marketplace_order_id)
        invoice = record["invoices"].get(number)
        if invoice is None:
            raise ApiError(404, "SBX-INVOICE-NOT-FOUND", "Invoice Not Found")
        if not (invoice["tracking"] or invoice.get("trackingNumber")):
            raise bad_request(
                "The invoice has no tracking number; send it first", "SBX-NO-TRACKING-NUMBER"
            )
        invoice["events"].extend(body.get("events") or [])
        invoice["isDelivered"] = body["isDelivered"]
        return _ack(record, "tracking-status", body)


def receive_cancel(store: Store, marketplace_order_id: str, body) -> dict:
    if not isinstance(body, dict) or not isinstance(body.get("reason"), str):
        raise bad_request("reason is required")
    with store.lock:
        record = _record(store, marketplace_order_id)
        invoices = record["invoices"].values()
        outputs = sum(i["invoiceValue"] for i in invoices if i["type"] == "Output")
        returns = sum(i["invoiceValue"] for i in invoices if i["type"] == "Input")
        if outputs > returns:
            raise bad_request(
                "An invoiced order can only be canceled after a return (Input) invoice",
                "SBX-CANCEL-INVOICED",
            )
        record["status"] = "canceled"
        record["cancellation"] = body
        return _ack(record, "cancel", body)


def describe(store: Store, marketplace_order_id: str | None = None):
    with store.lock:
        if marketplace_order_id is None:
            return list(store.marketplace_orders.values())
        return _record(store, marketplace_order_id)
