"""The VTEX orders hook: VTEX POSTs here on every status change (optional; the feed is the backup).

VTEX wants a 200 within 5 s or it retries, so the view only checks the shared secret, the
size of the body and the shape of the order id, and queues `order_sync` (once per order while
one is waiting, nothing for a change the mirror already holds: ``order_sync_enqueue``); the
task reads the order from VTEX. Log lines name the order id only: never the body (its
``Origin`` carries the appKey) nor an error's text.
"""

import hmac
import json
import logging
import re
from datetime import datetime

from django.conf import settings
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.actor import Actor
from orders.documents import parse_vtex_datetime
from orders.tasks import ORDER_SYNC_ALREADY_QUEUED, ORDER_SYNC_UP_TO_DATE, order_sync_enqueue

logger = logging.getLogger(__name__)

# A notification is some 300 bytes ({Domain, OrderId, State, LastState, LastChange,
# CurrentChange, Origin}); nothing VTEX sends comes near this.
HOOK_MAX_BODY_BYTES = 4 * 1024
# VTEX order ids: `1172452900788-01`, `v502556llux-01`, seller side `00-v502556llux-01`,
# `FRN-...`. At most as long as the mirror's column.
ORDER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
# VTEX's dates (``2026-11-28T12:00:01.0000000Z``); anything else is ignored unread (and unlogged).
VTEX_DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})?")


@csrf_exempt
@require_POST
def order_hook(request: HttpRequest) -> JsonResponse:
    secret = settings.ORDERS_HOOK_SECRET
    if not secret:
        raise Http404("hook disabled")
    given = request.headers.get(settings.ORDERS_HOOK_SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), secret.encode()):
        return JsonResponse({"error": "unauthorized"}, status=401)
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return JsonResponse({"error": "Content-Length is not a number"}, status=400)
    # Checked before the body is read, and again after (a server may not declare it).
    if declared > HOOK_MAX_BODY_BYTES or len(request.body) > HOOK_MAX_BODY_BYTES:
        return JsonResponse({"error": f"body larger than {HOOK_MAX_BODY_BYTES} bytes"}, status=413)
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, RecursionError):
        return JsonResponse({"error": "body is not JSON"}, status=400)
    if not isinstance(body, dict):
        return JsonResponse({"error": "body is not a JSON object"}, status=400)
    # Saving the hook configuration makes VTEX send this; anything but 200 refuses the config.
    if body.get("hookConfig") == "ping":
        return JsonResponse({"pong": True})
    order_id = body.get("OrderId") or body.get("orderId")
    if not order_id or not isinstance(order_id, str):
        return JsonResponse({"error": "OrderId missing"}, status=400)
    if not ORDER_ID.fullmatch(order_id):
        return JsonResponse(
            {
                "error": "OrderId is not a VTEX order id (letters, digits, '-' and '_', "
                "at most 64 characters)"
            },
            status=400,
        )
    try:
        outcome = order_sync_enqueue(
            vtex_order_id=order_id,
            source=Actor.HOOK.value,
            current_change=notified_date(body, "CurrentChange"),
            last_change=notified_date(body, "LastChange"),
        )
    except Exception as error:
        # The error's text may name the broker's URL: its class is enough to go on.
        logger.error(
            "hook: could not queue the sync of order %s (%s)", order_id, type(error).__name__
        )
        # A 503 makes VTEX notify again, and the feed brings the change anyway.
        return JsonResponse({"error": "try again"}, status=503)
    if outcome == ORDER_SYNC_UP_TO_DATE:
        logger.info("hook: order %s already holds this change; nothing queued", order_id)
        return JsonResponse({"up_to_date": order_id})
    if outcome == ORDER_SYNC_ALREADY_QUEUED:
        logger.info("hook: order %s already has a sync waiting; nothing queued", order_id)
        return JsonResponse({"already_queued": order_id})
    logger.info("hook: order %s: sync queued", order_id)
    return JsonResponse({"queued": order_id})


def notified_date(body: dict, key: str) -> datetime | None:
    """A date of the notification, or None when absent or not a VTEX date (the sync then
    decides by the time of the last read alone)."""
    value = body.get(key)
    if not isinstance(value, str) or not VTEX_DATE.fullmatch(value):
        return None
    return parse_vtex_datetime(value)
