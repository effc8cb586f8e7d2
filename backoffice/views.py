"""The back office's own pages: the admin's home (the dashboard) and ``/healthz``."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from backoffice.celery import app as celery_app
from backoffice.dashboard import dashboard_context
from core.vtex import vtex_client
from orders.selectors.queues import feed_health
from outbox.selectors import outbox_last_delivery
from vtex import VtexAuthError, VtexError, VtexNotFound, VtexRateLimited

logger = logging.getLogger(__name__)


def dashboard(request: HttpRequest) -> HttpResponse:
    """The admin's index: served at /admin/ in place of Django's list of models (the models
    are listed at the bottom and in the navigation sidebar)."""
    context = {
        **admin.site.each_context(request),
        "title": _("What needs you today"),
        "app_list": admin.site.get_app_list(request),
        **dashboard_context(user=request.user),
    }
    return TemplateResponse(request, "admin/dashboard.html", context)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Database, broker, the orders feed's last successful drain, VTEX, and whether workers take
    the outbox's commands: 200 when every one is up, 503 when one is down. No login; it names
    what failed, never a URL or a secret."""
    checks = {
        "database": _check_database(),
        "broker": _check_broker(),
        "feed": _check_feed(),
        "vtex": _check_vtex(),
        "outbox": _check_outbox(),
    }
    up = all(check["ok"] for check in checks.values())
    return JsonResponse({"ok": up, "checks": checks}, status=200 if up else 503)


def _check_database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        logger.warning("healthz: database down: %s", type(error).__name__)
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True}


def _check_broker() -> dict[str, Any]:
    # The error's class only: a broker's message may carry its URL, password included.
    try:
        with celery_app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=3)
    except Exception as error:  # kombu raises the transport's own errors
        logger.warning("healthz: broker down: %s", type(error).__name__)
        return {"ok": False, "error": type(error).__name__}
    return {"ok": True}


def _check_feed() -> dict[str, Any]:
    health = feed_health()
    now = timezone.now()
    if health is None or health.last_success_at is None:
        return {"ok": False, "last_success_at": None, "error": "never drained successfully"}
    behind = now - health.last_success_at
    check: dict[str, Any] = {
        "ok": behind <= timedelta(minutes=settings.FEED_STALE_MINUTES),
        "last_success_at": health.last_success_at.isoformat(),
        "seconds_behind": int(behind.total_seconds()),
        "last_outcome": health.last_outcome,
    }
    if health.last_outcome and health.last_outcome != "succeeded":
        check["failures_in_a_row"] = health.failures_in_a_row
    return check


VTEX_CHECK_CACHE_KEY = "healthz:vtex"


def _check_vtex() -> dict[str, Any]:
    """VTEX's answer to the last probe, kept ``HEALTHZ_VTEX_CACHE_SECONDS``: /healthz needs no
    login, and each probe is an authenticated call that counts against the store's VTEX rate
    limit, so a flood of /healthz requests must not become a flood of calls to VTEX."""
    check = cache.get(VTEX_CHECK_CACHE_KEY)
    if check is None:
        check = _probe_vtex()
        cache.set(VTEX_CHECK_CACHE_KEY, check, settings.HEALTHZ_VTEX_CACHE_SECONDS)
    return check


def _probe_vtex() -> dict[str, Any]:
    """One GET of the feed configuration, without retries: cheap, read-only, authenticated."""
    client = vtex_client(
        timeout=settings.HEALTHZ_VTEX_TIMEOUT_SECONDS, get_retries=0, max_rate_limit_wait=0
    )
    try:
        client.get_feed_config()
    except VtexNotFound:
        return {"ok": True, "note": "no feed configuration yet"}
    except VtexRateLimited:
        return {"ok": True, "note": "rate limited"}
    except VtexAuthError as error:
        return {"ok": False, "error": "credentials refused", "status": error.status}
    except VtexError as error:
        return {"ok": False, "error": "unreachable", "status": error.status}
    return {"ok": True}


def _check_outbox() -> dict[str, Any]:
    """Stalled when a command has been due for longer than the stuck-command limit (at least
    10 minutes) with no attempt meanwhile: no worker is taking commands."""
    delivery = outbox_last_delivery()
    after = timedelta(seconds=max(settings.VTEX_COMMAND_STUCK_SECONDS, 600))
    check: dict[str, Any] = {"ok": not delivery.stalled(after=after), "due": delivery.due}
    if delivery.oldest_due_at is not None:
        waited = delivery.checked_at - delivery.oldest_due_at
        check["oldest_due_seconds"] = int(waited.total_seconds())
    return check
