"""Periodic tasks, declared in code and synced into django-celery-beat's tables.

Beat runs with the database scheduler, so operators see these in the admin
(Periodic tasks) and can pause them. `periodic_tasks_sync` runs after every
`migrate` (post_migrate, see `OrdersConfig.ready`): it creates missing tasks and
brings the task name, schedule, arguments and description in line with the code,
but never touches `enabled`, which belongs to the operators.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_noop

from imports.services import SWEEP_TASK as IMPORTS_SWEEP_TASK
from orders import tasks
from outbox.enqueue import SWEEP_TASK

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Every:
    seconds: int


@dataclass(frozen=True)
class Crontab:
    minute: str = "0"
    hour: str = "*"
    day_of_week: str = "*"
    day_of_month: str = "*"
    month_of_year: str = "*"
    timezone: str = "America/Sao_Paulo"


@dataclass(frozen=True)
class PeriodicDeclaration:
    # The row's identity in django-celery-beat (renaming creates a new row): stored in English,
    # shown in the operator's language by the periodic task list (orders.admin.periodic).
    name: str
    task: str
    schedule: Every | Crontab
    description: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    # A message still queued after this long is dropped: the next run is already coming.
    expire_seconds: int | None = None


DECLARATIONS: list[PeriodicDeclaration] = [
    PeriodicDeclaration(
        name=gettext_noop("orders: drain the VTEX orders feed"),
        task=tasks.FEED_DRAIN,
        schedule=Every(seconds=60),
        description="Every minute: read the VTEX feed until it is empty and mirror the orders.",
        expire_seconds=60,
    ),
    PeriodicDeclaration(
        name=gettext_noop("orders: reconcile stale orders"),
        task=tasks.ORDERS_RECONCILE,
        schedule=Every(seconds=3600),
        description=(
            "Hourly: re-read orders not in a final status that have not changed for "
            "ORDERS_RECONCILE_AFTER_HOURS hours."
        ),
        expire_seconds=3600,
    ),
    PeriodicDeclaration(
        name=gettext_noop("orders: nightly backfill of recent orders"),
        task=tasks.ORDERS_BACKFILL_RECENT,
        schedule=Crontab(minute="30", hour="3"),
        description=(
            "Nightly at 03:30 (São Paulo): re-read every order created in the last "
            "ORDERS_BACKFILL_NIGHTLY_DAYS days."
        ),
        expire_seconds=6 * 3600,
    ),
    PeriodicDeclaration(
        name=gettext_noop("orders: deliver due VTEX commands"),
        task=SWEEP_TASK,
        schedule=Every(seconds=settings.VTEX_COMMAND_SWEEP_SECONDS),
        description=(
            "Every VTEX_COMMAND_SWEEP_SECONDS: hand out the outbox commands that are due "
            "(retries after backoff, lost broker messages) and rescue those stuck in sending."
        ),
        expire_seconds=settings.VTEX_COMMAND_SWEEP_SECONDS,
    ),
    PeriodicDeclaration(
        name=gettext_noop("imports: end or resume stuck import batches"),
        task=IMPORTS_SWEEP_TASK,
        schedule=Every(seconds=settings.IMPORTS_SWEEP_SECONDS),
        description=(
            "Every IMPORTS_SWEEP_SECONDS: hand the import batches stuck waiting, checking or "
            "importing (a lost message, a dead worker) to a worker again, or end them failed "
            "with the reason; discard the checked batches nobody confirmed for "
            "IMPORTS_UNCONFIRMED_DAYS days."
        ),
        expire_seconds=settings.IMPORTS_SWEEP_SECONDS,
    ),
]


def periodic_tasks_sync(
    *, using: str = "default", declarations: Sequence[PeriodicDeclaration] | None = None
) -> list[str]:
    """Create or update the declared periodic tasks (the orders' unless another app passes
    its ``declarations``); returns the names created."""
    from django_celery_beat.models import (
        CrontabSchedule,
        IntervalSchedule,
        PeriodicTask,
    )

    created_names: list[str] = []
    with transaction.atomic(using=using):
        for declaration in DECLARATIONS if declarations is None else declarations:
            schedule_fields: dict[str, Any] = {
                "interval": None,
                "crontab": None,
                "solar": None,
                "clocked": None,
            }
            if isinstance(declaration.schedule, Every):
                schedule_fields["interval"], _ = IntervalSchedule.objects.using(
                    using
                ).get_or_create(every=declaration.schedule.seconds, period=IntervalSchedule.SECONDS)
            else:
                cron = declaration.schedule
                schedule_fields["crontab"], _ = CrontabSchedule.objects.using(using).get_or_create(
                    minute=cron.minute,
                    hour=cron.hour,
                    day_of_week=cron.day_of_week,
                    day_of_month=cron.day_of_month,
                    month_of_year=cron.month_of_year,
                    timezone=cron.timezone,
                )
            wanted = {
                "task": declaration.task,
                "kwargs": json.dumps(declaration.kwargs, sort_keys=True),
                "description": declaration.description,
                "expire_seconds": declaration.expire_seconds,
                **schedule_fields,
            }
            periodic = (
                PeriodicTask.objects.using(using)
                .select_for_update()
                .filter(name=declaration.name)
                .first()
            )
            if periodic is None:
                PeriodicTask.objects.using(using).create(
                    name=declaration.name, enabled=True, **wanted
                )
                created_names.append(declaration.name)
                continue
            changed = [name for name, value in wanted.items() if getattr(periodic, name) != value]
            if changed:
                for name in changed:
                    setattr(periodic, name, wanted[name])
                # save() (not update()) so django-celery-beat notices and reloads its schedule.
                periodic.save(using=using)
    if created_names:
        logger.info("periodic tasks created: %s", ", ".join(created_names))
    return created_names
