"""Non-overlapping runs of periodic tasks, with a `TaskLock` row that expires."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import TaskLock

logger = logging.getLogger(__name__)


def task_lock_acquire(*, name: str, owner: str, ttl: timedelta) -> bool:
    """Take the lock ``name`` for ``ttl``; False when someone else holds an unexpired one.

    Both paths are single atomic statements, so two workers racing for the lock on
    PostgreSQL or SQLite cannot both win: the INSERT is guarded by the unique name and
    the takeover UPDATE only matches a row whose lock has already expired.
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            TaskLock.objects.create(name=name, owner=owner, acquired_at=now, expires_at=now + ttl)
        return True
    except IntegrityError:
        taken_over = TaskLock.objects.filter(name=name, expires_at__lte=now).update(
            owner=owner, acquired_at=now, expires_at=now + ttl
        )
        return taken_over == 1


def task_lock_release(*, name: str, owner: str) -> None:
    TaskLock.objects.filter(name=name, owner=owner).delete()


@contextmanager
def task_lock(*, name: str, ttl: timedelta) -> Iterator[bool]:
    """``with task_lock(name=..., ttl=...) as acquired:`` run the body only when acquired.

    Must be used outside a transaction: the lock has to be visible to other workers
    while the body runs.
    """
    if not transaction.get_autocommit():
        raise RuntimeError("task_lock must be taken outside a transaction")
    owner = uuid.uuid4().hex
    acquired = task_lock_acquire(name=name, owner=owner, ttl=ttl)
    if not acquired:
        logger.info("lock %s is held by another run; skipping", name)
    try:
        yield acquired
    finally:
        if acquired:
            task_lock_release(name=name, owner=owner)
