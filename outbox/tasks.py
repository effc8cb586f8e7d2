"""Celery entry points of the outbox (dispatched by name: see ``outbox.enqueue``)."""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from celery import shared_task

from outbox.delivery import commands_deliver
from outbox.enqueue import DELIVER_TASK, SWEEP_TASK
from outbox.sweep import commands_sweep

logger = logging.getLogger(__name__)


@shared_task(bind=True, name=DELIVER_TASK)
def commands_deliver_task(self, command_id: int | None = None) -> int:
    """Deliver due commands, the one this task was queued for among them. The outbox owns
    the retry policy, so this task never retries itself: the sweeper hands out what is due."""
    return commands_deliver(task_id=self.request.id or "")


@shared_task(name=SWEEP_TASK)
def commands_sweep_task() -> dict[str, Any]:
    # No run lock is needed: two sweeps at once may hand a command out twice, and the
    # delivery claims it once (FOR UPDATE SKIP LOCKED); the stuck rescue locks its rows.
    result = commands_sweep()
    if result.dispatched or result.unstuck:
        logger.info("commands sweep: %s", result)
    return asdict(result)
