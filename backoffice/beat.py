"""The beat scheduler: the database schedule (django-celery-beat), run by one beat at a time.

Exactly one beat must run for the whole deployment. A second one started by mistake (a unit
enabled on two machines, a `make run` pointed at the production broker) would send every
periodic task twice. So a beat schedules only while it holds a lease, a `TaskLock` row in the
database every beat shares (PostgreSQL in production, the SQLite file with `make run`); it
renews the lease on every tick. The others tick without scheduling anything and take the lease
over once it expires, that is `BEAT_LEASE_SECONDS` after the active beat stopped renewing it,
so a standby beat on a second machine is also a way to survive a machine's loss.
"""

from __future__ import annotations

import logging
import socket
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django.utils import timezone
from django_celery_beat.schedulers import DatabaseScheduler

from core.locks import task_lock_acquire, task_lock_release
from core.models import TaskLock

logger = logging.getLogger(__name__)

BEAT_LEASE = "celery.beat"


class SingleBeatScheduler(DatabaseScheduler):
    def __init__(self, *args, **kwargs):
        self.lease_owner = f"{socket.gethostname()}:{uuid.uuid4().hex}"
        self.lease_held: bool | None = None  # not asked yet: the first tick says which
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs) -> float:
        held = self.lease_renew()
        if held != self.lease_held:
            if held:
                logger.info("beat %s holds the lease: scheduling", self.lease_owner)
                # The schedule in memory is as old as this beat's last active tick; the one
                # that held the lease recorded its runs in the database since.
                self._initial_read = True
            else:
                logger.warning(
                    "another beat holds the lease (%s): this one schedules nothing", BEAT_LEASE
                )
            self.lease_held = held
        if not held:
            return self.max_interval
        return super().tick(*args, **kwargs)

    def lease_renew(self) -> bool:
        """Extend this beat's lease, or take it when free or expired; False when another
        beat holds it or the database does not answer (then nobody can be sure)."""
        ttl = timedelta(seconds=settings.BEAT_LEASE_SECONDS)
        try:
            close_old_connections()
            now = timezone.now()
            renewed = TaskLock.objects.filter(name=BEAT_LEASE, owner=self.lease_owner).update(
                expires_at=now + ttl
            )
            return renewed == 1 or task_lock_acquire(
                name=BEAT_LEASE, owner=self.lease_owner, ttl=ttl
            )
        except DatabaseError as error:
            logger.warning("beat lease: the database did not answer (%s)", error)
            return False

    def close(self) -> None:
        super().close()
        if self.lease_held:
            # A standby beat takes over at its next tick instead of after the lease expires.
            try:
                task_lock_release(name=BEAT_LEASE, owner=self.lease_owner)
            except DatabaseError as error:
                logger.warning("beat lease not released (%s): it expires by itself", error)
