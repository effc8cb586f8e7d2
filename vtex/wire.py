"""VTEX's wire formats: dates, ranges, URLs, request bodies and the error envelope."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import requests

Json = dict[str, Any]

# VTEX's feed guide asks for a one-minute stop after a 429 that carries no usable Retry-After.
DEFAULT_RETRY_AFTER = 60.0
# Error bodies are quoted in exception messages; an HTML error page must not flood the logs.
MAX_ERROR_TEXT = 300


def date_range(field: str, start: datetime | None, end: datetime | None) -> str:
    """VTEX's Solr-style filter: ``creationDate:[2022-01-01T02:00:00.000Z TO *]``."""
    return f"{field}:[{_utc_millis(start)} TO {_utc_millis(end)}]"


def _utc_millis(moment: datetime | None) -> str:
    if moment is None:
        return "*"
    moment = utc(moment)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


# --- Dates sent to VTEX ---------------------------------------------------------------------
# VTEX's dates are UTC: it reads a date without an offset as UTC (the "yyyy-mm-dd hh:mm" of
# deliveredDate included), so every instant leaves as its UTC time. A plain date (a tracking
# event's day) is a calendar day, sent as it is.


def utc(moment: datetime) -> datetime:
    """``moment`` (aware) as UTC; a naive datetime names no instant and is refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("VTEX dates need aware datetimes (or plain dates)")
    return moment.astimezone(UTC)


def iso(value: date | None) -> str | None:
    """An instant as ISO 8601 in UTC (``2026-12-06T21:20:00+00:00``); a plain date as
    ``YYYY-MM-DD``."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return utc(value).isoformat()
    return value.isoformat()


def utc_minutes(value: datetime | None) -> str | None:
    """An instant in the ``yyyy-mm-dd hh:mm`` of ``deliveredDate``, in UTC (seconds
    dropped)."""
    if value is None:
        return None
    return utc(value).strftime("%Y-%m-%d %H:%M")


def join_services_endpoint(services_endpoint: str, path: str) -> str:
    """Insert ``path`` into a marketplaceServicesEndpoint, before its query (``?an=...``)."""
    if "://" not in services_endpoint:
        # The protocol spec writes the server as https://{marketplaceServicesEndpoint}.
        services_endpoint = f"https://{services_endpoint}"
    parts = urlsplit(services_endpoint)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + path, fragment=""))


def parse_retry_after(value: str | None) -> float:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date)."""
    if not value:
        return DEFAULT_RETRY_AFTER
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def parse_error_body(response: requests.Response) -> tuple[str | None, str]:
    """VTEX's ``{"error": {"code", "message", "exception"}}``, else the body's text."""
    try:
        payload = response.json()
    except ValueError:
        return None, response.text.strip()[:MAX_ERROR_TEXT]
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        return None, response.text.strip()[:MAX_ERROR_TEXT]
    code = error.get("code")
    message = str(error.get("message") or error.get("exception") or "")[:MAX_ERROR_TEXT]
    return (str(code) if code not in (None, "") else None), message


def segment(value: str | int) -> str:
    return quote(str(value), safe="")


def without_none(**fields: Any) -> Json:
    return {name: value for name, value in fields.items() if value is not None}


def invoice_items(items: Iterable[Mapping[str, Any]]) -> list[Json]:
    return [
        {"id": str(item["id"]), "price": int(item["price"]), "quantity": int(item["quantity"])}
        for item in items
    ]


def invoice_body(
    *,
    invoice_type: str,
    number: str,
    value: int | str,
    issued_at: date,
    items: Sequence[Mapping[str, Any]],
    key: str | None,
    url: str | None,
    embedded_xml: str | None,
    courier: str | None,
    tracking_number: str | None,
    tracking_url: str | None,
    dispatched_date: date | None,
) -> Json:
    if invoice_type not in ("Output", "Input"):
        raise ValueError("invoice_type is 'Output' (sale) or 'Input' (return)")
    return {
        "type": invoice_type,
        "invoiceNumber": number,
        "invoiceValue": value,
        "issuanceDate": iso(issued_at),
        "items": invoice_items(items),
        # Absent rather than null: the Orders API does not allow a null courier.
        **without_none(
            invoiceKey=key,
            invoiceUrl=url,
            embeddedInvoice=embedded_xml,
            courier=courier,
            trackingNumber=tracking_number,
            trackingUrl=tracking_url,
            dispatchedDate=iso(dispatched_date),
        ),
    }


def tracking_events(events: Iterable[Mapping[str, Any]]) -> list[Json]:
    return [
        {
            "city": event["city"],
            "state": event["state"],
            "description": event["description"],
            "date": iso(event["date"]) if isinstance(event["date"], date) else event["date"],
        }
        for event in events
    ]


def feed_filter(
    statuses: Sequence[str] | None, expression: str | None, disable_single_fire: bool
) -> Json:
    # VTEX answers 409 to a filter mixing a status list with an expression; refusing here
    # saves a round trip and keeps the intent obvious.
    if statuses and expression:
        raise ValueError("filter by statuses (FromWorkflow) or by expression (FromOrders)")
    if expression:
        return {
            "type": "FromOrders",
            "expression": expression,
            "disableSingleFire": disable_single_fire,
        }
    workflow: Json = {"type": "FromWorkflow"}
    if statuses:
        workflow["status"] = list(statuses)
    return workflow


def change_body(
    *,
    reason: str,
    manual_discount: int = 0,
    manual_increment: int = 0,
    add: Iterable[Mapping[str, Any]] = (),
    remove: Iterable[Mapping[str, Any]] = (),
    replace: Iterable[tuple[Iterable[Mapping[str, Any]], Iterable[Mapping[str, Any]]]] = (),
) -> Json:
    """An Order Modifications change (Createchange and PreviewChange take the same body).

    Lines are ``{"id": sku_id, "quantity": n}`` (prices come from VTEX's catalog);
    ``replace`` is a sequence of (from lines, to lines). Only what is given is sent.
    """
    if not reason or not reason.strip():
        raise ValueError("an order change needs a reason")
    if manual_discount < 0 or manual_increment < 0:
        raise ValueError("manual discount and increment are amounts in cents >= 0")
    body: Json = {"reason": reason}
    if manual_discount:
        body["manualDiscountValue"] = int(manual_discount)
    if manual_increment:
        body["manualIncrementValue"] = int(manual_increment)
    added = _change_lines(add)
    removed = _change_lines(remove)
    if added:
        body["add"] = {"items": added}
    if removed:
        body["remove"] = {"items": removed}
    replaced = [
        {"from": {"items": _change_lines(old)}, "to": {"items": _change_lines(new)}}
        for old, new in replace
    ]
    if replaced:
        body["replace"] = replaced
    if len(body) == 1:
        raise ValueError("the change changes nothing")
    return body


def _change_lines(lines: Iterable[Mapping[str, Any]]) -> list[Json]:
    result = []
    for line in lines:
        quantity = int(line["quantity"])
        if quantity < 1:
            raise ValueError("a changed item's quantity is at least 1")
        # No measurementUnit/unitMultiplier: VTEX takes them from the store's catalog.
        result.append({"id": str(line["id"]), "quantity": quantity})
    return result
