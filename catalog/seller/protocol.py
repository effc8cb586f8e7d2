"""The bodies VTEX sends to the seller endpoints, read and checked (no database).

Each reader takes the parsed JSON and returns frozen dataclasses, or raises ``BadRequest``
with a message naming the field, which the views answer as a 400 in VTEX's error envelope.
Field names follow the External Seller Fulfillment spec; the guide's spellings are accepted
too (``Seller`` for ``seller``, a placement sent as a list of orders).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeGuard

from core.refusals import Refused
from core.text import ID_CONTROL, TYPED_CONTROL, UNSTORABLE

# Bounds that keep one call cheap; a real cart is far below them.
MAX_CART_LINES = 100
MAX_QUANTITY = 1_000_000
MAX_CENTS = 10**12
MAX_ID_LENGTH = 64
# Marketplace order ids (`1300000007919-01`, `v502556llux-01`): they become part of the
# seller order id and of URL paths.
MARKETPLACE_ORDER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,59}")
MAX_ENDPOINT_LENGTH = 500
BRAZIL = "BRA"
# An item's unit: the spec's types (a string, an integer) within the order item's columns
# (measurement_unit varchar(20), unit_multiplier numeric(12,4): below 10^8).
MAX_MEASUREMENT_UNIT = 20
UNIT_MULTIPLIER_BELOW = 10**8
# How long the marketplace holds the units (``lockTTL``): "8d", "3bd", "12h", "30m".
LOCK_TTL = re.compile(r"([0-9]{1,4})(bd|d|h|m)")
ASCII_DIGITS = frozenset("0123456789")


class BadRequest(Refused):
    """The request breaks the seller protocol; ``message`` goes back to the marketplace."""


# --- Characters a request may not carry ---------------------------------------------------------

# core.text's rules: NUL and lone surrogates in no field (UNSTORABLE), no control character
# but tab and line breaks in typed text (a name, a document, a street, a reason: TYPED_CONTROL),
# none at all in an id (a SKU, an order, a seller, the services endpoint: ID_CONTROL).
# Where each is, as a field's path with its list indexes left out (a placement list's too).
TYPED_TEXT_UNDER = ("clientProfileData.", "shippingData.address.")
TYPED_TEXT = frozenset(
    {
        "reason",
        "openTextField",
        "items[].measurementUnit",
        "shippingData.logisticsInfo[].selectedSla",
        "shippingData.logisticsInfo[].lockTTL",
        "shippingData.logisticsInfo[].shippingEstimate",
    }
)
IDS = frozenset(
    {
        "marketplaceOrderId",
        "marketplaceOrderGroup",
        "cancellationRequestId",
        "marketplaceServicesEndpoint",
        "postalCode",
        "country",
        "items[].id",
        "items[].seller",
        "items[].Seller",
    }
)
_INDEX = re.compile(r"\[[0-9]+\]")


def _character_refused(text: str, where: str, pattern: re.Pattern) -> None:
    found = pattern.search(text)
    if found is None:
        return
    code = ord(found.group())
    what = (
        f"U+{code:04X}, half of a surrogate pair (not text)"
        if 0xD800 <= code <= 0xDFFF
        else f"the control character U+{code:04X}"
    )
    raise BadRequest(f"{where} holds {what}")


def text_check(body: Any) -> None:
    """Refuse a request body that holds, anywhere (names included), a NUL or a lone
    surrogate; in typed text, a control character other than tab and line breaks; in an id,
    any control character. The message names the field."""
    pending: list[tuple[str, Any]] = [("", body)]
    while pending:
        where, node = pending.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                # A placement list's order is "[0]", its fields "[0]items" (as the readers say).
                field = f"{where}.{key}" if where and not _INDEX.fullmatch(where) else where + key
                _character_refused(key, f"A name in {where or 'the body'}", UNSTORABLE)
                pending.append((field, value))
        elif isinstance(node, list):
            pending.extend((f"{where}[{index}]", value) for index, value in enumerate(node))
        elif isinstance(node, str):
            shape = _INDEX.sub("[]", where).removeprefix("[]").removeprefix(".")
            if shape in IDS:
                pattern = ID_CONTROL
            elif shape in TYPED_TEXT or shape.startswith(TYPED_TEXT_UNDER):
                pattern = TYPED_CONTROL
            else:
                pattern = UNSTORABLE
            _character_refused(node, where or "The body", pattern)


def path_id_check(order_id: str) -> None:
    """The order id of a fulfill or cancellation path (``SLR-...`` or the marketplace's)."""
    _character_refused(order_id, "The order id in the path", ID_CONTROL)


@dataclass(frozen=True)
class CartLine:
    sku_id: str
    quantity: int
    seller: str


@dataclass(frozen=True)
class SimulationRequest:
    lines: tuple[CartLine, ...]
    # The CEP as 8 digits; None when the call has no postal code (storefront indexing).
    postal_code: str | None
    country: str | None
    # As sent, echoed in the answer.
    postal_code_sent: str | None


@dataclass(frozen=True)
class PlacedLine:
    sku_id: str
    quantity: int
    price: int
    seller: str
    raw: dict[str, Any]


@dataclass(frozen=True)
class PlacedShipping:
    item_index: int
    sla: str
    price: int
    estimate: str
    lock_ttl: str


@dataclass(frozen=True)
class Placement:
    marketplace_order_id: str
    services_endpoint: str
    payment_value: int
    lines: tuple[PlacedLine, ...]
    client: dict[str, Any]
    address: dict[str, Any]
    shipping: tuple[PlacedShipping, ...]
    # The body as sent, echoed in the answer.
    raw: dict[str, Any]

    @property
    def postal_code(self) -> str:
        return _digits(self.address.get("postalCode"))


def simulation_request_read(body: Any) -> SimulationRequest:
    body = _object(body, "The simulation body")
    lines = tuple(
        _cart_line(line, f"items[{index}]")
        for index, line in enumerate(_list(body.get("items"), "items", MAX_CART_LINES))
    )
    country = body.get("country")
    if country is not None and not (isinstance(country, str) and len(country) <= 3):
        raise BadRequest("country must be an ISO 3166 alpha-3 code such as BRA")
    postal_code_sent = body.get("postalCode")
    postal_code = None
    if postal_code_sent not in (None, ""):
        if not isinstance(postal_code_sent, str):
            raise BadRequest("postalCode must be a string")
        if (country or BRAZIL).upper() == BRAZIL:
            postal_code = _digits(postal_code_sent)
            if len(postal_code) != 8:
                raise BadRequest(
                    f"postalCode {postal_code_sent[:20]!r} is not a Brazilian CEP (8 digits)"
                )
    return SimulationRequest(
        lines=lines,
        postal_code=postal_code,
        country=country.upper() if isinstance(country, str) and country else None,
        postal_code_sent=postal_code_sent or None,
    )


def placements_read(body: Any) -> tuple[list[Placement], bool]:
    """The orders of a placement and whether they came as a list (the guide's older form,
    answered as a list too)."""
    if isinstance(body, list):
        if not body or len(body) > MAX_CART_LINES:
            raise BadRequest("The placement list must hold between 1 and 100 orders")
        return [_placement(order, f"[{index}]") for index, order in enumerate(body)], True
    return [_placement(body, "")], False


def _placement(body: Any, where: str) -> Placement:
    body = _object(body, f"The order{where}")
    marketplace_order_id = body.get("marketplaceOrderId")
    if not isinstance(marketplace_order_id, str) or not MARKETPLACE_ORDER_ID.fullmatch(
        marketplace_order_id
    ):
        raise BadRequest(
            f"{where}marketplaceOrderId is required: letters, digits, '-' and '_', at most 60"
        )
    endpoint = body.get("marketplaceServicesEndpoint")
    if (
        not isinstance(endpoint, str)
        or not endpoint.startswith(("https://", "http://"))
        or len(endpoint) > MAX_ENDPOINT_LENGTH
    ):
        raise BadRequest(f"{where}marketplaceServicesEndpoint must be an http(s) URL")
    payment_value = _cents(body.get("marketplacePaymentValue", 0), "marketplacePaymentValue")
    items = _list(body.get("items"), f"{where}items", MAX_CART_LINES)
    lines = []
    for index, item in enumerate(items):
        line = _cart_line(item, f"{where}items[{index}]")
        price = _cents(item.get("price"), f"{where}items[{index}].price")
        _unit_check(item, f"{where}items[{index}]")
        lines.append(PlacedLine(line.sku_id, line.quantity, price, line.seller, item))
    client = _object(body.get("clientProfileData"), f"{where}clientProfileData")
    for name in ("email", "firstName", "lastName", "document"):
        if not isinstance(client.get(name), str) or not client[name].strip():
            raise BadRequest(f"{where}clientProfileData.{name} is required")
    shipping_data = _object(body.get("shippingData"), f"{where}shippingData")
    address = _object(shipping_data.get("address"), f"{where}shippingData.address")
    for name in ("postalCode", "city", "state", "street"):
        if not isinstance(address.get(name), str) or not address[name].strip():
            raise BadRequest(f"{where}shippingData.address.{name} is required")
    if len(_digits(address["postalCode"])) != 8:
        raise BadRequest(f"{where}shippingData.address.postalCode is not a CEP (8 digits)")
    shipping = []
    infos = _list(
        shipping_data.get("logisticsInfo"), f"{where}shippingData.logisticsInfo", MAX_CART_LINES
    )
    covered: set[int] = set()
    for index, info in enumerate(infos):
        name = f"{where}shippingData.logisticsInfo[{index}]"
        info = _object(info, name)
        item_index = info.get("itemIndex")
        if not _integer(item_index) or not 0 <= item_index < len(lines):
            raise BadRequest(f"{name}.itemIndex must point at one of the items")
        if item_index in covered:
            raise BadRequest(f"{name}.itemIndex {item_index} is repeated: one SLA per item")
        covered.add(item_index)
        lock_ttl = info.get("lockTTL")
        if lock_ttl not in (None, "") and lock_ttl_duration(lock_ttl) is None:
            raise BadRequest(f"{name}.lockTTL must be a duration such as 8d, 3bd, 12h or 30m")
        sla = info.get("selectedSla")
        if not isinstance(sla, str) or not sla.strip():
            raise BadRequest(f"{name}.selectedSla is required")
        shipping.append(
            PlacedShipping(
                item_index=item_index,
                sla=sla.strip(),
                price=_cents(info.get("price"), f"{name}.price"),
                estimate=str(info.get("shippingEstimate") or "")[:10],
                lock_ttl=str(info.get("lockTTL") or "")[:10],
            )
        )
    missing = [index for index in range(len(lines)) if index not in covered]
    if missing:
        raise BadRequest(f"{where}shippingData.logisticsInfo has no SLA for items {missing}")
    return Placement(
        marketplace_order_id=marketplace_order_id,
        services_endpoint=endpoint,
        payment_value=payment_value,
        lines=tuple(lines),
        client=client,
        address=address,
        shipping=tuple(shipping),
        raw=body,
    )


def placement_answer(placement: Placement, *, order_id: str) -> dict[str, Any]:
    """The placement as sent, with the seller's ``orderId``: nulls left out (the answer's
    schema has no nullable fields there) and each item's unit as the seller sells it."""
    answer = _without_nulls(placement.raw)
    for item in answer["items"]:
        item["measurementUnit"] = item.get("measurementUnit") or "un"
        item["unitMultiplier"] = int(item.get("unitMultiplier") or 1)
    return {**answer, "orderId": order_id}


def _without_nulls(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _without_nulls(value) for key, value in node.items() if value is not None}
    if isinstance(node, list):
        return [_without_nulls(value) for value in node]
    return node


@dataclass(frozen=True)
class MarketplaceRequest:
    """The body of fulfill and cancel: the marketplace's order id, and why it cancels."""

    marketplace_order_id: str
    reason: str
    request_id: str


def marketplace_request_read(body: Any) -> MarketplaceRequest:
    body = _object({} if body is None else body, "The body")
    marketplace_order_id = body.get("marketplaceOrderId", "")
    if not isinstance(marketplace_order_id, str):
        raise BadRequest("marketplaceOrderId must be a string")
    reason = body.get("reason", "")
    request_id = body.get("cancellationRequestId", "")
    return MarketplaceRequest(
        marketplace_order_id=marketplace_order_id,
        reason=reason if isinstance(reason, str) else "",
        request_id=request_id[:64] if isinstance(request_id, str) else "",
    )


# --- Small readers --------------------------------------------------------------------------------


def _cart_line(item: Any, where: str) -> CartLine:
    item = _object(item, where)
    sku_id = item.get("id")
    if _integer(sku_id):
        sku_id = str(sku_id)
    if not isinstance(sku_id, str) or not sku_id.strip() or len(sku_id) > MAX_ID_LENGTH:
        raise BadRequest(f"{where}.id (the seller's SKU id) is required")
    quantity = item.get("quantity")
    if not _integer(quantity) or not 1 <= quantity <= MAX_QUANTITY:
        raise BadRequest(f"{where}.quantity must be a whole number from 1 to {MAX_QUANTITY}")
    seller = item.get("seller", item.get("Seller", ""))
    if _integer(seller):
        seller = str(seller)
    if not isinstance(seller, str) or len(seller) > MAX_ID_LENGTH:
        raise BadRequest(f"{where}.seller must be a string")
    return CartLine(sku_id=sku_id.strip(), quantity=quantity, seller=seller)


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise BadRequest(f"{where} must be a JSON object")
    return value


def _list(value: Any, where: str, most: int) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise BadRequest(f"{where} must be a non-empty list")
    if len(value) > most:
        raise BadRequest(f"{where} holds more than {most} entries")
    return value


def _integer(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _cents(value: Any, where: str) -> int:
    if not _integer(value) or not 0 <= value <= MAX_CENTS:
        raise BadRequest(f"{where} must be a whole number of cents, 0 or more")
    return value


def _unit_check(item: dict[str, Any], where: str) -> None:
    """An item's ``measurementUnit`` and ``unitMultiplier``, when sent, fit the order item's
    columns (a JSON ``NaN`` or ``Infinity`` is a float: refused like any non-integer)."""
    unit = item.get("measurementUnit")
    if unit is not None and not (isinstance(unit, str) and len(unit) <= MAX_MEASUREMENT_UNIT):
        raise BadRequest(
            f"{where}.measurementUnit must be a string of at most {MAX_MEASUREMENT_UNIT} characters"
        )
    multiplier = item.get("unitMultiplier")
    # null is "not given" (the seller's 1). 0 is refused like any value outside the range,
    # though the guide's placement example sends it: no unit is sold 0 at a time.
    # A whole float (1.0, as VTEX's OMS writes it elsewhere) is that integer.
    if multiplier is not None and not (
        (_integer(multiplier) or (isinstance(multiplier, float) and multiplier.is_integer()))
        and 0 < multiplier < UNIT_MULTIPLIER_BELOW
    ):
        raise BadRequest(
            f"{where}.unitMultiplier must be a whole number from 1 to {UNIT_MULTIPLIER_BELOW - 1}"
        )


def lock_ttl_duration(value: Any) -> timedelta | None:
    """A ``lockTTL`` as a duration (business days counted with their weekends, so never
    shorter than meant); None when it is not one."""
    match = LOCK_TTL.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return None
    amount, unit = int(match[1]), match[2]
    if unit == "bd":
        return timedelta(days=amount + 2 * ((amount + 4) // 5))
    return timedelta(**{{"d": "days", "h": "hours", "m": "minutes"}[unit]: amount})


def _digits(value: Any) -> str:
    """The ASCII digits of ``value`` (``isdigit`` would take full-width and other scripts')."""
    return "".join(char for char in value if char in ASCII_DIGITS) if isinstance(value, str) else ""
