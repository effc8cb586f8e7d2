"""Helpers of the client tests: the request checker and small sandbox shortcuts."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from tests.contract.openapi import ContractError, load_spec, validate_request
from vtex import VtexConfig

JSON = "application/json"
# The marketplace services endpoint VTEX hands out carries the account as `?an=`; it is part of
# the URL, not a parameter of the protocol's operations.
ENDPOINT_QUERY = {"an"}
# A complete SKU suggestion (SaveSuggestion), RefId given and EAN left out.
SUGGESTION = {
    "ProductName": "Camiseta Básica",
    "ProductId": "P-100",
    "ProductDescription": "Camiseta de algodão",
    "BrandName": "Marca",
    "SkuName": "Camiseta Básica P Azul",
    "SellerId": "seller1",
    "Height": 2,
    "Width": 30,
    "Length": 40,
    "Weight": 200,
    "RefId": "CAM-P-AZ",
    "CategoryFullPath": "Vestuário/Camisetas",
    "Images": [{"imageName": "frente", "imageUrl": "https://img.example/cam.jpg"}],
    "AvailableQuantity": 12,
    "Pricing": {"Currency": "BRL", "SalePrice": 4990, "CurrencySymbol": "R$"},
}


def check_request(request: requests.PreparedRequest) -> str:
    """Check one request the client sent against its operation in VTEX's specs.

    The body goes through the contract module (which holds the known spec mistakes); the
    parameters the specs declare are checked here: required headers and query parameters,
    query parameter types, and that no undeclared query parameter is sent.
    """
    url = urlsplit(request.url or "")
    body = json.loads(request.body) if request.body else None
    operation = validate_request(request.method or "", url.path, body)
    spec = load_spec(operation.api)
    declared = [
        _resolve_parameter(spec, parameter)
        for parameter in (
            *spec["paths"][operation.path].get("parameters", []),
            *operation.spec.get("parameters", []),
        )
    ]
    headers = request.headers
    for parameter in declared:
        required_header = parameter["in"] == "header" and parameter.get("required")
        if required_header and parameter["name"] not in headers:
            raise ContractError(f"{operation}: header {parameter['name']} is missing")
    for name in ("Accept", "Content-Type"):
        if headers.get(name) != JSON:
            raise ContractError(f"{operation}: {name} is {headers.get(name)!r}, not {JSON}")
    for name in ("X-VTEX-API-AppKey", "X-VTEX-API-AppToken"):
        if not headers.get(name):
            raise ContractError(f"{operation}: {name} (the specs' security scheme) is missing")

    query = parse_qs(url.query, keep_blank_values=True)
    query_parameters = {p["name"]: p for p in declared if p["in"] == "query"}
    for name, parameter in query_parameters.items():
        if parameter.get("required") and name not in query:
            raise ContractError(f"{operation}: query parameter {name} is missing")
    for name, values in query.items():
        if operation.api == "marketplace-services" and name in ENDPOINT_QUERY:
            continue
        if name not in query_parameters:
            raise ContractError(f"{operation}: query parameter {name} is not in the spec")
        kind = query_parameters[name].get("schema", {}).get("type", "string")
        for value in values:
            if not _query_value_fits(kind, value):
                raise ContractError(f"{operation}: {name}={value!r} is not a {kind}")
    return operation.operation_id


def _resolve_parameter(spec: dict, parameter: dict) -> dict:
    ref = parameter.get("$ref")
    if not ref:
        return parameter
    node: Any = spec
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def _query_value_fits(kind: str, value: str) -> bool:
    if kind == "integer":
        return value.lstrip("-").isdigit()
    if kind == "boolean":
        return value in ("true", "false")
    return True


def make_config(sandbox, **overrides: Any) -> VtexConfig:
    settings: dict[str, Any] = {
        "account_name": "sandbox",
        "app_key": sandbox.app_key,
        "app_token": sandbox.app_token,
        "base_url": sandbox.base_url,
        "timeout": 5.0,
        "get_retries": 2,
        "backoff_base": 0.01,
        "max_rate_limit_wait": 2.0,
    }
    return VtexConfig(**{**settings, **overrides})


def new_order(sandbox, status: str = "ready-for-handling") -> str:
    return sandbox.create_orders(1, status=status)[0]


def order_state(sandbox, order_id: str) -> dict:
    """The sandbox's view of an order: ``order`` (GetOrder document), ``invoices``..."""
    return sandbox.order(order_id)


def invoice_items(document: dict) -> list[dict]:
    return [
        {"id": item["id"], "price": item["sellingPrice"], "quantity": item["quantity"]}
        for item in document["items"]
    ]


def vtex_calls(sandbox, *, method: str | None = None, path_contains: str | None = None) -> list:
    return sandbox.calls(method=method, path_contains=path_contains)


def settled_calls(sandbox, expected: int, *, timeout: float = 3.0, **filters: Any) -> list:
    """The sandbox's call log once ``expected`` matching calls are in, checking a moment later
    that no extra one arrives (requests slowed by latency are logged when they finish)."""
    deadline = time.monotonic() + timeout
    calls = vtex_calls(sandbox, **filters)
    while len(calls) < expected and time.monotonic() < deadline:
        time.sleep(0.05)
        calls = vtex_calls(sandbox, **filters)
    time.sleep(0.2)
    return vtex_calls(sandbox, **filters)
