"""The VTEX orders hook: VTEX POSTs here on every status change (optional; the feed is the backup).

VTEX wants a 200 within 5 s or it retries, so the view only checks the shared secret and
queues `order_sync`; the task reads the order from VTEX.
"""

import hmac
import json
import logging

from django.conf import settings
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from orders.models import Actor
from orders.tasks import order_sync_task

logger = logging.getLogger(__name__)


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
        body = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"error": "body is not JSON"}, status=400)
    if not isinstance(body, dict):
        return JsonResponse({"error": "body is not a JSON object"}, status=400)
    # Saving the hook configuration makes VTEX send this; anything but 200 refuses the config.
    if body.get("hookConfig") == "ping":
        return JsonResponse({"pong": True})
    order_id = body.get("OrderId") or body.get("orderId")
    if not order_id or not isinstance(order_id, str):
        return JsonResponse({"error": "OrderId missing"}, status=400)
    try:
        # retry=False: a broker that does not answer must not eat VTEX's 5 s budget;
        # a 503 makes VTEX retry the notification, and the feed brings it anyway.
        order_sync_task.apply_async(
            kwargs={"vtex_order_id": order_id, "source": Actor.HOOK.value}, retry=False
        )
    except Exception:
        logger.exception("hook: could not queue the sync of %s", order_id)
        return JsonResponse({"error": "try again"}, status=503)
    return JsonResponse({"queued": order_id})
