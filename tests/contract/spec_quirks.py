"""Where VTEX's OpenAPI files disagree with what VTEX does: every override, in one place.

Each quirk replaces one node of an operation's resolved (``$ref``-free) schema.
`pointer` is the key path inside that schema; `part` is ``"request"`` or
``"response:<status>"``; `schema` is the replacement (``NO_BODY`` for "this
answer has no body"). Sources are in `../shared/docs/vtex-contract.md`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

NO_BODY = object()

# VTEX's error body. The specs declare most error statuses without a body (or not
# at all), but VTEX answers them with this envelope (contract sheet §4 "Error body
# format"); an undocumented or body-less error status is checked against it.
ERROR_ENVELOPE = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "exception": {"type": "string", "nullable": True},
            },
        }
    },
}

FILTER = {
    "type": "object",
    "required": ["type"],
    "properties": {
        "type": {"type": "string", "enum": ["FromWorkflow", "FromOrders"]},
        "status": {"type": "array", "items": {"type": "string"}},
        "expression": {"type": "string"},
        "disableSingleFire": {"type": "boolean"},
    },
}


@dataclass(frozen=True)
class Quirk:
    api: str
    operation: str
    part: str
    pointer: tuple[str, ...]
    schema: Any
    reason: str


_ORDER_ITEM = ("properties", "items", "items", "properties")
_PACKAGE = ("properties", "packageAttachment", "properties", "packages", "items", "properties")

QUIRKS = [
    Quirk(
        api="oms",
        operation="InvoiceNotification",
        part="request",
        pointer=("properties", "invoiceValue"),
        schema={
            "anyOf": [
                {"type": "string", "pattern": "^[1-9][0-9]*$"},
                {"type": "integer", "minimum": 1},
            ]
        },
        reason="Typed string ('2499') but described as cents; the PII and marketplace-protocol "
        "specs type it integer and a field report says numbers are accepted (sheet §2).",
    ),
    Quirk(
        api="seller-fulfillment",
        operation="authorize-fulfillment",
        part="request",
        pointer=("required",),
        schema=["marketplaceOrderId"],
        reason="The spec reuses the cancellation schema; VTEX's guide sends only "
        "marketplaceOrderId (sheet §8.1).",
    ),
    Quirk(
        api="seller-fulfillment",
        operation="fulfillment-simulation",
        part="request",
        pointer=("required",),
        schema=[],
        reason="postalCode is required, yet its own description says a storefront simulation "
        "sends it null, and the guide's storefront example leaves it (and country) out.",
    ),
    *(
        Quirk(
            api="seller-fulfillment",
            operation="fulfillment-simulation",
            part="request",
            pointer=("properties", name),
            schema={"type": "string", "nullable": True},
            reason="Typed string, but described as sent null for storefront simulations.",
        )
        for name in ("country", "postalCode")
    ),
    Quirk(
        api="sku-bindings",
        operation="POST /sku-binding/pvt/skuseller/changenotification/{sellerId}/{sellerSkuId}",
        part="response:404",
        pointer=(),
        schema={"type": "string"},
        reason="Declared without a body, but its description says the 404's body is the text "
        "'Seller StockKeepingUnit `{skuId}` not found for this seller id `{sellerId}`', as the "
        "Catalog API's ChangeNotification declares it (text/plain; sheet §8.3).",
    ),
    Quirk(
        api="oms",
        operation="HookConfiguration",
        part="response:200",
        pointer=(),
        schema=NO_BODY,
        reason="The spec documents the hook *notification* payload as this response; saving a "
        "hook config answers an empty 200 (the payload is what the hook URL receives).",
    ),
    Quirk(
        api="oms",
        operation="HookConfiguration",
        part="request",
        pointer=("properties", "hook", "properties", "headers"),
        schema={"type": "object", "additionalProperties": {"type": "string"}},
        reason="The spec turns its example header name into a required 'key' property; the "
        "guide describes any headers, sent with every notification (sheet §7.3).",
    ),
    Quirk(
        api="oms",
        operation="GetHookConfiguration",
        part="response:200",
        pointer=(),
        schema={
            "type": "object",
            "required": ["filter", "hook"],
            "properties": {
                "filter": FILTER,
                "hook": {
                    "type": "object",
                    "required": ["url"],
                    "properties": {
                        "url": {"type": "string"},
                        "headers": {"type": "object", "additionalProperties": {"type": "string"}},
                    },
                },
            },
        },
        reason="The spec declares the 200 without a body; VTEX returns the saved configuration "
        "(the same filter/hook shape the POST takes).",
    ),
    Quirk(
        api="oms",
        operation="GetOrder",
        part="response:200",
        pointer=(*_ORDER_ITEM, "priceTags"),
        schema={
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "value": {"type": "integer"},
                    "rawValue": {"type": "number"},
                    "isPercentual": {"type": "boolean"},
                    "identifier": {"type": "string", "nullable": True},
                },
            },
        },
        reason="Typed as strings, but VTEX sends objects {name, value, isPercentual, "
        "identifier} (order JSON in the ERP guide; taxData priceTags in the same spec).",
    ),
    Quirk(
        api="oms",
        operation="GetOrder",
        part="response:200",
        pointer=(*_PACKAGE, "courierStatus", "properties", "deliveredDate"),
        schema={"type": "string", "nullable": True},
        reason="A package still in transit has no delivery date yet.",
    ),
    *(
        Quirk(
            api="oms",
            operation="GetPaymenttransaction",
            part="response:200",
            pointer=("properties", "payments", "items", "properties", name),
            schema={"type": "string", "nullable": True},
            reason="Card digits are null for boleto and Pix payments (GetOrder's own "
            "payment schema marks them nullable).",
        )
        for name in ("firstDigits", "lastDigits")
    ),
    Quirk(
        api="suggestions",
        operation="SaveSuggestion",
        part="request",
        pointer=("required",),
        schema=[
            "ProductName",
            "ProductId",
            "ProductDescription",
            "BrandName",
            "SkuName",
            "SellerId",
            "Height",
            "Width",
            "Length",
            "Weight",
            "CategoryFullPath",
            "Images",
            "AvailableQuantity",
            "Pricing",
        ],
        reason="The spec requires an undefined 'Updated' field and both RefId and EAN; VTEX "
        "needs one of RefId or EAN (sheet §8.3).",
    ),
    Quirk(
        api="suggestions",
        operation="SaveSuggestion",
        part="request",
        pointer=("anyOf",),
        schema=[{"required": ["RefId"]}, {"required": ["EAN"]}],
        reason="RefId or EAN, at least one (sheet §8.3).",
    ),
    Quirk(
        api="suggestions",
        operation="GetSuggestion",
        part="response:200",
        pointer=(),
        schema={
            "type": "object",
            "required": ["content"],
            "properties": {
                "sellerId": {"type": "string"},
                "sellerSkuId": {"type": "string"},
                "status": {"type": "string"},
                "content": {"type": "object"},
            },
        },
        reason="The spec declares the 200 without a body, but its description says the "
        "suggestion comes back, what the seller sent in a 'content' object beside the "
        "matcher's fields.",
    ),
]


# The Order Modifications API (Orders API spec, /api/order-system/...). Its request schemas
# declare only reason, replace and settings, while its description's examples (and VTEX's
# admin) send add, remove and the manual values; its answers type add/remove as arrays of
# strings (history: an object) and echo them as the request's {"items": [...]}.
_CHANGE_LINES = {
    "type": "object",
    "required": ["items"],
    "properties": {
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "quantity"],
                "properties": {
                    "id": {"type": "string"},
                    "quantity": {"type": "integer", "minimum": 1},
                    "measurementUnit": {"type": "string"},
                    "unitMultiplier": {"type": "number"},
                },
            },
        }
    },
}
_ANSWERED_LINES = {**_CHANGE_LINES, "nullable": True}
_CHANGE_REQUEST_FIELDS = {
    "add": _CHANGE_LINES,
    "remove": _CHANGE_LINES,
    "manualDiscountValue": {"type": "integer", "minimum": 0},
    "manualIncrementValue": {"type": "integer", "minimum": 0},
}
_CHANGE_REQUEST_REASON = (
    "Createchange's description sends add/remove {items: [{id, quantity, measurementUnit, "
    "unitMultiplier}]} and manualDiscountValue (its examples); the schema omits them."
)
_FROM_PRICE = ("properties", "replace", "items", "properties", "from", "properties", "items")
CHANGE_QUIRKS = [
    *(
        Quirk(
            api="oms",
            operation=operation,
            part="request",
            pointer=("properties", name),
            schema=schema,
            reason=_CHANGE_REQUEST_REASON,
        )
        for operation in ("Createchange", "PreviewChange")
        for name, schema in _CHANGE_REQUEST_FIELDS.items()
    ),
    Quirk(
        api="oms",
        operation="PreviewChange",
        part="request",
        pointer=("required",),
        schema=["reason"],
        reason="The preview takes Createchange's body (its description), where only the reason "
        "is required; a change without replacements is previewed too.",
    ),
    *(
        Quirk(
            api="oms",
            operation=operation,
            part=part,
            pointer=("properties", name),
            schema=_ANSWERED_LINES,
            reason="Typed as arrays of strings (the history types them as objects); VTEX "
            "answers the request's {items: [...]} or null.",
        )
        for operation, part in (
            ("Createchange", "response:202"),
            ("PreviewChange", "response:200"),
            ("GetChangeDetail", "response:200"),
        )
        for name in ("add", "remove")
    ),
    Quirk(
        api="oms",
        operation="Createchange",
        part="response:202",
        pointer=("properties", "totals", "items"),
        schema={
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "name": {"type": "string"},
                "value": {"type": "number"},
            },
        },
        reason="Typed as strings here but as {id, name, value} in the preview, the detail and "
        "the history of the same change.",
    ),
    *(
        Quirk(
            api="oms",
            operation=operation,
            part="response:200",
            pointer=(*path, "items", "properties", "price"),
            schema={"type": "integer", "nullable": True},
            reason="Item4 types a replaced item's price as a string (example 1000); the detail "
            "(Replace1) types the same field as integer cents.",
        )
        for operation, path in (
            ("PreviewChange", _FROM_PRICE),
            ("GetChangeHistory", ("properties", "requests", "items", *_FROM_PRICE)),
        )
    ),
    Quirk(
        api="oms",
        operation="CancelChangeStoppedonError",
        part="response:200",
        pointer=(),
        schema=NO_BODY,
        reason="Declared without content: the cancel answers an empty 200.",
    ),
]
QUIRKS.extend(CHANGE_QUIRKS)


def quirks_for(api: str, operation: str, part: str) -> list[Quirk]:
    return [q for q in QUIRKS if (q.api, q.operation, q.part) == (api, operation, part)]
