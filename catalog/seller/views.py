"""The seller endpoints a VTEX marketplace calls (fulfillment endpoint: ``{back office}/seller``).

Every answer is JSON: 200 with the spec's body, or VTEX's error envelope
``{"error": {"code", "message", "exception"}}``: 401 without the marketplace's credentials,
400 for a body the protocol does not allow or a request the seller refuses (the message names
the field or the reason), 404 for an order the seller does not have, 405 for another verb,
413 for an oversized body. Log lines name order ids only, never a body (customer data) nor
the credentials.
"""

from __future__ import annotations

import functools
import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from catalog.seller.auth import marketplace_authenticated
from catalog.seller.placement import (
    OrderNotFound,
    marketplace_order_cancel_request,
    marketplace_order_fulfill,
    marketplace_order_place,
)
from catalog.seller.protocol import (
    BadRequest,
    marketplace_request_read,
    path_id_check,
    placement_answer,
    placements_read,
    simulation_request_read,
    text_check,
)
from catalog.seller.simulation import fulfillment_simulation
from orders.models import OrderEvent
from orders.services.marketplace import MarketplaceOrderRefused

logger = logging.getLogger(__name__)


def error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(
        {"error": {"code": code, "message": message, "exception": None}}, status=status
    )


def seller_endpoint(*methods: str) -> Callable:
    """The verbs a view answers; the marketplace's credentials; errors as VTEX's envelope."""

    def decorate(view: Callable[..., JsonResponse]) -> Callable[..., JsonResponse]:
        @csrf_exempt
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
            if request.method not in methods:
                response = error(
                    405, "METHOD_NOT_ALLOWED", f"{request.method} is not allowed on this route"
                )
                response["Allow"] = ", ".join(methods)
                return response
            if not marketplace_authenticated(request):
                return error(401, "UNAUTHORIZED", "Unauthorized: wrong or missing AppKey/AppToken")
            try:
                if "order_id" in kwargs:
                    path_id_check(kwargs["order_id"])
                return view(request, *args, **kwargs)
            except BadRequest as refused:
                return error(400, "BAD_REQUEST", refused.message)
            except MarketplaceOrderRefused as refused:
                logger.info("seller: %s refused: %s", request.path, refused.code)
                return error(400, refused.code, refused.message)
            except OrderNotFound as missing:
                return error(404, "ORDER_NOT_FOUND", f"Order {missing} was not found")
            except RequestDataTooBig:
                return error(413, "TOO_LARGE", "The request body is too large")

        return wrapped

    return decorate


def _json(text: str | bytes, what: str) -> Any:
    """The JSON the marketplace sent, refused (400) when it is not JSON or carries characters
    no field may hold (``protocol.text_check``)."""
    try:
        body = json.loads(text)
    except (ValueError, RecursionError):
        raise BadRequest(f"{what} is not JSON") from None
    text_check(body)
    return body


def _json_body(request: HttpRequest) -> Any:
    return _json(request.body or b"null", "The body")


@seller_endpoint("GET", "POST")
def simulation(request: HttpRequest) -> JsonResponse:
    """POST with the cart, or GET with it URL-encoded in ``purchaseContext`` (VTEX caches it)."""
    if request.method == "GET":
        context = request.GET.get("purchaseContext")
        if not context:
            raise BadRequest("purchaseContext (the cart as URL-encoded JSON) is required")
        body = _json(context, "purchaseContext")
    else:
        body = _json_body(request)
    return JsonResponse(fulfillment_simulation(request=simulation_request_read(body)))


@seller_endpoint("POST")
def orders(request: HttpRequest) -> JsonResponse:
    """Order placement; answers the order(s) as sent, each with the seller's ``orderId``."""
    placements, as_list = placements_read(_json_body(request))
    # The list's orders are placed all or none: one refused (a 400 to the marketplace) rolls
    # back the others, so nothing stays held for orders the marketplace was told failed.
    with transaction.atomic():
        placed = [marketplace_order_place(placement=placement) for placement in placements]
    answers = []
    for placement, one in zip(placements, placed, strict=True):
        logger.info(
            "seller: marketplace order %s placed as %s%s",
            placement.marketplace_order_id,
            one.order.vtex_order_id,
            "" if one.created else " (again: nothing new)",
        )
        answers.append(placement_answer(placement, order_id=one.order.vtex_order_id))
    return JsonResponse(answers if as_list else answers[0], safe=False)


@seller_endpoint("POST")
def fulfill(request: HttpRequest, order_id: str) -> JsonResponse:
    """The marketplace authorizes dispatch: the order becomes ready for handling."""
    event = marketplace_order_fulfill(
        order_id=order_id, request=marketplace_request_read(_json_body(request))
    )
    return _receipt(event)


@seller_endpoint("POST")
def cancel(request: HttpRequest, order_id: str) -> JsonResponse:
    """The marketplace cancels; refused (400) once the seller invoiced."""
    event = marketplace_order_cancel_request(
        order_id=order_id, request=marketplace_request_read(_json_body(request))
    )
    return _receipt(event)


@csrf_exempt
def unknown_route(request: HttpRequest) -> JsonResponse:
    return error(404, "ROUTE_NOT_FOUND", f"No seller endpoint at {request.path}")


# What the seller answers when Django itself answers an error under the seller endpoints
# (``backoffice.errors``): a request Django refuses before the view (400, 403) or a failure
# inside one (500, logged by Django with its traceback; nothing of it in the answer).
FAILURES = {
    400: ("BAD_REQUEST", "The request is malformed"),
    403: ("FORBIDDEN", "The request is forbidden"),
    404: ("ROUTE_NOT_FOUND", "No seller endpoint at this path"),
    500: ("INTERNAL_ERROR", "The seller failed to answer; the error is logged on its side"),
}


def failure(status: int) -> JsonResponse:
    return error(status, *FAILURES[status])


def is_seller_path(request: HttpRequest) -> bool:
    return request.path_info.startswith(reverse("seller:unknown"))


def _receipt(event: OrderEvent) -> JsonResponse:
    order = event.order
    return JsonResponse(
        {
            "date": event.created_at.isoformat(),
            "marketplaceOrderId": order.marketplace_order_id,
            "orderId": order.vtex_order_id,
            # A status change the seller made itself (its own cancellation) has no receipt.
            "receipt": event.receipt or uuid.uuid5(uuid.NAMESPACE_URL, f"event:{event.pk}").hex,
        }
    )
