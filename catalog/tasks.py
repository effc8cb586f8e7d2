"""Celery entry points of the catalog: thin wrappers that call one service."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings

from catalog.services.suggestions import suggestions_check
from orders.models import Actor
from orders.services.locks import task_lock

SUGGESTIONS_CHECK = "catalog.suggestions_check"


@shared_task(name=SUGGESTIONS_CHECK)
def suggestions_check_task() -> int | None:
    ttl = timedelta(seconds=settings.CATALOG_SUGGESTION_CHECK_SECONDS)
    with task_lock(name=SUGGESTIONS_CHECK, ttl=ttl) as acquired:
        if not acquired:
            return None
        return suggestions_check(source=Actor.RECONCILE)
