"""HTTP client of the VTEX operations the back office uses.

One method per VTEX operation, each a thin wrapper over ``_request``, which owns what every
call shares: credentials and the headers the specs require, the timeout, mapping answers to
typed errors, retrying GETs, and the process-wide pause after a 429. Methods take Python
values (aware datetimes, integer cents) and return VTEX's JSON as plain dicts.

An order write (start handling, invoice, tracking, cancel) takes its destination first: a
VTEX order id (the store's OMS) or an ``OrderRef`` naming the order's marketplace services
endpoint and the marketplace's order id. Each method builds the path, method and body that
destination expects, and refuses with ``ValueError``, before sending, an operation it lacks.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from urllib3.util import parse_url

from vtex import wire
from vtex.config import VtexConfig
from vtex.errors import (
    VtexAuthError,
    VtexError,
    VtexNotFound,
    VtexRateLimited,
    VtexRejected,
    VtexTransientError,
)
from vtex.governor import GovernorBusy, RateGovernor, request_family
from vtex.order_ref import OrderRef
from vtex.process import process_session, rate_limit_pause
from vtex.wire import segment

logger = logging.getLogger(__name__)

# ListOrders serves at most 30 pages per filter combination, 100 orders each.
MAX_LIST_PAGES = 30
MAX_PER_PAGE = 100
# Feed v3 hands out at most 10 items per GET.
MAX_FEED_LOT = 10
# A marketplaceServicesEndpoint arrives in an order placement and receives our AppKey and
# AppToken: only VTEX hosts (or the configured base_url's host and port) may get them.
TRUSTED_MARKETPLACE_HOST_SUFFIXES = (
    ".vtexinternal.com.br",
    ".vtexcommercestable.com.br",
    ".vtex.com",
    ".vtex.com.br",
)
# myvtex.com serves every VTEX account's workspaces and apps (`{account}.myvtex.com`,
# `{workspace}--{account}.myvtex.com`): code each account deploys. Only the hosts of the account
# whose credentials these are (the store, whose marketplace orders they are) may get them.
MYVTEX = ".myvtex.com"

Json = wire.Json


class VtexClient:
    def __init__(self, config: VtexConfig, *, governor: RateGovernor | None = None) -> None:
        self.config = config
        # Asked before every request (by resource family) when given: see vtex.governor.
        self.governor = governor
        self._headers = {
            "X-VTEX-API-AppKey": config.app_key,
            "X-VTEX-API-AppToken": config.app_token,
            "Accept": "application/json",
            "Content-Type": "application/json",
        }

    def __repr__(self) -> str:
        return f"VtexClient({self.config!r})"

    @property
    def session(self) -> requests.Session:
        """The process's pooled session (shared by every client, recreated after a fork)."""
        return process_session()

    # --- OMS -------------------------------------------------------------------------------

    def list_orders(
        self,
        *,
        statuses: Sequence[str] | None = None,
        created_from: datetime | None = None,
        created_to: datetime | None = None,
        order_by: str = "creationDate,asc",
        page: int = 1,
        per_page: int = MAX_PER_PAGE,
    ) -> Json:
        if not 1 <= page <= MAX_LIST_PAGES:
            raise ValueError(f"page must be within 1..{MAX_LIST_PAGES}, VTEX serves no more")
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise ValueError(f"per_page must be within 1..{MAX_PER_PAGE}")
        params: dict[str, str | int] = {"orderBy": order_by, "page": page, "per_page": per_page}
        if statuses:
            params["f_status"] = ",".join(statuses)
        if created_from is not None or created_to is not None:
            params["f_creationDate"] = wire.date_range("creationDate", created_from, created_to)
        return self._request("GET", self._store("/api/oms/pvt/orders"), params=params)

    def iter_order_pages(
        self,
        *,
        statuses: Sequence[str] | None = None,
        created_from: datetime | None = None,
        created_to: datetime | None = None,
        order_by: str = "creationDate,asc",
        per_page: int = MAX_PER_PAGE,
    ) -> Iterator[Json]:
        """Yield every page's body; stops at page 30 even when ``paging.pages`` says more
        (narrow the creation-date window to reach the rest)."""
        page = 1
        while True:
            body = self.list_orders(
                statuses=statuses,
                created_from=created_from,
                created_to=created_to,
                order_by=order_by,
                page=page,
                per_page=per_page,
            )
            yield body
            pages = int((body.get("paging") or {}).get("pages") or 0)
            if page >= min(pages, MAX_LIST_PAGES):
                return
            page += 1

    def get_order(self, order_id: str) -> Json:
        return self._request("GET", self._store(_oms_order(order_id)))

    def start_handling(self, order: str | OrderRef) -> None:
        """POST .../start-handling (204); the store only: a marketplace has no such call."""
        ref = _store_only(order, "start_handling")
        self._request("POST", self._order_url(ref, "/start-handling"))

    def cancel_order(self, order: str | OrderRef, *, reason: str) -> Json:
        """POST .../cancel, at the store or at the marketplace (the same body at both)."""
        ref = OrderRef.of(order)
        return self._request("POST", self._order_url(ref, "/cancel"), body={"reason": reason})

    def send_invoice(
        self,
        order: str | OrderRef,
        *,
        invoice_type: str = "Output",
        number: str,
        value: int,
        issued_at: date,
        items: Sequence[Mapping[str, Any]],
        key: str | None = None,
        url: str | None = None,
        embedded_xml: str | None = None,
        courier: str | None = None,
        tracking_number: str | None = None,
        tracking_url: str | None = None,
        dispatched_date: date | None = None,
    ) -> Json:
        """POST .../invoice, at the store or at the marketplace."""
        ref = OrderRef.of(order)
        body = wire.invoice_body(
            invoice_type=invoice_type,
            number=number,
            # The Orders API types invoiceValue as a string of cents, the marketplace
            # protocol as an integer; VTEX accepts both, each destination gets its spec's.
            value=value if ref.at_marketplace else str(value),
            issued_at=issued_at,
            items=items,
            # invoiceKey, invoiceUrl, embeddedInvoice and dispatchedDate are not in the
            # protocol's schema; the marketplace is a VTEX OMS and reads them as the Orders
            # API does.
            key=key,
            url=url,
            embedded_xml=embedded_xml,
            courier=courier,
            tracking_number=tracking_number,
            tracking_url=tracking_url,
            dispatched_date=dispatched_date,
        )
        return self._request("POST", self._order_url(ref, "/invoice"), body=body)

    def update_invoice_tracking(
        self,
        order: str | OrderRef,
        invoice_number: str,
        *,
        tracking_number: str,
        tracking_url: str | None = None,
        courier: str | None = None,
        dispatched_date: date | None = None,
    ) -> Json:
        """The tracking number of an invoice: PATCH at the store, POST at the marketplace."""
        ref = OrderRef.of(order)
        path = f"/invoice/{segment(invoice_number)}"
        if ref.at_marketplace:
            # The protocol requires all four, as strings: an absent courier or URL is sent
            # empty and an absent dispatch date as now.
            body = {
                "courier": courier or "",
                "trackingNumber": tracking_number,
                "trackingUrl": tracking_url or "",
                "dispatchedDate": wire.iso(dispatched_date or datetime.now(UTC)),
            }
            return self._request("POST", self._order_url(ref, path), body=body)
        # All four fields are required by the Orders API, the last three as nullable.
        body = {
            "trackingNumber": tracking_number,
            "trackingUrl": tracking_url,
            "courier": courier,
            "dispatchedDate": wire.iso(dispatched_date),
        }
        return self._request("PATCH", self._order_url(ref, path), body=body)

    def send_tracking_events(
        self,
        order: str | OrderRef,
        invoice_number: str,
        *,
        is_delivered: bool,
        events: Iterable[Mapping[str, Any]],
        delivered_date: datetime | None = None,
    ) -> Json:
        """Tracking events of an invoice: PUT at the store, POST at the marketplace.

        The marketplace protocol has no ``deliveredDate`` (the marketplace dates the delivery
        by its events): ``delivered_date`` is only sent to the store.
        """
        ref = OrderRef.of(order)
        body: Json = {"isDelivered": is_delivered}
        if not ref.at_marketplace:
            # VTEX documents deliveredDate as "yyyy-mm-dd hh:mm", unlike every other date.
            body["deliveredDate"] = wire.utc_minutes(delivered_date)
        body["events"] = wire.tracking_events(events)
        path = f"/invoice/{segment(invoice_number)}/tracking"
        method = "POST" if ref.at_marketplace else "PUT"
        return self._request(method, self._order_url(ref, path), body=body)

    def register_change(
        self,
        order_id: str,
        *,
        request_id: str,
        reason: str,
        discount_value: int = 0,
        increment_value: int = 0,
        items_removed: Iterable[Mapping[str, Any]] = (),
        items_added: Iterable[Mapping[str, Any]] = (),
    ) -> Json:
        """POST .../changes (RegisterChange): deprecated by VTEX on 2026-03-01; kept for
        stores still on it (the back office's ``VTEX_ORDER_CHANGES_API=legacy``)."""
        body = {
            "requestId": request_id,
            "reason": reason,
            "discountValue": discount_value,
            "incrementValue": increment_value,
            "itemsRemoved": wire.invoice_items(items_removed),
            "itemsAdded": wire.invoice_items(items_added),
        }
        return self._request("POST", self._store(f"{_oms_order(order_id)}/changes"), body=body)

    # --- Order Modifications API (the replacement of RegisterChange) -------------------------
    #
    # VTEX's spec names the account ``accountName`` on Createchange and ``an`` on the others;
    # each is sent as the spec asks. ``change`` is a ``wire.change_body`` (reason, manual
    # discount/increment, add, remove, replace).

    def preview_change(self, order_id: str, *, change: Mapping[str, Any]) -> Json:
        """POST .../changes/preview: the new totals of ``change``; changes nothing at VTEX."""
        return self._request(
            "POST", self._changes(order_id, "/preview"), params=self._an(), body=dict(change)
        )

    def create_change(self, order_id: str, *, change: Mapping[str, Any]) -> Json:
        """PATCH .../changes (202): ``requestId`` and ``workflowId`` of the change, which VTEX
        then processes asynchronously (see ``get_change_detail``)."""
        params = {"accountName": self.config.account_name}
        return self._request("PATCH", self._changes(order_id), params=params, body=dict(change))

    def get_change_history(self, order_id: str) -> Json:
        """GET .../changes: ``requests`` (every change of the order) and ``actions`` (its log)."""
        return self._request("GET", self._changes(order_id), params=self._an())

    def get_change_detail(self, order_id: str, change_request_id: str) -> Json:
        path = self._changes(order_id, f"/{_required(change_request_id, 'change_request_id')}")
        return self._request("GET", path, params=self._an())

    def retry_change(self, order_id: str, change_request_id: str, *, reason: str) -> None:
        """POST .../changes/{changeRequestId}/retry (204): process a change stopped on error
        again (the same change: no duplicate)."""
        path = self._changes(order_id, f"/{_required(change_request_id, 'change_request_id')}")
        self._request("POST", path + "/retry", params=self._an(), body={"reason": reason})

    def cancel_change(self, order_id: str, change_request_id: str, *, reason: str) -> None:
        """POST .../changes/{changeRequestId}/cancel: end a change stopped on error (a change
        VTEX finished cannot be canceled: make a new one instead)."""
        path = self._changes(order_id, f"/{_required(change_request_id, 'change_request_id')}")
        self._request("POST", path + "/cancel", params=self._an(), body={"reason": reason})

    def get_change_settings(self) -> Json:
        return self._request(
            "GET", self._store("/api/order-system/orders/changes/settings"), params=self._an()
        )

    def get_payment_transaction(self, order_id: str) -> Json:
        return self._request("GET", self._store(f"{_oms_order(order_id)}/payment-transaction"))

    def get_transaction_details(self, transaction_id: str) -> Json:
        url = f"{self.config.payments_url}/api/pvt/transactions/{segment(transaction_id)}"
        return self._request("GET", url)

    # --- Feed v3 and hook ------------------------------------------------------------------

    def get_feed_items(self, *, max_lot: int = MAX_FEED_LOT) -> list[Json]:
        if not 1 <= max_lot <= MAX_FEED_LOT:
            raise ValueError(f"max_lot must be within 1..{MAX_FEED_LOT}")
        items = self._request("GET", self._store("/api/orders/feed"), params={"maxlot": max_lot})
        return list(items or [])

    def commit_feed_items(self, handles: Iterable[str]) -> None:
        handles = list(handles)
        if handles:
            self._request("POST", self._store("/api/orders/feed"), body={"handles": handles})

    def get_feed_config(self) -> Json:
        return self._request("GET", self._store("/api/orders/feed/config"))

    def set_feed_config(
        self,
        *,
        statuses: Sequence[str] | None = None,
        expression: str | None = None,
        disable_single_fire: bool = False,
        visibility_timeout: int = 240,
        retention: int = 345600,
    ) -> None:
        body = {
            "filter": wire.feed_filter(statuses, expression, disable_single_fire),
            "queue": {
                "visibilityTimeoutInSeconds": visibility_timeout,
                "MessageRetentionPeriodInSeconds": retention,
            },
        }
        self._request("POST", self._store("/api/orders/feed/config"), body=body)

    def delete_feed_config(self) -> None:
        self._request("DELETE", self._store("/api/orders/feed/config"))

    def get_hook_config(self) -> Json:
        return self._request("GET", self._store("/api/orders/hook/config"))

    def set_hook_config(
        self,
        *,
        url: str,
        headers: Mapping[str, str] | None = None,
        statuses: Sequence[str] | None = None,
        expression: str | None = None,
    ) -> None:
        body = {
            "filter": wire.feed_filter(statuses, expression, disable_single_fire=False),
            "hook": {"url": url, "headers": dict(headers or {})},
        }
        self._request("POST", self._store("/api/orders/hook/config"), body=body)

    def delete_hook_config(self) -> None:
        self._request("DELETE", self._store("/api/orders/hook/config"))

    # --- Catalog and marketplace -----------------------------------------------------------

    def notify_sku_change(self, *, seller_id: str, sku_id: str) -> bool:
        """True when the marketplace binds the seller's SKU ``sku_id``; False (its 404) means:
        send a suggestion. The SKU Bindings route names the seller and its SKU: the Catalog's
        ``changenotification/{skuId}`` reads the id as the marketplace's own SKU, so an
        unrelated SKU of the same number would answer 200."""
        path = (
            f"/api/sku-binding/pvt/skuseller/changenotification/"
            f"{segment(seller_id)}/{segment(sku_id)}"
        )
        try:
            self._request("POST", self._store(path))
        except VtexNotFound:
            return False
        return True

    def send_sku_suggestion(
        self, *, seller_id: str, seller_sku_id: str, suggestion: Mapping[str, Any]
    ) -> None:
        url = (
            f"{self.config.suggestions_url}/suggestions/"
            f"{segment(seller_id)}/{segment(seller_sku_id)}"
        )
        self._request("PUT", url, body=dict(suggestion))

    def get_sku_suggestion(self, *, seller_id: str, seller_sku_id: str) -> Json | None:
        """The pending suggestion (``GetSuggestion``); None once the marketplace approved or
        denied it (VTEX removes decided suggestions: a change notification tells which)."""
        url = (
            f"{self.config.suggestions_url}/suggestions/"
            f"{segment(seller_id)}/{segment(seller_sku_id)}"
        )
        try:
            return self._request("GET", url)
        except VtexNotFound:
            return None

    def notify_price_change(self, *, seller_id: str, sku_id: str) -> None:
        self._request("POST", self._store(_notificator(seller_id, sku_id, "price")))

    def notify_inventory_change(self, *, seller_id: str, sku_id: str) -> None:
        self._request("POST", self._store(_notificator(seller_id, sku_id, "inventory")))

    # --- Transport -------------------------------------------------------------------------

    def _store(self, path: str) -> str:
        return self.config.store_url + path

    def _changes(self, order_id: str, suffix: str = "") -> str:
        order_id = _required(order_id, "order_id")
        return self._store(f"/api/order-system/orders/{order_id}/changes{suffix}")

    def _an(self) -> dict[str, str]:
        return {"an": self.config.account_name}

    def _order_url(self, ref: OrderRef, suffix: str) -> str:
        """The URL of ``suffix`` under the order at its destination."""
        if not ref.order_id:
            # An empty id would send a malformed path (/orders//invoice) with the credentials.
            raise ValueError("an order write needs the order's id at its destination")
        if ref.at_marketplace:
            path = f"/pvt/orders/{segment(ref.order_id)}{suffix}"
            return self._marketplace(ref.services_endpoint, path)
        return self._store(_oms_order(ref.order_id) + suffix)

    def _marketplace(self, services_endpoint: str, path: str) -> str:
        """The URL at a marketplace's services endpoint, where the store's credentials go:
        only over HTTPS to VTEX's own hosts (or to the configured ``base_url``, the sandbox)."""
        url = wire.join_services_endpoint(services_endpoint, path)
        host = _credential_host(url)
        trusted = (
            host is not None
            and host[0] == "https"
            and host[2] is None
            and (
                host[1].endswith(TRUSTED_MARKETPLACE_HOST_SUFFIXES)
                or _own_myvtex_host(host[1], self.config.account_name)
            )
        )
        if self.config.base_url and host is not None:
            trusted = trusted or host == _credential_host(self.config.base_url)
        if not trusted:
            raise VtexRejected(
                f"refusing to send credentials to untrusted marketplace endpoint {url[:200]!r}",
                code="UNTRUSTED_ENDPOINT",
                method="POST",
                path=urlsplit(url).path,
            )
        return url

    def _request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        body: Any = None,
    ) -> Any:
        """Send one VTEX call; return its JSON (``{}`` when empty) or raise a VtexError.

        Only GETs are retried here: a write that timed out may have been applied, and VTEX
        has no idempotency header, so the outbox re-reads the order before trying again.
        """
        path = urlsplit(url).path
        attempts = 1 + (self.config.get_retries if method == "GET" else 0)
        for attempt in range(1, attempts + 1):
            self._wait_out_pause(method, path)
            self._wait_for_slot(method, path)
            try:
                return self._send(method, url, path, params, body)
            except (VtexTransientError, VtexRateLimited) as exc:
                if attempt == attempts:
                    raise
                if isinstance(exc, VtexTransientError):
                    # 429s need no extra delay: the next loop turn waits out the pause.
                    delay = self.config.backoff_base * 2 ** (attempt - 1)
                    time.sleep(random.uniform(delay / 2, delay))
                logger.info(
                    "vtex %s %s retry %d/%d after: %s", method, path, attempt, attempts - 1, exc
                )
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _wait_out_pause(self, method: str, path: str) -> None:
        while (remaining := rate_limit_pause.remaining()) > 0:
            if method != "GET" or remaining > self.config.max_rate_limit_wait:
                raise VtexRateLimited(
                    f"{method} {path}: not sent, VTEX rate limit pause for {remaining:.1f}s",
                    retry_after=remaining,
                    status=429,
                    method=method,
                    path=path,
                )
            time.sleep(remaining)

    def _wait_for_slot(self, method: str, path: str) -> None:
        """Wait until the rate governor lets this request's family send one more."""
        if self.governor is None:
            return
        try:
            self.governor.wait(
                request_family(method, path), max_wait=self.config.max_rate_limit_wait
            )
        except GovernorBusy as busy:
            raise VtexRateLimited(
                f"{method} {path}: not sent, VTEX rate limit of {busy.family} busy for "
                f"{busy.wait:.1f}s",
                retry_after=busy.wait,
                method=method,
                path=path,
            ) from None

    def _send(
        self,
        method: str,
        url: str,
        path: str,
        params: Mapping[str, str | int] | None,
        body: Any,
    ) -> Any:
        started = time.monotonic()
        try:
            response = self.session.request(
                method,
                url,
                params=params,
                json=body,
                headers=self._headers,
                timeout=self.config.timeout,
                # A redirect would resend the AppKey/AppToken headers to wherever it points,
                # and turn a POST into a GET.
                allow_redirects=False,
            )
        except (
            requests.ConnectionError,
            requests.Timeout,
            requests.exceptions.ChunkedEncodingError,
        ) as exc:
            elapsed = (time.monotonic() - started) * 1000
            kind = "timed out" if isinstance(exc, requests.Timeout) else "connection failed"
            logger.warning("vtex %s %s %s after %.0f ms", method, path, kind, elapsed)
            raise VtexTransientError(
                f"{method} {path}: {kind} ({type(exc).__name__})", method=method, path=path
            ) from exc
        elapsed = (time.monotonic() - started) * 1000
        status = response.status_code
        level = logging.DEBUG if method == "GET" and status < 400 else logging.INFO
        logger.log(level, "vtex %s %s -> %d in %.0f ms", method, path, status, elapsed)
        if 200 <= status < 300:
            return self._success_body(response, method, path)
        raise self._error(response, method, path)

    def _success_body(self, response: requests.Response, method: str, path: str) -> Any:
        if not response.content.strip():
            return {}
        try:
            return response.json()
        except ValueError:
            # A 2xx write has been applied whatever its body says; a read that is not JSON
            # came from something in between (a proxy page) and is worth another try.
            if method != "GET":
                return {}
            raise VtexTransientError(
                f"{method} {path}: {response.status_code} with a body that is not JSON",
                status=response.status_code,
                method=method,
                path=path,
            ) from None

    def _error(self, response: requests.Response, method: str, path: str) -> VtexError:
        status = response.status_code
        code, detail = wire.parse_error_body(response)
        text = f"{method} {path}: {status}" + (f" {code}" if code else "")
        text = self.redact(f"{text} {detail}" if detail else text)
        fields: dict[str, Any] = {"status": status, "code": code, "method": method, "path": path}
        if status == 429:
            retry_after = wire.parse_retry_after(response.headers.get("Retry-After"))
            rate_limit_pause.extend(retry_after)
            logger.warning("vtex rate limited on %s %s: pausing %.1fs", method, path, retry_after)
            return VtexRateLimited(text, retry_after=retry_after, **fields)
        if status in (401, 403):
            return VtexAuthError(text, **fields)
        if status == 404:
            return VtexNotFound(text, **fields)
        if 400 <= status < 500:
            return VtexRejected(text, **fields)
        if status >= 500:
            return VtexTransientError(text, **fields)
        return VtexError(text, **fields)

    def redact(self, text: str) -> str:
        """``text`` with this client's AppKey and AppToken replaced by ``***``.

        VTEX's answers may echo request headers back: anything taken from a response and
        kept (a log, an error, a stored attempt) goes through here first.
        """
        if not text:
            return text
        for secret in (self.config.app_key, self.config.app_token):
            if secret:
                text = text.replace(secret, "***")
        return text


def _oms_order(order_id: str) -> str:
    return f"/api/oms/pvt/orders/{segment(order_id)}"


def _required(value: str, name: str) -> str:
    """``value`` as one path segment; an empty one would send a malformed path."""
    if not value:
        raise ValueError(f"{name} is required")
    return segment(value)


def _notificator(seller_id: str, sku_id: str, kind: str) -> str:
    return f"/api/notificator/{segment(seller_id)}/changenotification/{segment(sku_id)}/{kind}"


def _store_only(order: str | OrderRef, operation: str) -> OrderRef:
    ref = OrderRef.of(order)
    if ref.at_marketplace:
        raise ValueError(
            f"{operation} is a call of the store's OMS; a marketplace's services endpoint "
            f"has no such operation (order {ref.order_id!r} at {ref.services_endpoint!r})"
        )
    return ref


def _own_myvtex_host(host: str, account: str) -> bool:
    """``{account}.myvtex.com`` or one of its workspaces, ``{workspace}--{account}.myvtex.com``."""
    if not account or not host.endswith(MYVTEX):
        return False
    name = host.removesuffix(MYVTEX)
    return name == account.lower() or ("." not in name and name.endswith(f"--{account.lower()}"))


def _credential_host(url: str) -> tuple[str, str, int | None] | None:
    """(scheme, host, port) of ``url`` as both Python's parser and the one ``requests`` sends
    with (urllib3) read it; None when they disagree or the URL carries what could make them
    disagree (user info, backslashes, spaces or control characters)."""
    if any(char in url for char in "@\\") or any(
        ord(char) <= 32 or ord(char) == 127 for char in url
    ):
        return None
    try:
        ours = urlsplit(url)
        theirs = parse_url(url)
        ours_port = ours.port
    except ValueError:
        return None
    scheme, host = (ours.scheme or "").lower(), (ours.hostname or "").lower()
    if not host or scheme not in ("http", "https"):
        return None
    if ((theirs.scheme or "").lower(), (theirs.host or "").lower(), theirs.port) != (
        scheme,
        host,
        ours_port,
    ):
        return None
    return scheme, host, ours_port
