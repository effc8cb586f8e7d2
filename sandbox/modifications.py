"""VTEX's Order Modifications API (``/api/order-system/orders/{changeOrderId}/changes...``).

The rules come from the operations' descriptions in the Orders API spec:

- an order is modified only in ``handling``, ``waiting-for-fulfillment`` or ready for
  invoicing, and not once its payment transaction is finished (here: invoiced in full);
- a change adds items, removes some or all of an item's quantity, replaces items by others
  (``replace[].from`` -> ``replace[].to``), and takes a manual discount or increment;
  prices of added items come from the store's catalog (an item already in the order keeps
  its selling price);
- raising the order's price is allowed only when it was paid by credit card, promissory,
  cash or credit control (the gateway charges the difference);
- the preview answers the new totals without changing anything (a price increase the payment
  cannot take is shown there, and refused when the change is created);
- a created change answers 202 with its ``requestId`` and ``workflowId`` and then moves
  ``waiting-acknowledgement`` -> ``waiting-confirmation`` -> ``done``, or stops in ``error``,
  from which ``retry`` processes it again and ``cancel`` ends it (``canceled``); a change
  already done cannot be canceled. Done, the order's items, totals and value change and a
  feed event goes out.

Sandbox choices where VTEX says nothing public: one change in progress per order (409
``SBX-CHANGE-IN-PROGRESS``); the options ``change_delay`` (seconds each step lasts; 0: a
change is done when its creation answers) and ``change_stops`` (the next N changes that
reach ``waiting-confirmation`` stop in ``error``, as when the gateway refuses the new value).
History ``actions`` are the log: one entry per step, with its message.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sandbox.clock import monotonic, receipt, utcnow, vtex_datetime
from sandbox.errors import ApiError, bad_request
from sandbox.model import CHANGE_SETTINGS, TOTAL_NAMES, Order
from sandbox.workflow import order_items_apply

if TYPE_CHECKING:
    from sandbox.store import Store

CHANGE_STATUSES = frozenset({"handling", "waiting-for-fulfillment", "ready-for-invoicing"})
# "Increasing the price of an order is allowed only when the order was paid by credit card,
# payable notes, cash, or credit control."
CHARGEABLE_PAYMENT_GROUPS = frozenset({"creditCard", "promissory", "cash", "creditControl"})
STEPS = ("waiting-acknowledgement", "waiting-confirmation", "done")
IN_PROGRESS = frozenset(STEPS[:-1])
SETTINGS: dict[str, list[str]] = {"customPaymentSystemsAllowed": []}


@dataclass
class Modification:
    request_id: str
    workflow_id: str
    reason: str
    discount: int
    increment: int
    add: list[dict]
    remove: list[dict]
    replace: list[dict]
    created: datetime
    total_change: int
    totals: dict[str, int]
    status: str = STEPS[0]
    # (monotonic time) when the current step is over.
    due: float = 0.0
    logs: list[dict] = field(default_factory=list)


# -- request ------------------------------------------------------------------------------------


def _count(value, name: str, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise bad_request(f"{name} must be an integer of at least {minimum}")
    return value


def _lines(raw, name: str) -> list[dict]:
    if raw is None:
        return []
    if isinstance(raw, dict):
        raw = raw.get("items")
    if not isinstance(raw, list):
        raise bad_request(f'{name} must be {{"items": [{{id, quantity}}]}}')
    lines = []
    for line in raw:
        if not isinstance(line, dict) or not isinstance(line.get("id"), str) or not line["id"]:
            raise bad_request(f"Each item of {name} needs an id (a string)")
        lines.append(
            {
                "id": line["id"],
                "quantity": _count(line.get("quantity"), f"{name}.quantity", minimum=1),
            }
        )
    return lines


def parse_change(body) -> dict:
    """The change a Createchange/PreviewChange body asks for, checked for shape."""
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object")
    reason = body.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise bad_request("reason is required")
    replace = body.get("replace") or []
    if not isinstance(replace, list):
        raise bad_request("replace must be a list of {from, to}")
    replaced = []
    for entry in replace:
        if not isinstance(entry, dict):
            raise bad_request("Each replace entry needs from and to")
        replaced.append(
            {
                "from": _lines((entry.get("from") or {}).get("items"), "replace.from.items"),
                "to": _lines((entry.get("to") or {}).get("items"), "replace.to.items"),
            }
        )
    change = {
        "reason": reason,
        "discount": _count(body.get("manualDiscountValue", 0), "manualDiscountValue", minimum=0),
        "increment": _count(body.get("manualIncrementValue", 0), "manualIncrementValue", minimum=0),
        "add": _lines(body.get("add"), "add"),
        "remove": _lines(body.get("remove"), "remove"),
        "replace": replaced,
    }
    if not (
        change["add"]
        or change["remove"]
        or any(e["from"] or e["to"] for e in replaced)
        or change["discount"]
        or change["increment"]
    ):
        raise bad_request("The change changes nothing", "SBX-CHANGE-EMPTY")
    return change


# -- rules and totals ---------------------------------------------------------------------------


def _catalog_price(store: Store, order: Order, sku_id: str) -> int:
    for item in order.items:
        if item.sku_id == sku_id:
            return item.selling_price
    for sku in store.factory.catalog:
        if sku["sku_id"] == sku_id:
            return sku["price"]
    raise bad_request(f"SKU {sku_id} was not found in the catalog", "SBX-CHANGE-SKU")


def _priced(store: Store, order: Order, change: dict) -> tuple[list[dict], list[dict]]:
    """(removed, added) lines with their unit prices; replacements are a removal and an add."""
    removed = [*change["remove"], *(line for e in change["replace"] for line in e["from"])]
    added = [*change["add"], *(line for e in change["replace"] for line in e["to"])]
    held = {item.sku_id: item.selling_price for item in order.items}
    return (
        [{**line, "price": held.get(line["id"], 0)} for line in removed],
        [{**line, "price": _catalog_price(store, order, line["id"])} for line in added],
    )


def check(
    store: Store, order: Order, change: dict, *, charging: bool = True
) -> tuple[list[dict], list[dict], int]:
    """VTEX's rules for ``change`` on ``order`` now: (removed, added, total change value).
    The preview (``charging=False``) shows a price increase the payment could not take; the
    change itself is refused."""
    if order.status not in CHANGE_STATUSES:
        raise bad_request(
            f"Orders can only be modified in {', '.join(sorted(CHANGE_STATUSES))}, "
            f"not {order.status}",
            "SBX-CHANGE-STATUS",
        )
    invoiced = order.invoiced_total("Output")
    if invoiced and invoiced >= order.value:
        raise bad_request(
            "The order's payment transaction is finished: it can no longer be modified",
            "SBX-CHANGE-TRANSACTION-FINISHED",
        )
    removed, added = _priced(store, order, change)
    quantities: dict[str, int] = {}
    for item in order.items:
        quantities[item.sku_id] = quantities.get(item.sku_id, 0) + item.quantity
    for line in removed:
        if quantities.get(line["id"], 0) < line["quantity"]:
            raise bad_request(
                f"The order has {quantities.get(line['id'], 0)} of SKU {line['id']}, "
                f"fewer than the {line['quantity']} to remove",
                "SBX-CHANGE-ITEMS",
            )
        quantities[line["id"]] -= line["quantity"]
    if not any(quantities.values()) and not added:
        raise bad_request(
            "A change cannot remove every item; cancel the order instead", "SBX-CHANGE-ITEMS"
        )
    total_change = (
        sum(line["price"] * line["quantity"] for line in added)
        - sum(line["price"] * line["quantity"] for line in removed)
        + change["increment"]
        - change["discount"]
    )
    new_value = order.value + total_change
    if new_value < max(invoiced, 1):
        raise bad_request(
            f"The change would bring the order value to {new_value}, below what is already "
            f"invoiced ({invoiced}) or zero",
            "SBX-CHANGE-VALUE",
        )
    group = order.payment.get("group")
    if charging and total_change > 0 and group not in CHARGEABLE_PAYMENT_GROUPS:
        raise bad_request(
            f"The change raises the order's price by {total_change}, but its payment "
            f"({order.payment.get('paymentSystemName')}) cannot be charged again",
            "SBX-CHANGE-PAYMENT",
        )
    return removed, added, total_change


def _new_totals(order: Order, removed: list[dict], added: list[dict], change: dict) -> dict:
    items_delta = sum(line["price"] * line["quantity"] for line in added) - sum(
        line["price"] * line["quantity"] for line in removed
    )
    totals = dict(order.totals)
    totals["Items"] += items_delta + change["increment"]
    totals["Discounts"] -= change["discount"]
    return totals


# -- answers ------------------------------------------------------------------------------------


def _totals(totals: dict[str, int]) -> list[dict]:
    return [{"id": key, "name": TOTAL_NAMES[key], "value": value} for key, value in totals.items()]


def _items(lines: list[dict]) -> dict | None:
    return {"items": [dict(line) for line in lines]} if lines else None


def _item_from(store: Store, order: Order, line: dict) -> dict:
    item = next((i for i in order.items if i.sku_id == line["id"]), None)
    return {
        "id": line["id"],
        "quantity": line["quantity"],
        "price": item.price if item else None,
        "measurementUnit": "un",
        "unitMultiplier": 1,
        "sellingPrice": item.selling_price if item else None,
        "name": item.name if item else None,
        "detailUrl": item.detail_url if item else None,
        "imageUrl": item.image_url if item else None,
    }


def _item_to(store: Store, order: Order, line: dict) -> dict:
    sku = next((s for s in store.factory.catalog if s["sku_id"] == line["id"]), None) or {}
    held = next((i for i in order.items if i.sku_id == line["id"]), None)
    price = held.selling_price if held else sku.get("price")
    name = held.name if held else sku.get("name")
    return {
        "uniqueId": held.unique_id if held else "",
        "id": line["id"],
        "productId": held.product_id if held else sku.get("product_id"),
        "productRefId": None,
        "refId": held.ref_id if held else sku.get("ref_id"),
        "ean": held.ean if held else sku.get("ean"),
        "name": name,
        "skuName": name,
        "modalType": None,
        "parentItemIndex": None,
        "parentAssemblyBinding": None,
        "assemblies": [],
        "priceValidUntil": None,
        "tax": 0,
        "price": price,
        "listPrice": price,
        "manualPrice": None,
        "manualPriceAppliedBy": None,
        "sellingPrice": price,
        "rewardValue": 0,
        "isGift": False,
        "additionalInfo": {
            "dimension": None,
            "brandName": held.brand_name if held else sku.get("brand_name"),
            "brandId": held.brand_id if held else sku.get("brand_id"),
            "offeringInfo": None,
            "offeringType": None,
            "offeringTypeId": None,
            "categoriesIds": held.category_ids if held else sku.get("category_ids"),
            "productClusterId": None,
            "commercialConditionId": None,
        },
        "preSaleDate": None,
        "productCategoryIds": held.category_ids if held else sku.get("category_ids"),
        "productCategories": {},
        "quantity": line["quantity"],
        "seller": "1",
        "sellerChain": ["1"],
        "imageUrl": held.image_url if held else None,
        "detailUrl": held.detail_url if held else f"/{line['id']}/p",
        "components": [],
        "bundleItems": [],
        "attachments": [],
        "attachmentOfferings": [],
        "offerings": [],
        "priceTags": [],
        "availability": "available",
        "measurementUnit": "un",
        "unitMultiplier": 1,
        "manufacturerCode": None,
        "priceDefinition": None,
    }


def _replace(store: Store, order: Order, replace: list[dict]) -> list[dict]:
    empty: dict[str, Any] = {
        "paymentData": {"transactions": []},
        "shippingData": {"logisticsInfo": []},
    }
    return [
        {
            "from": {**empty, "items": [_item_from(store, order, line) for line in entry["from"]]},
            "to": {
                **empty,
                "receiptData": None,
                "items": [_item_to(store, order, line) for line in entry["to"]],
            },
        }
        for entry in replace
    ]


def _body(store: Store, order: Order, *, change: dict, totals: dict, total_change: int, date):
    return {
        "reason": change["reason"],
        "manualDiscountValue": change["discount"],
        "manualIncrementValue": change["increment"],
        "totalChangeValue": total_change,
        "totals": _totals(totals),
        "add": _items(change["add"]),
        "remove": _items(change["remove"]),
        "replace": _replace(store, order, change["replace"]),
        "date": vtex_datetime(date),
        "origin": {"account": store.account, "orderId": order.order_id, "component": "oms"},
    }


def _change_of(modification: Modification) -> dict:
    return {
        "reason": modification.reason,
        "discount": modification.discount,
        "increment": modification.increment,
        "add": modification.add,
        "remove": modification.remove,
        "replace": modification.replace,
    }


def _describe(store: Store, order: Order, modification: Modification) -> dict:
    return {
        "requestId": modification.request_id,
        "workflowId": modification.workflow_id,
        "status": modification.status,
        "inProgress": modification.status in IN_PROGRESS,
        **_body(
            store,
            order,
            change=_change_of(modification),
            totals=modification.totals,
            total_change=modification.total_change,
            date=modification.created,
        ),
        "settings": dict(SETTINGS),
    }


# -- operations ---------------------------------------------------------------------------------


def preview(store: Store, order_id: str, body) -> dict:
    change = parse_change(body)
    with store.lock:
        order = store.get_order(order_id)
        removed, added, total_change = check(store, order, change, charging=False)
        totals = _new_totals(order, removed, added, change)
        return {
            **_body(
                store, order, change=change, totals=totals, total_change=total_change, date=utcnow()
            ),
            "settings": settings(store),
        }


def create(store: Store, order_id: str, body) -> dict:
    change = parse_change(body)
    with store.lock:
        order = store.get_order(order_id)
        if any(m.status in IN_PROGRESS | {"error"} for m in order.modifications):
            raise ApiError(
                409,
                "SBX-CHANGE-IN-PROGRESS",
                "The order has a modification in progress or stopped on error; retry or "
                "cancel it first",
            )
        removed, added, total_change = check(store, order, change)
        modification = Modification(
            request_id=receipt(),
            workflow_id=receipt(),
            reason=change["reason"],
            discount=change["discount"],
            increment=change["increment"],
            add=change["add"],
            remove=change["remove"],
            replace=change["replace"],
            created=utcnow(),
            total_change=total_change,
            totals=_new_totals(order, removed, added, change),
        )
        order.modifications.append(modification)
        answer = {
            **_body(
                store,
                order,
                change=change,
                totals=modification.totals,
                total_change=total_change,
                date=modification.created,
            ),
            "requestId": modification.request_id,
            "workflowId": modification.workflow_id,
            "settings": settings(store),
        }
        _enter(store, order, modification, STEPS[0], "Modification request received")
        return answer


def _find(order: Order, request_id: str) -> Modification:
    for modification in order.modifications:
        if modification.request_id == request_id:
            return modification
    raise ApiError(404, "SBX-CHANGE-NOT-FOUND", f"Change request {request_id} not found")


def history(store: Store, order_id: str) -> dict:
    with store.lock:
        order = store.get_order(order_id)
        return {
            "requests": [_describe(store, order, m) for m in order.modifications],
            "actions": [
                {"requestId": m.request_id, "workflowId": m.workflow_id, **log}
                for m in order.modifications
                for log in m.logs
            ],
        }


def detail(store: Store, order_id: str, request_id: str) -> dict:
    with store.lock:
        order = store.get_order(order_id)
        return _describe(store, order, _find(order, request_id))


def retry(store: Store, order_id: str, request_id: str, body) -> None:
    if not isinstance(body, dict) or not isinstance(body.get("reason"), str):
        raise bad_request("reason is required")
    with store.lock:
        order = store.get_order(order_id)
        modification = _find(order, request_id)
        if modification.status != "error":
            raise ApiError(
                409, "SBX-CHANGE-NOT-STOPPED", f"The change is {modification.status}, not error"
            )
        _log(modification, "retrying", f"Retry requested: {body['reason']}")
        _enter(store, order, modification, STEPS[1], "Processing again")


def cancel(store: Store, order_id: str, request_id: str, body) -> None:
    if not isinstance(body, dict) or not isinstance(body.get("reason"), str):
        raise bad_request("reason is required")
    with store.lock:
        order = store.get_order(order_id)
        modification = _find(order, request_id)
        if modification.status != "error":
            raise ApiError(
                409,
                "SBX-CHANGE-NOT-STOPPED",
                f"Only a change stopped on error can be canceled; this one is "
                f"{modification.status}",
            )
        modification.status = "canceled"
        _log(modification, "canceled", f"Canceled: {body['reason']}")


def settings(store: Store) -> dict:
    with store.lock:
        return copy.deepcopy(store.change_settings)


def update_settings(store: Store, body) -> dict:
    """PUT settings: each given section's given fields replace the stored ones."""
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object")
    with store.lock:
        for section, values in body.items():
            if section not in CHANGE_SETTINGS or not isinstance(values, dict):
                raise bad_request(f"Unknown settings section {section}")
            store.change_settings[section].update(values)
        return copy.deepcopy(store.change_settings)


# -- progression --------------------------------------------------------------------------------


def _log(modification: Modification, status: str, message: str) -> None:
    modification.logs.append(
        {"status": status, "date": vtex_datetime(utcnow()), "message": message}
    )


def _enter(
    store: Store,
    order: Order,
    modification: Modification,
    status: str,
    message: str,
    *,
    since: float | None = None,
):
    """Put the change in ``status``; without a delay, run it on to its end now.

    ``since``: when the step began, if earlier than now (the previous step's end, when the
    clock jumped past several steps at once)."""
    modification.status = status
    _log(modification, status, message)
    delay = store.options.change_delay
    if delay > 0:
        modification.due = (monotonic() if since is None else since) + delay
        store.changing.add(order.order_id)
        return
    _step(store, order, modification)


def _step(
    store: Store, order: Order, modification: Modification, *, since: float | None = None
) -> None:
    """The change's next step: acknowledged, then confirmed (or stopped), then done."""
    if modification.status == STEPS[0]:
        _enter(
            store,
            order,
            modification,
            STEPS[1],
            "Acknowledged; waiting for the payment",
            since=since,
        )
    elif modification.status == STEPS[1]:
        if store.options.change_stops > 0:
            store.options.change_stops -= 1
            modification.status = "error"
            _log(modification, "error", "The payment gateway refused the new value")
            return
        try:
            removed, added, _total = check(store, order, _change_of(modification))
        except ApiError as error:
            modification.status = "error"
            _log(modification, "error", error.message)
            return
        modification.totals = _new_totals(order, removed, added, _change_of(modification))
        _apply(store, order, removed, added, modification)
        modification.status = STEPS[2]
        _log(modification, STEPS[2], "Order modified")
        store.modified(order)


def advance(store: Store) -> None:
    """Take the delayed changes whose step is over to their next step."""
    if not store.changing:
        return
    with store.lock:
        _advance(store)


def _advance(store: Store) -> None:
    now = monotonic()
    for order_id in sorted(store.changing):
        order = store.orders[order_id]
        # A step due before ``now`` ended at its due time, so the next one may be over too
        # (the sandbox's clock was advanced past several steps at once).
        while moving := [
            m for m in order.modifications if m.status in IN_PROGRESS and m.due <= now
        ]:
            for modification in moving:
                _step(store, order, modification, since=modification.due)
        if not any(m.status in IN_PROGRESS for m in order.modifications):
            store.changing.discard(order_id)


def _apply(store: Store, order: Order, removed, added, modification: Modification) -> None:
    order_items_apply(store, order, removed, added)
    order.totals = dict(modification.totals)
