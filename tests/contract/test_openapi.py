"""The contract checker itself: operation lookup, schema checks, quirks, error envelopes."""

from __future__ import annotations

import pytest

from tests.contract import openapi
from tests.contract.openapi import (
    ContractError,
    find_operation,
    validate_hook_notification,
    validate_request,
    validate_response,
)
from tests.contract.spec_quirks import QUIRKS

INVOICE = {
    "type": "Output",
    "issuanceDate": "2024-05-02T10:00:00",
    "invoiceNumber": "NF-1",
    "invoiceValue": "2499",
    "items": [{"id": "1", "price": 2499, "quantity": 1}],
}


@pytest.mark.parametrize(
    ("method", "path", "api", "operation_id"),
    [
        ("GET", "/api/oms/pvt/orders?page=2", None, "ListOrders"),
        ("GET", "/api/oms/pvt/orders/1172452900788-01", None, "GetOrder"),
        ("POST", "/api/oms/pvt/orders/1-01/invoice", None, "InvoiceNotification"),
        (
            "PATCH",
            "/api/oms/pvt/orders/1-01/invoice/NF-1",
            None,
            "Updatepartialinvoice.SendTrackingNumber",
        ),
        ("GET", "/api/pvt/transactions/ABC", None, "TransactionDetails"),
        ("POST", "/api/notificator/s1/changenotification/9/price", None, "PriceNotification"),
        ("PUT", "/suggestions/s1/9", None, "SaveSuggestion"),
        (
            "POST",
            "/api/catalog_system/pvt/skuseller/changenotification/9",
            None,
            "ChangeNotification",
        ),
        (
            "POST",
            "/api/sku-binding/pvt/skuseller/changenotification/1/9",
            None,
            "POST /sku-binding/pvt/skuseller/changenotification/{sellerId}/{sellerSkuId}",
        ),
        ("POST", "/marketplace-services/api/oms/pvt/orders/1-01/invoice", None, "send-invoice"),
        ("POST", "/seller/pvt/orders/S-1/fulfill", "seller-fulfillment", "authorize-fulfillment"),
        ("POST", "/seller/pvt/orders/S-1/cancel", "seller-fulfillment", "mkp-order-cancellation"),
        (
            "POST",
            "/anything/pvt/orders/M-1/cancel",
            "marketplace-services",
            "cancel-order-in-marketplace",
        ),
    ],
)
def test_paths_find_their_operation(method, path, api, operation_id):
    assert find_operation(method, path, api=api).operation_id == operation_id


def test_an_unknown_path_is_a_contract_error():
    with pytest.raises(ContractError, match="No VTEX operation"):
        find_operation("GET", "/api/oms/pvt/nothing/here/at/all")


def test_invoice_value_is_accepted_as_string_or_integer_but_not_as_decimal():
    validate_request("POST", "/api/oms/pvt/orders/1-01/invoice", INVOICE)
    validate_request("POST", "/api/oms/pvt/orders/1-01/invoice", {**INVOICE, "invoiceValue": 2499})
    with pytest.raises(ContractError, match="invoiceValue"):
        validate_request(
            "POST", "/api/oms/pvt/orders/1-01/invoice", {**INVOICE, "invoiceValue": "24.99"}
        )


def test_missing_required_fields_are_named():
    body = {key: value for key, value in INVOICE.items() if key != "items"}

    with pytest.raises(ContractError, match="'items' is a required property"):
        validate_request("POST", "/api/oms/pvt/orders/1-01/invoice", body)


def test_item_price_must_be_integer_cents():
    body = {**INVOICE, "items": [{"id": "1", "price": 24.99, "quantity": 1}]}

    with pytest.raises(ContractError, match=r"at /items/0/price"):
        validate_request("POST", "/api/oms/pvt/orders/1-01/invoice", body)


def test_body_rules_for_operations_without_request_body():
    validate_request("POST", "/api/oms/pvt/orders/1-01/start-handling", None)
    with pytest.raises(ContractError, match="takes no request body"):
        validate_request("POST", "/api/oms/pvt/orders/1-01/start-handling", {"x": 1})


def test_fulfill_needs_only_the_marketplace_order_id():
    validate_request(
        "POST", "/s/pvt/orders/S-1/fulfill", {"marketplaceOrderId": "1"}, api="seller-fulfillment"
    )
    with pytest.raises(ContractError):
        validate_request("POST", "/s/pvt/orders/S-1/fulfill", {}, api="seller-fulfillment")


def test_responses_check_status_and_body():
    path = "/api/oms/pvt/orders/1-01/start-handling"
    validate_response("POST", path, 204, None)
    validate_response(
        "POST", path, 409, {"error": {"code": "OMS003", "message": "m", "exception": None}}
    )
    with pytest.raises(ContractError, match="not documented"):
        validate_response("POST", path, 200, {"ok": True})
    with pytest.raises(ContractError, match="should have no body"):
        validate_response("POST", path, 204, {"unexpected": True})


def test_undocumented_errors_must_use_the_envelope():
    path = "/api/oms/pvt/orders/1-01"
    validate_response(
        "GET",
        path,
        404,
        {"error": {"code": "OMS007", "message": "Order Not Found", "exception": None}},
    )
    with pytest.raises(ContractError):
        validate_response("GET", path, 404, {"message": "not found"})


def test_catalog_404_is_text():
    path = "/api/catalog_system/pvt/skuseller/changenotification/9"
    validate_response(
        "POST",
        path,
        404,
        "Seller StockKeepingUnit `9` not found",
        content_type="text/plain; charset=utf-8",
    )


def test_hook_notification_schema():
    validate_hook_notification(
        {
            "Domain": "Fulfillment",
            "OrderId": "1-01",
            "State": "handling",
            "LastState": "start-handling",
            "LastChange": "x",
            "CurrentChange": "y",
            "Origin": {"Account": "a", "Key": "k"},
        }
    )
    with pytest.raises(ContractError):
        validate_hook_notification({"OrderId": "1-01"})


def test_hook_headers_may_have_any_name():
    body = {
        "filter": {"type": "FromWorkflow", "status": ["handling"]},
        "hook": {"url": "https://erp.example/hook", "headers": {"X-Secret": "s"}},
    }

    validate_request("POST", "/api/orders/hook/config", body)


def test_every_quirk_points_at_an_extracted_operation():
    for quirk in QUIRKS:
        spec = openapi.load_spec(quirk.api)
        operation_ids = {
            operation.get("operationId") or f"{method.upper()} {path}"
            for path, item in spec["paths"].items()
            for method, operation in item.items()
            if method in openapi.METHODS
        }
        assert quirk.operation in operation_ids, quirk
        assert quirk.reason


def test_a_documented_operation_the_facts_do_not_hold_says_how_to_add_it():
    # VTEX documents GetProductbyid; the project uses it nowhere, so its schemas are not kept.
    with pytest.raises(ContractError) as failure:
        find_operation("GET", "/api/catalog/pvt/product/42")

    message = str(failure.value)
    assert "GetProductbyid" in message
    assert '("catalog", "get", "/api/catalog/pvt/product/{productId}")' in message
    assert "OPERATIONS in tests/contract/extract.py" in message
    assert "python -m tests.contract.extract $VTEX_OPENAPI_DIR" in message
