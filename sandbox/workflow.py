"""OMS operations and their rules (contract sheet sections 3-5 and 10).

Which status allows which operation is declared once below (`START_HANDLING_STATUSES`,
`INVOICE_STATUSES`, `CHANGE_STATUSES`, `CANCEL_REFUSED_STATUSES`):

- start-handling only from `ready-for-handling` (409 OMS003 otherwise);
  -> `start-handling` -> `handling`.
- Output invoices accumulate from `ready-for-handling`/`handling`; the order turns
  `invoice` -> `invoiced` when their sum equals the order value; more than the
  uninvoiced remainder is refused. The same invoice number again only refreshes
  the receipt. An Input (return) invoice needs the order fully invoiced.
- cancel in any status before invoicing that VTEX is not moving on its own: refused once any
  invoice exists or the order is invoiced (unless a return invoice gave the whole value
  back), in transient and final statuses, and for orders that never finished their creation;
  otherwise -> `cancel` -> `canceled`.
- tracking needs an existing invoice (404); tracking events need a tracking number (400).
- order changes only in `handling`, `waiting-for-fulfillment` and `ready-for-invoicing`
  (RegisterChange's spec), idempotent by requestId; they move the value and items.
Every function takes the store lock for its whole read-check-write.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import datetime
from typing import Literal, overload

from sandbox.clock import parse_datetime, receipt, utcnow, vtex_datetime
from sandbox.documents import list_entry, list_stats
from sandbox.errors import START_HANDLING_WRONG_STATUS, ApiError, bad_request
from sandbox.model import TRANSIENT_STATUSES, Change, Invoice, Item, Logistics
from sandbox.store import Store

MAX_PAGES = 30
MAX_PER_PAGE = 100
SORT_FIELDS = {
    "creationDate": lambda o: (o.created, int(o.sequence)),
    "orderId": lambda o: o.order_id,
    "totalValue": lambda o: (o.value, int(o.sequence)),
    "items": lambda o: (sum(i.quantity for i in o.items), int(o.sequence)),
    "origin": lambda o: int(o.sequence),
}
DATE_FILTERS = {
    "f_creationDate": ("creationDate", lambda o: o.created),
    "f_authorizedDate": ("authorizedDate", lambda o: o.authorized_date),
    "f_invoicedDate": ("invoicedDate", lambda o: o.invoiced_date),
}

# The statuses each OMS operation is accepted in (contract sheet sections 3.8 and 4).
START_HANDLING_STATUSES = frozenset({"ready-for-handling"})
# Output (sale) invoices; an Input (return) invoice needs the order fully invoiced instead.
INVOICE_STATUSES = frozenset({"ready-for-handling", "handling"})
# RegisterChange's spec: "only ... handling, waiting-for-fulfillment, ready for invoicing".
CHANGE_STATUSES = frozenset({"handling", "waiting-for-fulfillment", "ready-for-invoicing"})
# Cancel is accepted in any status before invoicing that VTEX is not moving on its own, as
# long as no invoice exists. Refused: transient statuses, final ones (invoiced, canceled or
# replaced by another order) and incomplete orders, which never finished their creation.
FINAL_STATUSES = frozenset({"invoiced", "invoice-after-cancellation-deny", "canceled", "replaced"})
INCOMPLETE_STATUSES = frozenset({"order-create-error", "order-creation-error"})
CANCEL_REFUSED_STATUSES = TRANSIENT_STATUSES | FINAL_STATUSES | INCOMPLETE_STATUSES


def _receipt_body(order_id: str, receipt_code: str) -> dict:
    return {"date": vtex_datetime(utcnow()), "orderId": order_id, "receipt": receipt_code}


def _int(value, name: str, *, minimum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_request(f"{name} must be an integer number of cents")
    if minimum is not None and value < minimum:
        raise bad_request(f"{name} must be at least {minimum}")
    return value


@overload
def _text(body: dict, name: str, *, required: Literal[True] = ...) -> str: ...
@overload
def _text(body: dict, name: str, *, required: bool) -> str | None: ...
def _text(body: dict, name: str, *, required: bool = True) -> str | None:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise bad_request(f"{name} is required")
        return None
    if not isinstance(value, str):
        raise bad_request(f"{name} must be a string")
    return value


@overload
def _date(body: dict, name: str, *, required: Literal[True] = ...) -> str: ...
@overload
def _date(body: dict, name: str, *, required: bool) -> str | None: ...
def _date(body: dict, name: str, *, required: bool = True) -> str | None:
    """A date the client sent, kept as GetOrder answers dates: the UTC instant, in VTEX's
    7-digit form. VTEX's dates are UTC: one without an offset (``2024-05-04 14:30``, a plain
    ``2024-05-04``) is read as UTC."""
    text = _text(body, name, required=required)
    if text is None:
        return None
    try:
        return vtex_datetime(parse_datetime(text))
    except (ValueError, OverflowError):
        raise bad_request(f"{name} is not a date: {text[:40]!r}") from None


def _object(body) -> dict:
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object")
    return body


# -- list and read ----------------------------------------------------------------------------


def _date_range(name: str, field: str, raw: str) -> tuple[datetime | None, datetime | None]:
    text = raw.strip()
    prefix = f"{field}:"
    if text.startswith(prefix):
        text = text[len(prefix) :]
    if not (text.startswith("[") and text.endswith("]") and " TO " in text):
        raise bad_request(f"{name} must look like {field}:[2022-01-01T00:00:00.000Z TO ...]")
    low, high = (part.strip() for part in text[1:-1].split(" TO ", 1))
    try:
        return (
            None if low == "*" else parse_datetime(low),
            None if high == "*" else parse_datetime(high),
        )
    except ValueError as error:
        raise bad_request(f"{name} has an invalid date: {error}") from error


def _page_number(args, name: str, default: int) -> int:
    raw = args.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise bad_request(f"{name} must be an integer") from error


def list_orders(store: Store, args) -> dict:
    page = _page_number(args, "page", 1)
    per_page = _page_number(args, "per_page", 15)
    if page < 1 or per_page < 1:
        raise bad_request("page and per_page must be positive")
    if per_page > MAX_PER_PAGE:
        raise bad_request(f"per_page must be at most {MAX_PER_PAGE}", "SBX-LIST-PER-PAGE")
    if page > MAX_PAGES:
        # VTEX's list stops at 30 pages; what it answers beyond is not public.
        raise bad_request(
            f"The list only reaches page {MAX_PAGES}; narrow the filters (e.g. f_creationDate)",
            "SBX-LIST-PAGE-LIMIT",
        )
    statuses = {s.strip() for s in args.get("f_status", "").split(",") if s.strip()}
    ranges = []
    for name, (field, getter) in DATE_FILTERS.items():
        if args.get(name):
            ranges.append((getter, *_date_range(name, field, args[name])))
    has_input = args.get("f_hasInputInvoice", "").lower()
    query = args.get("q", "").strip().lower()
    order_by = args.get("orderBy") or "creationDate,desc"
    field, _, direction = order_by.partition(",")
    if field not in SORT_FIELDS or direction.lower() not in ("", "asc", "desc"):
        raise bad_request(f"orderBy must be one of {', '.join(SORT_FIELDS)} with ,asc or ,desc")

    with store.lock:
        matched = []
        for order in store.orders.values():
            if statuses and order.status not in statuses:
                continue
            if not all(_within(getter(order), low, high) for getter, low, high in ranges):
                continue
            if has_input in ("true", "false") and (
                (order.invoiced_total("Input") > 0) != (has_input == "true")
            ):
                continue
            if query and not _matches_query(order, query):
                continue
            matched.append(order)
        matched.sort(key=SORT_FIELDS[field], reverse=direction.lower() == "desc")
        window = matched[(page - 1) * per_page : page * per_page]
        return {
            "list": [list_entry(order) for order in window],
            "facets": [],
            "paging": {
                "total": len(matched),
                "pages": math.ceil(len(matched) / per_page),
                "currentPage": page,
                "perPage": per_page,
            },
            "stats": list_stats(matched),
        }


def _within(moment: datetime | None, low: datetime | None, high: datetime | None) -> bool:
    if moment is None:
        return False
    return (low is None or moment >= low) and (high is None or moment <= high)


def _matches_query(order, query: str) -> bool:
    client = order.client
    haystack = " ".join(
        (
            order.order_id,
            order.sequence,
            client["email"],
            client["document"],
            client["firstName"],
            client["lastName"],
        )
    ).lower()
    return query in haystack


def get_order(store: Store, order_id: str) -> dict:
    with store.lock:
        return store.document(store.get_order(order_id))


# -- workflow actions ---------------------------------------------------------------------------


def start_handling(store: Store, order_id: str) -> None:
    with store.lock:
        order = store.get_order(order_id)
        order.start_handling_calls += 1
        if order.status not in START_HANDLING_STATUSES:
            raise ApiError(409, *START_HANDLING_WRONG_STATUS)
        store.start_transient(order, "start-handling")


def cancel(store: Store, order_id: str, body) -> dict:
    body = _object(body if body is not None else {})
    reason = body.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise bad_request("reason must be a string")
    with store.lock:
        order = store.get_order(order_id)
        order.cancel_calls += 1
        invoiced = order.invoiced_total("Output")
        # The PII spec (CancelOrder2) and the external-seller guide: an invoiced order can be
        # canceled once a return (Input) invoice gave its whole value back.
        fully_returned = (
            order.status == "invoiced"
            and invoiced > 0
            and order.invoiced_total("Input") >= invoiced
        )
        if (invoiced or order.status in {"invoice", "invoiced"}) and not fully_returned:
            raise bad_request(
                "An order with invoices cannot be canceled; send a return (Input) invoice "
                "for its whole value first, or an order change instead",
                "SBX-CANCEL-INVOICED",
            )
        if order.status in {"cancel", "canceled"}:
            raise bad_request("The order is already canceled", "SBX-CANCEL-STATUS")
        if order.status in TRANSIENT_STATUSES:
            raise bad_request(
                f"The order is in the transient status {order.status}; try again later",
                "SBX-CANCEL-STATUS",
            )
        if order.status in CANCEL_REFUSED_STATUSES and not fully_returned:
            raise bad_request(
                f"An order in status {order.status} cannot be canceled", "SBX-CANCEL-STATUS"
            )
        order.cancellation = {
            "RequestedByUser": bool(body.get("requestedByUser", False)),
            "RequestedBySystem": False,
            "RequestedBySellerNotification": True,
            "RequestedByPaymentNotification": False,
            "Reason": reason or "",
            "CancellationDate": utcnow(),
        }
        code = receipt()
        store.start_transient(order, "cancel")
        return _receipt_body(order.order_id, code)


def _invoice_value(raw) -> int:
    # The OMS spec types invoiceValue as a string of cents; VTEX also takes a number.
    if isinstance(raw, str) and raw.strip().isdigit():
        raw = int(raw.strip())
    if isinstance(raw, bool) or not isinstance(raw, int) or raw <= 0:
        raise bad_request('invoiceValue must be a positive amount in cents (e.g. 2499 or "2499")')
    return raw


def _invoice_items(raw) -> list[dict]:
    if not isinstance(raw, list):
        raise bad_request("items must be a list of {id, price, quantity}")
    lines = []
    for line in raw:
        if not isinstance(line, dict) or line.get("id") in (None, ""):
            raise bad_request("Each invoice item needs an id")
        lines.append(
            {
                "id": str(line["id"]),
                "price": _int(line.get("price"), "items[].price", minimum=0),
                "quantity": _int(line.get("quantity"), "items[].quantity", minimum=1),
                "description": line.get("description"),
            }
        )
    return lines


def invoice(store: Store, order_id: str, body) -> dict:
    body = _object(body)
    kind = body.get("type")
    if kind not in ("Output", "Input"):
        raise bad_request("type must be Output or Input")
    number = _text(body, "invoiceNumber")
    value = _invoice_value(body.get("invoiceValue"))
    issuance_date = _date(body, "issuanceDate")
    lines = _invoice_items(body.get("items"))
    with store.lock:
        order = store.get_order(order_id)
        existing = order.invoices.get(number)
        if existing is not None:
            # VTEX: sending an invoice number again only generates a new receipt.
            existing.receipt = receipt()
            existing.receipts.append(existing.receipt)
            store.touch(order)
            return _receipt_body(order.order_id, existing.receipt)
        output_total = order.invoiced_total("Output")
        if kind == "Output":
            if order.status not in INVOICE_STATUSES:
                raise bad_request(
                    f"An order in status {order.status} cannot be invoiced",
                    "SBX-INVOICE-STATUS",
                )
            remaining = order.value - output_total
            if value > remaining:
                raise bad_request(
                    f"Invoice value {value} is more than the order's uninvoiced amount {remaining}",
                    "SBX-OVER-INVOICE",
                )
        else:
            fully_invoiced = output_total >= order.value and order.status in {"invoice", "invoiced"}
            if not fully_invoiced:
                raise bad_request(
                    "A return (Input) invoice needs the order to be fully invoiced first",
                    "SBX-INPUT-BEFORE-INVOICED",
                )
            returnable = output_total - order.invoiced_total("Input")
            if value > returnable:
                raise bad_request(
                    f"Return value {value} is more than the invoiced amount not yet returned "
                    f"{returnable}",
                    "SBX-OVER-RETURN",
                )
        entry = Invoice(
            number=number,
            type=kind,
            value=value,
            issuance_date=issuance_date,
            items=lines,
            receipt=receipt(),
            received_at=utcnow(),
            key=_text(body, "invoiceKey", required=False),
            url=_text(body, "invoiceUrl", required=False),
            embedded=_text(body, "embeddedInvoice", required=False),
            courier=_text(body, "courier", required=False),
            tracking_number=_text(body, "trackingNumber", required=False),
            tracking_url=_text(body, "trackingUrl", required=False),
            dispatched_date=_date(body, "dispatchedDate", required=False),
        )
        entry.receipts.append(entry.receipt)
        order.invoices[number] = entry
        store.touch(order)
        if kind == "Output" and order.invoiced_total("Output") == order.value:
            store.start_transient(order, "invoice")
        return _receipt_body(order.order_id, entry.receipt)


def _invoice_of(order, number: str) -> Invoice:
    entry = order.invoices.get(number)
    if entry is None:
        raise ApiError(404, "SBX-INVOICE-NOT-FOUND", "Invoice Not Found")
    return entry


def update_tracking(store: Store, order_id: str, number: str, body) -> dict:
    body = _object(body)
    tracking_number = _text(body, "trackingNumber")
    with store.lock:
        order = store.get_order(order_id)
        entry = _invoice_of(order, number)
        entry.tracking_number = tracking_number
        for field, key, read in (
            ("tracking_url", "trackingUrl", _text),
            ("courier", "courier", _text),
            ("dispatched_date", "dispatchedDate", _date),
        ):
            if key in body:
                setattr(entry, field, read(body, key, required=False))
        entry.receipt = receipt()
        entry.receipts.append(entry.receipt)
        store.touch(order)
        return _receipt_body(order.order_id, entry.receipt)


def tracking_events(store: Store, order_id: str, number: str, body) -> dict:
    body = _object(body)
    delivered = body.get("isDelivered")
    if not isinstance(delivered, bool):
        raise bad_request("isDelivered must be true or false")
    events = body.get("events")
    if not isinstance(events, list):
        raise bad_request("events must be a list of {city, state, description, date}")
    for event in events:
        if not isinstance(event, dict) or not all(
            isinstance(event.get(k), str) for k in ("city", "state", "description", "date")
        ):
            raise bad_request("Each event needs city, state, description and date strings")
    delivered_date = _date(body, "deliveredDate", required=False)
    with store.lock:
        order = store.get_order(order_id)
        entry = _invoice_of(order, number)
        if not entry.tracking_number:
            raise bad_request(
                "The invoice has no tracking number; send it first (PATCH .../invoice/{number})",
                "SBX-NO-TRACKING-NUMBER",
            )
        now = utcnow()
        known = {(e["city"], e["state"], e["description"], e["date"]) for e in entry.events}
        for event in events:
            # Carriers often resend the whole history; an event already known is not repeated.
            key = (event["city"], event["state"], event["description"], event["date"])
            if key not in known:
                known.add(key)
                entry.events.append(
                    {
                        **{k: event[k] for k in ("city", "state", "description", "date")},
                        "createDate": now,
                    }
                )
        if delivered:
            entry.delivered = True
            entry.delivered_date = delivered_date or vtex_datetime(now)
        entry.receipt = receipt()
        entry.receipts.append(entry.receipt)
        store.touch(order)
        return _receipt_body(order.order_id, entry.receipt)


def _change_lines(raw, name: str) -> list[dict]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise bad_request(f"{name} must be a list of {{id, price, quantity}}")
    lines = []
    for line in raw:
        if not isinstance(line, dict) or line.get("id") in (None, ""):
            raise bad_request(f"Each entry of {name} needs an id")
        lines.append(
            {
                "id": str(line["id"]),
                "price": _int(line.get("price"), f"{name}[].price", minimum=0),
                "quantity": _int(line.get("quantity"), f"{name}[].quantity", minimum=1),
            }
        )
    return lines


def register_change(store: Store, order_id: str, body) -> dict:
    body = _object(body)
    request_id = _text(body, "requestId")
    reason = _text(body, "reason")
    discount = _int(body.get("discountValue"), "discountValue", minimum=0)
    increment = _int(body.get("incrementValue"), "incrementValue", minimum=0)
    removed = _change_lines(body.get("itemsRemoved"), "itemsRemoved")
    added = _change_lines(body.get("itemsAdded"), "itemsAdded")
    with store.lock:
        order = store.get_order(order_id)
        for change in order.changes:
            if change.request_id == request_id:
                # Only the first change with a requestId is applied.
                return _receipt_body(order.order_id, change.receipt)
        if order.status not in CHANGE_STATUSES:
            raise bad_request(
                f"Orders can only be changed in {', '.join(sorted(CHANGE_STATUSES))}, "
                f"not {order.status}",
                "SBX-CHANGE-STATUS",
            )
        quantities = {item.sku_id: item.quantity for item in order.items}
        for line in removed:
            if quantities.get(line["id"], 0) < line["quantity"]:
                raise bad_request(
                    f"The order has fewer than {line['quantity']} of SKU {line['id']}",
                    "SBX-CHANGE-ITEMS",
                )
            quantities[line["id"]] -= line["quantity"]
        if not any(quantities.values()) and not added:
            raise bad_request(
                "A change cannot remove every item; cancel the order instead", "SBX-CHANGE-ITEMS"
            )
        items_delta = sum(line["price"] * line["quantity"] for line in added) - sum(
            line["price"] * line["quantity"] for line in removed
        )
        new_value = order.value + items_delta + increment - discount
        invoiced = order.invoiced_total("Output")
        if new_value < max(invoiced, 1):
            raise bad_request(
                f"The change would bring the order value to {new_value}, below what is "
                f"already invoiced ({invoiced}) or zero",
                "SBX-CHANGE-VALUE",
            )
        order_items_apply(store, order, removed, added)
        order.totals["Items"] += items_delta + increment
        order.totals["Discounts"] -= discount
        change = Change(
            request_id=request_id,
            reason=reason,
            discount_value=discount,
            increment_value=increment,
            items_added=added,
            items_removed=removed,
            receipt=receipt(),
            date=utcnow(),
        )
        order.changes.append(change)
        store.touch(order)
        # A change that drops the uninvoiced remainder completes the invoicing.
        if invoiced and invoiced == order.value:
            store.start_transient(order, "invoice")
        return _receipt_body(order.order_id, change.receipt)


def order_items_apply(store: Store, order, removed: list[dict], added: list[dict]) -> None:
    """A change's items on the order (RegisterChange and the Order Modifications API alike):
    removed units first, then added ones. An added SKU is described from the catalog; one the
    catalog does not know comes back as the order held it (removed in full and added back in
    the same change: a quantity replaced), else as a bare item."""
    held = {item.sku_id: item for item in order.items}
    for line in removed:
        index = next(i for i, item in enumerate(order.items) if item.sku_id == line["id"])
        item = order.items[index]
        item.quantity -= line["quantity"]
        if item.quantity == 0:
            del order.items[index]
            shipping = order.logistics.pop(index)
            # Keep the order's shipping total on the remaining items.
            if order.logistics:
                order.logistics[0].price += shipping.price
            else:
                order.logistics.append(shipping)
    for line in added:
        existing = next((item for item in order.items if item.sku_id == line["id"]), None)
        if existing is not None:
            existing.quantity += line["quantity"]
            continue
        known = next((sku for sku in store.factory.catalog if sku["sku_id"] == line["id"]), None)
        template = order.items[0] if order.items else None
        if known is None and line["id"] in held:
            order.items.append(
                dataclasses.replace(held[line["id"]], quantity=line["quantity"], price_tags=[])
            )
        else:
            order.items.append(
                Item(
                    sku_id=line["id"],
                    product_id=known["product_id"] if known else line["id"],
                    name=known["name"] if known else f"SKU {line['id']}",
                    ref_id=known["ref_id"] if known else "",
                    ean=known["ean"] if known else "",
                    brand_name=known["brand_name"] if known else "",
                    brand_id=known["brand_id"] if known else "",
                    category_ids=known["category_ids"] if known else "/",
                    list_price=line["price"],
                    price=line["price"],
                    selling_price=line["price"],
                    quantity=line["quantity"],
                    unique_id=receipt().upper(),
                    image_url=template.image_url if template else "",
                    detail_url=f"/{known['slug'] if known else line['id']}/p",
                    weight=known["weight"] if known else 0,
                    height=10,
                    width=20,
                    length=30,
                )
            )
        sla = order.logistics[0]
        order.logistics.append(
            Logistics(sla=sla.sla, courier=sla.courier, price=0, estimate=sla.estimate)
        )


# -- control ----------------------------------------------------------------------------------


def force_status(store: Store, order_id: str, status) -> dict:
    if not isinstance(status, str) or not status:
        raise bad_request("status is required")
    with store.lock:
        order = store.get_order(order_id)
        store.force_status(order, status)
        return {"orderId": order.order_id, "status": order.status}


def order_summary(order) -> dict:
    return {
        "orderId": order.order_id,
        "status": order.status,
        "value": order.value,
        "creationDate": vtex_datetime(order.created),
    }


def order_inspection(store: Store, order_id: str) -> dict:
    with store.lock:
        order = store.get_order(order_id)
        return {
            "order": store.document(order),
            "invoices": [
                {
                    "invoiceNumber": entry.number,
                    "type": entry.type,
                    "invoiceValue": entry.value,
                    "issuanceDate": entry.issuance_date,
                    "items": entry.items,
                    "invoiceKey": entry.key,
                    "trackingNumber": entry.tracking_number,
                    "courier": entry.courier,
                    # Not in GetOrder's package (the spec has no dispatchedDate there).
                    "dispatchedDate": entry.dispatched_date,
                    "receipts": entry.receipts,
                    "events": [
                        {k: e[k] for k in ("city", "state", "description", "date")}
                        for e in entry.events
                    ],
                    "isDelivered": entry.delivered,
                    "deliveredDate": entry.delivered_date,
                }
                for entry in order.invoices.values()
            ],
            "start_handling_calls": order.start_handling_calls,
            "cancel_calls": order.cancel_calls,
            "changes": [
                {
                    "requestId": change.request_id,
                    "reason": change.reason,
                    "discountValue": change.discount_value,
                    "incrementValue": change.increment_value,
                    "itemsAdded": change.items_added,
                    "itemsRemoved": change.items_removed,
                    "receipt": change.receipt,
                }
                for change in order.changes
            ],
            "modifications": [
                {
                    "requestId": m.request_id,
                    "status": m.status,
                    "reason": m.reason,
                    "manualDiscountValue": m.discount,
                    "manualIncrementValue": m.increment,
                    "add": m.add,
                    "remove": m.remove,
                    "replace": m.replace,
                    "totalChangeValue": m.total_change,
                }
                for m in order.modifications
            ],
            "pending_status": order.pending[0] if order.pending else None,
        }
