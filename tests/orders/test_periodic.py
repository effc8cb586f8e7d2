"""Periodic tasks: declared in code, synced into django-celery-beat, never overlapping."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from core.beat import periodic_declarations, periodic_tasks_sync
from core.locks import task_lock, task_lock_acquire
from core.models import TaskLock
from orders.tasks import FEED_DRAIN, feed_drain_task


@pytest.mark.django_db
def test_migrate_put_every_declared_task_in_the_beat_database():
    # pytest-django's test database was built by `migrate`, whose post_migrate synced them.
    rows = {row.name: row for row in PeriodicTask.objects.all()}

    drain = rows["orders: drain the VTEX orders feed"]
    assert (drain.task, drain.interval.every, drain.interval.period) == (FEED_DRAIN, 60, "seconds")
    reconcile = rows["orders: reconcile stale orders"]
    assert reconcile.interval.every == 3600
    nightly = rows["orders: nightly backfill of recent orders"]
    assert (nightly.crontab.hour, nightly.crontab.minute) == ("3", "30")
    assert {declaration.name for declaration in periodic_declarations()} <= set(rows)


@pytest.mark.django_db
def test_sync_keeps_an_operators_pause_and_restores_the_schedule():
    drain = PeriodicTask.objects.get(task=FEED_DRAIN)
    drain.enabled = False
    drain.kwargs = '{"edited": true}'
    drain.save()

    assert periodic_tasks_sync() == []

    drain.refresh_from_db()
    assert drain.enabled is False
    assert drain.kwargs == "{}"
    assert PeriodicTask.objects.filter(task=FEED_DRAIN).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_lock_is_held_once_until_released_or_expired():
    with (
        task_lock(name="demo", ttl=timedelta(minutes=5)) as first,
        task_lock(name="demo", ttl=timedelta(minutes=5)) as second,
    ):
        assert (first, second) == (True, False)
    assert not TaskLock.objects.filter(name="demo").exists()

    TaskLock.objects.create(
        name="demo",
        owner="a worker that died",
        acquired_at=timezone.now() - timedelta(hours=1),
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    assert task_lock_acquire(name="demo", owner="next run", ttl=timedelta(minutes=5))
    assert TaskLock.objects.get(name="demo").owner == "next run"


@pytest.mark.django_db(transaction=True)
def test_a_feed_drain_does_not_start_while_the_previous_one_runs():
    with task_lock(name=FEED_DRAIN, ttl=timedelta(minutes=5)) as acquired:
        assert acquired
        # No VTEX is reachable in this test: a drain that started would fail loudly.
        assert feed_drain_task.run() is None
