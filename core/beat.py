"""Periodic tasks, declared in code by each app and synced into django-celery-beat's tables.

Beat runs with the database scheduler, so operators see these in the admin (Periodic tasks)
and can pause them. Each app declares its own in ``<app>/periodic.py`` (``DECLARATIONS``, a
list of ``PeriodicDeclaration``); after every ``migrate`` (post_migrate, connected by
``CoreConfig.ready``) each app's are synced: missing tasks are created, and the task name,
schedule, arguments and description brought in line with the code, but ``enabled`` is never
touched: it belongs to the operators.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from django.apps import AppConfig, apps
from django.db import connections, transaction
from django.utils.module_loading import module_has_submodule

logger = logging.getLogger(__name__)

# The module of an app that declares its periodic tasks, and the list it holds.
DECLARING_MODULE = "periodic"


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


def app_declarations(app_config: AppConfig) -> list[PeriodicDeclaration]:
    """The periodic tasks ``app_config``'s app declares (none without a ``periodic`` module)."""
    if app_config.module is None or not module_has_submodule(app_config.module, DECLARING_MODULE):
        return []
    return list(import_module(f"{app_config.name}.{DECLARING_MODULE}").DECLARATIONS)


def periodic_declarations() -> list[PeriodicDeclaration]:
    """Every installed app's periodic tasks, in the order of INSTALLED_APPS."""
    return [
        declaration
        for app_config in apps.get_app_configs()
        for declaration in app_declarations(app_config)
    ]


def periodic_tasks_sync(
    *, using: str = "default", declarations: Sequence[PeriodicDeclaration] | None = None
) -> list[str]:
    """Create or update the declared periodic tasks (every app's unless ``declarations`` are
    given); returns the names created."""
    from django_celery_beat.models import (
        CrontabSchedule,
        IntervalSchedule,
        PeriodicTask,
    )

    created_names: list[str] = []
    with transaction.atomic(using=using):
        for declaration in periodic_declarations() if declarations is None else declarations:
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


def periodic_tasks_sync_after_migrate(
    *, app_config: AppConfig, using: str = "default", **kwargs: object
) -> None:
    """post_migrate, sent for each migrated app: sync the periodic tasks that app declares."""
    declarations = app_declarations(app_config)
    # `migrate <app>` alone may run before django-celery-beat's tables exist.
    if not declarations or (
        "django_celery_beat_periodictask" not in connections[using].introspection.table_names()
    ):
        return
    periodic_tasks_sync(using=using, declarations=declarations)
