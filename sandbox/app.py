"""The WSGI application: VTEX paths (auth, faults, call log) and the `/_sandbox` control API."""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Callable
from urllib.parse import unquote

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from sandbox import catalog, marketplace, modifications, workflow
from sandbox.catalog import TextNotFound
from sandbox.clock import clock, monotonic, parse_datetime, vtex_datetime
from sandbox.documents import payment_transaction, transaction_details
from sandbox.errors import UNAUTHORIZED, ApiError, bad_request, error_envelope
from sandbox.faults import Faults, format_retry_after
from sandbox.feed import MAX_LOT
from sandbox.filters import EventFilter
from sandbox.hook import HookConfig, ping
from sandbox.model import TRANSIENT_STATUSES
from sandbox.store import Options, Store

logger = logging.getLogger(__name__)
JSON = "application/json; charset=utf-8"
ORDERS = "/api/oms/pvt/orders"
CHANGES = "/api/order-system/orders"
# RegisterChange: deprecated by VTEX on 2026-03-01 (support ended 2025-12-31), still served
# for stores that have not moved to the Order Modifications API (RFC 9745's header).
DEPRECATED = {"Deprecation": "@1772323200"}
SERVICES = marketplace.SERVICES_PREFIX + "/pvt/orders"

VTEX_RULES = Map(
    [
        Rule(ORDERS, methods=["GET"], endpoint="list_orders"),
        Rule(f"{ORDERS}/<order_id>", methods=["GET"], endpoint="get_order"),
        Rule(f"{ORDERS}/<order_id>/start-handling", methods=["POST"], endpoint="start_handling"),
        Rule(f"{ORDERS}/<order_id>/cancel", methods=["POST"], endpoint="cancel"),
        Rule(f"{ORDERS}/<order_id>/invoice", methods=["POST"], endpoint="invoice"),
        Rule(f"{ORDERS}/<order_id>/invoice/<number>", methods=["PATCH"], endpoint="tracking"),
        Rule(
            f"{ORDERS}/<order_id>/invoice/<number>/tracking",
            methods=["PUT"],
            endpoint="tracking_events",
        ),
        Rule(f"{ORDERS}/<order_id>/changes", methods=["POST"], endpoint="changes"),
        Rule(f"{CHANGES}/changes/settings", methods=["GET"], endpoint="change_settings_get"),
        Rule(f"{CHANGES}/changes/settings", methods=["PUT"], endpoint="change_settings_set"),
        Rule(f"{CHANGES}/<order_id>/changes", methods=["PATCH"], endpoint="change_create"),
        Rule(f"{CHANGES}/<order_id>/changes", methods=["GET"], endpoint="change_history"),
        Rule(f"{CHANGES}/<order_id>/changes/preview", methods=["POST"], endpoint="change_preview"),
        Rule(
            f"{CHANGES}/<order_id>/changes/<request_id>", methods=["GET"], endpoint="change_detail"
        ),
        Rule(
            f"{CHANGES}/<order_id>/changes/<request_id>/retry",
            methods=["POST"],
            endpoint="change_retry",
        ),
        Rule(
            f"{CHANGES}/<order_id>/changes/<request_id>/cancel",
            methods=["POST"],
            endpoint="change_cancel",
        ),
        Rule(
            f"{ORDERS}/<order_id>/payment-transaction",
            methods=["GET"],
            endpoint="payment_transaction",
        ),
        Rule("/api/pvt/transactions/<transaction_id>", methods=["GET"], endpoint="transaction"),
        Rule("/api/orders/feed", methods=["GET"], endpoint="feed_get"),
        Rule("/api/orders/feed", methods=["POST"], endpoint="feed_commit"),
        Rule("/api/orders/feed/config", methods=["GET"], endpoint="feed_config_get"),
        Rule("/api/orders/feed/config", methods=["POST"], endpoint="feed_config_set"),
        Rule("/api/orders/feed/config", methods=["DELETE"], endpoint="feed_config_delete"),
        Rule("/api/orders/hook/config", methods=["GET"], endpoint="hook_config_get"),
        Rule("/api/orders/hook/config", methods=["POST"], endpoint="hook_config_set"),
        Rule("/api/orders/hook/config", methods=["DELETE"], endpoint="hook_config_delete"),
        Rule(
            "/api/sku-binding/pvt/skuseller/changenotification/<seller_id>/<seller_sku_id>",
            methods=["POST"],
            endpoint="sku_change",
        ),
        Rule(
            "/api/catalog_system/pvt/skuseller/changenotification/<seller_id>/<seller_sku_id>",
            methods=["POST"],
            endpoint="sku_change_catalog",
        ),
        Rule(
            "/api/notificator/<seller_id>/changenotification/<sku_id>/price",
            methods=["POST"],
            endpoint="notify_price",
        ),
        Rule(
            "/api/notificator/<seller_id>/changenotification/<sku_id>/inventory",
            methods=["POST"],
            endpoint="notify_inventory",
        ),
        Rule("/suggestions/<seller_id>/<seller_sku_id>", methods=["PUT"], endpoint="suggestion"),
        Rule(
            "/suggestions/<seller_id>/<seller_sku_id>",
            methods=["GET"],
            endpoint="suggestion_get",
        ),
        Rule(f"{SERVICES}/<mkp_id>/invoice", methods=["POST"], endpoint="mkp_invoice"),
        Rule(f"{SERVICES}/<mkp_id>/invoice/<number>", methods=["POST"], endpoint="mkp_tracking"),
        Rule(
            f"{SERVICES}/<mkp_id>/invoice/<number>/tracking",
            methods=["POST"],
            endpoint="mkp_tracking_status",
        ),
        Rule(f"{SERVICES}/<mkp_id>/cancel", methods=["POST"], endpoint="mkp_cancel"),
    ],
    strict_slashes=False,
)

CONTROL_RULES = Map(
    [
        Rule("/_sandbox/health", methods=["GET"], endpoint="health"),
        Rule("/_sandbox/reset", methods=["POST"], endpoint="reset"),
        Rule("/_sandbox/clock", methods=["GET"], endpoint="clock_get"),
        Rule("/_sandbox/clock", methods=["POST"], endpoint="clock_set"),
        Rule("/_sandbox/calls", methods=["GET"], endpoint="calls"),
        Rule("/_sandbox/calls", methods=["DELETE"], endpoint="calls_clear"),
        Rule("/_sandbox/orders", methods=["GET"], endpoint="orders"),
        Rule("/_sandbox/orders", methods=["POST"], endpoint="orders_create"),
        Rule("/_sandbox/orders/<order_id>", methods=["GET"], endpoint="order"),
        Rule("/_sandbox/orders/<order_id>/status", methods=["POST"], endpoint="order_status"),
        Rule("/_sandbox/faults", methods=["GET"], endpoint="faults_get"),
        Rule("/_sandbox/faults", methods=["PUT"], endpoint="faults_set"),
        Rule("/_sandbox/faults", methods=["DELETE"], endpoint="faults_clear"),
        Rule("/_sandbox/options", methods=["GET"], endpoint="options_get"),
        Rule("/_sandbox/options", methods=["PUT"], endpoint="options_set"),
        Rule("/_sandbox/hook/deliveries", methods=["GET"], endpoint="hook_deliveries"),
        Rule("/_sandbox/catalog/bindings", methods=["GET"], endpoint="bindings_get"),
        Rule("/_sandbox/catalog/bindings", methods=["PUT"], endpoint="bindings_set"),
        Rule("/_sandbox/suggestions", methods=["GET"], endpoint="suggestions"),
        Rule(
            "/_sandbox/suggestions/<seller_id>/<seller_sku_id>/approve",
            methods=["POST"],
            endpoint="suggestion_approve",
        ),
        Rule(
            "/_sandbox/suggestions/<seller_id>/<seller_sku_id>/deny",
            methods=["POST"],
            endpoint="suggestion_deny",
        ),
        Rule("/_sandbox/marketplace/simulation", methods=["POST"], endpoint="mkp_simulate"),
        Rule("/_sandbox/marketplace/orders", methods=["GET"], endpoint="mkp_orders"),
        Rule("/_sandbox/marketplace/orders", methods=["POST"], endpoint="mkp_place"),
        Rule("/_sandbox/marketplace/orders/<mkp_id>", methods=["GET"], endpoint="mkp_order"),
        Rule(
            "/_sandbox/marketplace/orders/<mkp_id>/fulfill",
            methods=["POST"],
            endpoint="mkp_fulfill",
        ),
        Rule(
            "/_sandbox/marketplace/orders/<mkp_id>/cancel",
            methods=["POST"],
            endpoint="mkp_request_cancel",
        ),
    ],
    strict_slashes=False,
)


def json_response(data, status: int = 200, headers: dict | None = None) -> Response:
    return Response(
        json.dumps(data, ensure_ascii=False), status=status, headers=headers, content_type=JSON
    )


def empty(status: int = 200) -> Response:
    """No body, and so no content type: an empty body declared as JSON is unparseable JSON
    to a strict client (an OpenAPI-validating proxy failed on it)."""
    response = Response(b"", status=status)
    del response.headers["Content-Type"]
    return response


def error_response(error: ApiError) -> Response:
    return json_response(error.envelope(), error.status, error.headers)


def _clock_state() -> dict:
    return {"now": vtex_datetime(clock.now()), "offset_seconds": round(clock.offset, 6)}


def read_json(request: Request):
    raw = request.get_data(cache=True)
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError as error:
        raise bad_request(f"The body is not valid JSON: {error}") from error


def _logged_body(request: Request):
    raw = request.get_data(cache=True)
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")


def _drop_connection(environ) -> None:
    """Close the client's socket without an HTTP response (a connection reset mid-request)."""
    sock = environ.get("werkzeug.socket")
    if sock is None:
        raise RuntimeError("dropping connections needs Werkzeug's server")
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        # Already gone; the client sees the same thing.
        return


class SandboxApp:
    def __init__(self, store: Store, *, base_url: Callable[[], str]):
        self.store = store
        self.base_url = base_url

    def __call__(self, environ, start_response):
        request = Request(environ)
        if request.path.startswith("/_sandbox"):
            response = self._control(request)
        else:
            response = self._vtex(request, environ)
        return response(environ, start_response)

    # -- VTEX paths --------------------------------------------------------------------------

    def _vtex(self, request: Request, environ) -> Response:
        store = self.store
        store.advance()
        modifications.advance(store)
        decision = store.faults.decide(request.method, request.path, monotonic())
        if decision.latency:
            time.sleep(decision.latency)
        if decision.kind:
            if decision.after_apply:
                self._authorized(request)
            response = self._fault(decision)
        else:
            response = self._authorized(request)
        # Recorded before a drop closes the socket, so whoever sees the failure sees the call.
        store.record_call(
            method=request.method,
            path=request.path,
            query=request.query_string.decode("latin-1"),
            body=_logged_body(request),
            status=None if decision.kind == "drop" else response.status_code,
        )
        if decision.kind == "drop":
            _drop_connection(environ)
        return response

    def _fault(self, decision) -> Response:
        if decision.kind == "drop":
            # Never reaches the client: the socket is shut before Werkzeug writes it.
            return Response(b"", status=500)
        if decision.kind == "429":
            return json_response(
                error_envelope("429", "Too Many Requests"),
                429,
                {"Retry-After": format_retry_after(decision.retry_after)},
            )
        status = int(decision.kind)
        message = "Internal Server Error" if status == 500 else "Service Unavailable"
        return json_response(error_envelope(str(status), message), status)

    def _authorized(self, request: Request) -> Response:
        store = self.store
        if (
            request.headers.get("X-VTEX-API-AppKey") != store.app_key
            or request.headers.get("X-VTEX-API-AppToken") != store.app_token
        ):
            return json_response(error_envelope(*UNAUTHORIZED), 401)
        try:
            endpoint, args = VTEX_RULES.bind("sandbox").match(request.path, request.method)
        except NotFound:
            return json_response(error_envelope("SBX-NOT-FOUND", "Route not found"), 404)
        except MethodNotAllowed:
            return json_response(error_envelope("SBX-METHOD", "Method not allowed"), 405)
        except HTTPException as error:
            return json_response(error_envelope("SBX-ROUTE", str(error)), error.code or 400)
        args = {key: unquote(value) for key, value in args.items()}
        try:
            return getattr(self, f"vtex_{endpoint}")(request, **args)
        except ApiError as error:
            return error_response(error)
        except TextNotFound as error:
            return Response(error.text, status=404, content_type="text/plain; charset=utf-8")
        except Exception as error:
            # A sandbox bug still answers in VTEX's envelope, so clients parse it as a 500.
            logger.exception("sandbox failed on %s %s", request.method, request.path)
            return json_response(error_envelope("SBX-INTERNAL", repr(error)), 500)

    def vtex_list_orders(self, request):
        return json_response(workflow.list_orders(self.store, request.args))

    def vtex_get_order(self, request, order_id):
        return json_response(workflow.get_order(self.store, order_id))

    def vtex_start_handling(self, request, order_id):
        workflow.start_handling(self.store, order_id)
        return empty(204)

    def vtex_cancel(self, request, order_id):
        return json_response(workflow.cancel(self.store, order_id, read_json(request)))

    def vtex_invoice(self, request, order_id):
        return json_response(workflow.invoice(self.store, order_id, read_json(request)))

    def vtex_tracking(self, request, order_id, number):
        return json_response(
            workflow.update_tracking(self.store, order_id, number, read_json(request))
        )

    def vtex_tracking_events(self, request, order_id, number):
        return json_response(
            workflow.tracking_events(self.store, order_id, number, read_json(request))
        )

    def vtex_changes(self, request, order_id):
        return json_response(
            workflow.register_change(self.store, order_id, read_json(request)),
            headers=DEPRECATED,
        )

    def vtex_change_create(self, request, order_id):
        return json_response(modifications.create(self.store, order_id, read_json(request)), 202)

    def vtex_change_preview(self, request, order_id):
        return json_response(modifications.preview(self.store, order_id, read_json(request)))

    def vtex_change_history(self, request, order_id):
        return json_response(modifications.history(self.store, order_id))

    def vtex_change_detail(self, request, order_id, request_id):
        return json_response(modifications.detail(self.store, order_id, request_id))

    def vtex_change_retry(self, request, order_id, request_id):
        modifications.retry(self.store, order_id, request_id, read_json(request))
        return empty(204)

    def vtex_change_cancel(self, request, order_id, request_id):
        modifications.cancel(self.store, order_id, request_id, read_json(request))
        return empty()

    def vtex_change_settings_get(self, request):
        return json_response(modifications.settings(self.store))

    def vtex_change_settings_set(self, request):
        return json_response(modifications.update_settings(self.store, read_json(request)))

    def vtex_payment_transaction(self, request, order_id):
        with self.store.lock:
            order = self.store.get_order(order_id)
            return json_response(payment_transaction(order, account=self.store.account))

    def vtex_transaction(self, request, transaction_id):
        with self.store.lock:
            order = self.store.by_transaction.get(transaction_id)
            if order is None:
                raise ApiError(404, "SBX-TRANSACTION-NOT-FOUND", "Transaction not found")
            return json_response(transaction_details(order, account=self.store.account))

    # feed v3

    def _feed(self):
        if self.store.feed is None:
            raise ApiError(404, "SBX-FEED-NOT-CONFIGURED", "No feed is configured for this appKey")
        return self.store.feed

    def vtex_feed_get(self, request):
        raw = request.args.get("maxlot")
        try:
            max_lot = int(raw) if raw is not None else None
        except ValueError:
            max_lot = None
        if max_lot is None or not 1 <= max_lot <= MAX_LOT:
            raise bad_request(f"maxlot must be an integer from 1 to {MAX_LOT}", "SBX-FEED-MAXLOT")
        with self.store.lock:
            return json_response(self._feed().receive(max_lot, monotonic()))

    def vtex_feed_commit(self, request):
        body = read_json(request)
        if not isinstance(body, dict) or not isinstance(body.get("handles"), list):
            raise bad_request('Send {"handles": ["..."]}')
        with self.store.lock:
            self._feed().commit([str(handle) for handle in body["handles"]])
        return empty()

    def vtex_feed_config_get(self, request):
        with self.store.lock:
            return json_response(self._feed().describe(monotonic()))

    def vtex_feed_config_set(self, request):
        body = read_json(request)
        if not isinstance(body, dict):
            raise bad_request("The feed configuration must be a JSON object")
        with self.store.lock:
            feed = self.store.make_feed(body)
            previous = self.store.feed
            if previous is not None:
                # Reconfiguring keeps the events already queued until committed or expired.
                feed.adopt_messages(previous)
            self.store.feed = feed
        return empty()

    def vtex_feed_config_delete(self, request):
        with self.store.lock:
            self._feed()
            self.store.feed = None
        return empty()

    # hook

    def vtex_hook_config_get(self, request):
        with self.store.lock:
            if self.store.hook is None:
                raise ApiError(404, "SBX-HOOK-NOT-CONFIGURED", "No hook is configured")
            return json_response(self.store.hook.describe())

    def vtex_hook_config_set(self, request):
        body = read_json(request)
        if not isinstance(body, dict) or not isinstance(body.get("hook"), dict):
            raise bad_request("The hook configuration needs filter and hook {url, headers}")
        event_filter = EventFilter(body.get("filter"))
        url = body["hook"].get("url")
        headers = body["hook"].get("headers") or {}
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise bad_request("hook.url must be an http(s) URL", "SBX-HOOK-URL")
        if not isinstance(headers, dict):
            raise bad_request("hook.headers must be an object")
        headers = {str(k): str(v) for k, v in headers.items()}
        # The ping runs without the store lock: the hook endpoint may call the sandbox.
        accepted, explanation = ping(url, headers)
        if not accepted:
            raise bad_request(explanation, "SBX-HOOK-PING")
        with self.store.lock:
            self.store.hook = HookConfig(event_filter=event_filter, url=url, headers=headers)
        return empty()

    def vtex_hook_config_delete(self, request):
        with self.store.lock:
            if self.store.hook is None:
                raise ApiError(404, "SBX-HOOK-NOT-CONFIGURED", "No hook is configured")
            self.store.hook = None
        return empty()

    # catalog and marketplace APIs

    def vtex_sku_change(self, request, seller_id, seller_sku_id):
        catalog.change_notification(self.store, seller_id, seller_sku_id)
        return empty()

    def vtex_sku_change_catalog(self, request, seller_id, seller_sku_id):
        # The Catalog API's older route of the same notification documents 204 only.
        catalog.change_notification(self.store, seller_id, seller_sku_id)
        return empty(204)

    def vtex_notify_price(self, request, seller_id, sku_id):
        return empty(202)

    def vtex_notify_inventory(self, request, seller_id, sku_id):
        return empty(202)

    def vtex_suggestion(self, request, seller_id, seller_sku_id):
        catalog.save_suggestion(self.store, seller_id, seller_sku_id, read_json(request))
        return empty()

    def vtex_suggestion_get(self, request, seller_id, seller_sku_id):
        return json_response(catalog.get_suggestion(self.store, seller_id, seller_sku_id))

    def vtex_mkp_invoice(self, request, mkp_id):
        return json_response(marketplace.receive_invoice(self.store, mkp_id, read_json(request)))

    def vtex_mkp_tracking(self, request, mkp_id, number):
        return json_response(
            marketplace.receive_tracking(self.store, mkp_id, number, read_json(request))
        )

    def vtex_mkp_tracking_status(self, request, mkp_id, number):
        return json_response(
            marketplace.receive_tracking_status(self.store, mkp_id, number, read_json(request))
        )

    def vtex_mkp_cancel(self, request, mkp_id):
        return json_response(marketplace.receive_cancel(self.store, mkp_id, read_json(request)))

    # -- control API -------------------------------------------------------------------------

    def _control(self, request: Request) -> Response:
        try:
            endpoint, args = CONTROL_RULES.bind("sandbox").match(request.path, request.method)
        except NotFound:
            return json_response(error_envelope("SBX-NOT-FOUND", "Route not found"), 404)
        except MethodNotAllowed:
            return json_response(error_envelope("SBX-METHOD", "Method not allowed"), 405)
        except HTTPException as error:
            return json_response(error_envelope("SBX-ROUTE", str(error)), error.code or 400)
        args = {key: unquote(value) for key, value in args.items()}
        self.store.advance()
        modifications.advance(self.store)
        try:
            return getattr(self, f"control_{endpoint}")(request, **args)
        except ApiError as error:
            return error_response(error)

    def _body(self, request: Request) -> dict:
        body = read_json(request)
        if body is None:
            return {}
        if not isinstance(body, dict):
            raise bad_request("The request body must be a JSON object")
        return body

    def control_health(self, request):
        with self.store.lock:
            return json_response(
                {"status": "ok", "orders": len(self.store.orders), "account": self.store.account}
            )

    def control_reset(self, request):
        body = self._body(request)
        orders, seed = body.get("orders", 0), body.get("seed", self.store.defaults.seed)
        days = body.get("days")
        if not isinstance(orders, int) or orders < 0 or not isinstance(seed, int):
            raise bad_request("orders must be an integer >= 0 and seed an integer")
        if days is not None and (not isinstance(days, int | float) or days <= 0):
            raise bad_request("days must be a positive number")
        self.store.reset(orders=orders, seed=seed, days=days)
        return json_response({"orders": len(self.store.orders), "seed": seed})

    def control_clock_get(self, request):
        return json_response(_clock_state())

    def control_clock_set(self, request):
        """Move the sandbox's time forward: ``{"advance": seconds}`` or ``{"now": iso}``."""
        body = self._body(request)
        if set(body) - {"advance", "now"} or len(body) != 1:
            raise bad_request('Send either {"advance": seconds} or {"now": "<ISO 8601 date>"}')
        try:
            if "advance" in body:
                seconds = body["advance"]
                if not isinstance(seconds, int | float) or isinstance(seconds, bool):
                    raise bad_request("advance must be a number of seconds")
                clock.advance(seconds)
            else:
                moment = body["now"]
                if not isinstance(moment, str):
                    raise bad_request("now must be an ISO 8601 date")
                try:
                    parsed = parse_datetime(moment)
                except ValueError:
                    raise bad_request(f"now is not an ISO 8601 date: {moment[:64]}") from None
                clock.set(parsed)
        except ValueError as error:
            raise bad_request(f"{str(error).capitalize()}") from None
        # What fell due meanwhile happens now, as at the start of any request.
        self.store.advance()
        modifications.advance(self.store)
        return json_response(_clock_state())

    def control_calls(self, request):
        method = request.args.get("method", "").upper()
        contains = request.args.get("path_contains", "")
        with self.store.lock:
            calls = [
                call
                for call in self.store.calls
                if (not method or call["method"] == method) and contains in call["path"]
            ]
        return json_response({"calls": calls})

    def control_calls_clear(self, request):
        with self.store.lock:
            self.store.calls.clear()
        return json_response({"calls": []})

    def control_orders(self, request):
        status = request.args.get("status")
        with self.store.lock:
            orders = [
                workflow.order_summary(order)
                for order in self.store.orders.values()
                if not status or order.status == status
            ]
        return json_response({"orders": orders})

    def control_orders_create(self, request):
        body = self._body(request)
        count = body.get("count", 1)
        status = body.get("status", "ready-for-handling")
        if not isinstance(count, int) or count < 1 or not isinstance(status, str):
            raise bad_request("count must be a positive integer and status a string")
        if status in TRANSIENT_STATUSES:
            raise bad_request(
                f"{status} is transient: create orders in a stable status and act on them, "
                "or force it with POST /_sandbox/orders/{orderId}/status"
            )
        try:
            created_from, created_to = (
                parse_datetime(body[key]) if body.get(key) else None
                for key in ("created_from", "created_to")
            )
        except ValueError as error:
            raise bad_request(f"Invalid date: {error}") from error
        ids = self.store.create_orders(
            count=count, status=status, created_from=created_from, created_to=created_to
        )
        return json_response({"orderIds": ids})

    def control_order(self, request, order_id):
        return json_response(workflow.order_inspection(self.store, order_id))

    def control_order_status(self, request, order_id):
        body = self._body(request)
        return json_response(workflow.force_status(self.store, order_id, body.get("status")))

    def control_faults_get(self, request):
        return json_response(self.store.faults.faults.as_dict())

    def control_faults_set(self, request):
        try:
            faults = Faults.from_dict(self._body(request))
        except TypeError as error:
            raise bad_request(str(error)) from error
        self.store.faults.configure(faults)
        return json_response(faults.as_dict())

    def control_faults_clear(self, request):
        self.store.faults.configure(Faults())
        return json_response(Faults().as_dict())

    def control_options_get(self, request):
        with self.store.lock:
            return json_response(vars(self.store.options))

    def control_options_set(self, request):
        body = self._body(request)
        with self.store.lock:
            self.store.options = Options.merged(self.store.options, body)
            return json_response(vars(self.store.options))

    def control_hook_deliveries(self, request):
        return json_response({"deliveries": list(self.store.hooks.deliveries)})

    def control_bindings_get(self, request):
        return json_response(catalog.describe_bindings(self.store))

    def control_bindings_set(self, request):
        return json_response(catalog.set_bindings(self.store, self._body(request)))

    def control_suggestions(self, request):
        return json_response({"suggestions": catalog.list_suggestions(self.store)})

    def control_suggestion_approve(self, request, seller_id, seller_sku_id):
        return json_response(catalog.decide_suggestion(self.store, seller_id, seller_sku_id, True))

    def control_suggestion_deny(self, request, seller_id, seller_sku_id):
        return json_response(catalog.decide_suggestion(self.store, seller_id, seller_sku_id, False))

    def control_mkp_simulate(self, request):
        return json_response(marketplace.simulate(self.store, self._body(request)))

    def control_mkp_orders(self, request):
        return json_response({"orders": marketplace.describe(self.store)})

    def control_mkp_place(self, request):
        return json_response(
            marketplace.place_order(self.store, self._body(request), base_url=self.base_url())
        )

    def control_mkp_order(self, request, mkp_id):
        return json_response(marketplace.describe(self.store, mkp_id))

    def control_mkp_fulfill(self, request, mkp_id):
        return json_response(
            marketplace.authorize_fulfillment(self.store, mkp_id, self._body(request))
        )

    def control_mkp_request_cancel(self, request, mkp_id):
        return json_response(
            marketplace.request_cancellation(self.store, mkp_id, self._body(request))
        )
