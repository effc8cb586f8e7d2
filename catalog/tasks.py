"""Celery entry points of the catalog: thin wrappers that call one service."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings

from catalog.seller.placement import marketplace_orders_expire
from catalog.services.suggestions import suggestions_check
from core.actor import Actor
from core.locks import task_lock

SUGGESTIONS_CHECK = "catalog.suggestions_check"
SELLER_ORDERS_EXPIRE = "catalog.seller_orders_expire"
SELLER_ORDERS_EXPIRE_SECONDS = 300


@shared_task(name=SUGGESTIONS_CHECK)
def suggestions_check_task() -> int | None:
    ttl = timedelta(seconds=settings.CATALOG_SUGGESTION_CHECK_SECONDS)
    with task_lock(name=SUGGESTIONS_CHECK, ttl=ttl) as acquired:
        if not acquired:
            return None
        return suggestions_check(source=Actor.RECONCILE)


@shared_task(name=SELLER_ORDERS_EXPIRE)
def seller_orders_expire_task() -> int | None:
    ttl = timedelta(seconds=SELLER_ORDERS_EXPIRE_SECONDS)
    with task_lock(name=SELLER_ORDERS_EXPIRE, ttl=ttl) as acquired:
        if not acquired:
            return None
        return marketplace_orders_expire()
