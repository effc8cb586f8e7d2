"""Work spread over machines: three queues routed by task name, a worker per queue, one beat.

The end-to-end test runs real processes on RabbitMQ (``RABBITMQ_URL``) and PostgreSQL: a
worker on the feed queue, one on the outbox queue and two beats, of which only the one holding
the lease schedules. The feed worker mirrors the sandbox's orders; commands on them go out
through the outbox worker; the sandbox's call log shows each command sent once and each order
mirrored once.
"""

from __future__ import annotations

import io
import os
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from honcho.environ import parse_procfile
from kombu import Connection, Exchange, Queue

from backoffice.beat import BEAT_LEASE, SingleBeatScheduler
from backoffice.celery import app as backoffice_app
from core.models import TaskLock
from orders.models import EventType, Order, OrderEvent
from orders.operations.start_handling import order_start_handling
from orders.tasks import FEED_DRAIN
from outbox import enqueue, sweep
from outbox.enqueue import DELIVER_TASK
from outbox.enqueue import SWEEP_TASK as OUTBOX_SWEEP
from outbox.models import CommandState, VtexCommand
from tests.conftest import service_missing
from tests.test_celery_brokers import WorkerProcess, worker_database_url, worker_environment
from tests.test_settings import django_check

QUEUES = {
    django_settings.TASK_QUEUE_FEED,
    django_settings.TASK_QUEUE_OUTBOX,
    django_settings.TASK_QUEUE_IMPORTS,
}
ORDERS = 6


def backoffice_tasks() -> list[str]:
    backoffice_app.loader.import_default_modules()
    return sorted(name for name in backoffice_app.tasks if not name.startswith("celery."))


def routed_queue(name: str) -> str:
    return backoffice_app.amqp.router.route({}, name, (), {})["queue"].name


def test_every_task_of_the_back_office_goes_to_one_of_the_three_queues():
    routes = {name: routed_queue(name) for name in backoffice_tasks()}
    assert set(routes.values()) == QUEUES, routes
    assert routes[FEED_DRAIN] == "feed"
    assert routes[DELIVER_TASK] == routes[OUTBOX_SWEEP] == "outbox"


def test_the_procfile_worker_takes_every_queue_and_the_deployment_runs_one_worker_per_queue():
    procfile = parse_procfile((Path(django_settings.BASE_DIR) / "Procfile").read_text())
    consumed = re.search(r"--queues=(\S+)", procfile.processes["worker"]).group(1)
    assert set(consumed.split(",")) == QUEUES
    deployment = (Path(django_settings.BASE_DIR) / "docs" / "deployment.md").read_text()
    for queue in QUEUES:
        assert f"backoffice-worker@{queue}.service" in deployment


@pytest.mark.django_db(transaction=True)
def test_a_second_beat_schedules_nothing_until_the_first_stops(settings):
    app = Celery("beat-lease-test", set_as_current=False)
    sent: dict[str, list[str]] = {"first": [], "second": []}
    PeriodicTask.objects.all().delete()
    PeriodicTask.objects.create(
        name="every second",
        task=FEED_DRAIN,
        interval=IntervalSchedule.objects.create(every=1, period=IntervalSchedule.SECONDS),
        last_run_at=timezone.now() - timedelta(minutes=1),
    )

    def beat(label: str) -> SingleBeatScheduler:
        scheduler = SingleBeatScheduler(app=app, lazy=False)
        # The message itself is Celery's business: what counts is which beat sends it.
        scheduler.apply_async = lambda entry, *args, **kwargs: sent[label].append(entry.task)
        return scheduler

    first, second = beat("first"), beat("second")
    for _ in range(3):
        first.tick()
        second.tick()
        time.sleep(1.1)
    assert sent["first"] and not sent["second"]
    assert TaskLock.objects.get(name=BEAT_LEASE).owner == first.lease_owner

    first.close()
    sent["first"].clear()
    second.tick()
    time.sleep(1.1)
    second.tick()
    second.close()
    assert set(sent["second"]) == {FEED_DRAIN}


@pytest.mark.django_db(transaction=True)
def test_the_lease_of_a_beat_that_died_passes_to_the_other_once_it_expires(settings):
    settings.BEAT_LEASE_SECONDS = 1
    app = Celery("beat-expiry-test", set_as_current=False)
    dead, standby = SingleBeatScheduler(app=app), SingleBeatScheduler(app=app)
    try:
        assert dead.lease_renew()
        assert not standby.lease_renew()
        time.sleep(1.2)  # the dead beat renews nothing
        assert standby.lease_renew()
        assert not dead.lease_renew()
        assert TaskLock.objects.get(name=BEAT_LEASE).owner == standby.lease_owner
    finally:
        dead.close()
        standby.close()


def test_a_lease_shorter_than_a_few_ticks_stops_the_start():
    result = django_check(BEAT_LEASE_SECONDS="5")
    assert result.returncode != 0
    assert "BEAT_LEASE_SECONDS must be at least 15." in result.stderr
    assert django_check(BEAT_LEASE_SECONDS="15").returncode == 0


def rabbitmq_url() -> str:
    url = os.environ.get("RABBITMQ_URL")
    if not url:
        service_missing("RABBITMQ_URL is not set: no RabbitMQ to spread the work over")
    try:
        with Connection(url, connect_timeout=3) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as error:  # kombu raises the transport's own errors
        service_missing(f"RabbitMQ at RABBITMQ_URL unreachable: {error}")
    return url


def queues_purge(url: str) -> None:
    """Messages an earlier run left in the vhost's queues would run here. Declared as Celery
    declares them (a direct exchange of the same name), so a queue not there yet is no error."""
    with Connection(url) as connection:
        for name in QUEUES:
            queue = Queue(name, Exchange(name, type="direct"), routing_key=name)
            queue(connection.default_channel).declare()
            queue(connection.default_channel).purge()


def worker_command(queue: str) -> str:
    return f"celery -A backoffice worker --queues={queue} -n {queue}@%h --loglevel=INFO"


def every_second(task: str) -> PeriodicTask:
    return PeriodicTask.objects.create(
        name=task,
        task=task,
        interval=IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)[
            0
        ],
        last_run_at=timezone.now() - timedelta(minutes=1),
    )


@pytest.mark.timeout(120)
@pytest.mark.django_db(transaction=True)
def test_two_workers_on_two_queues_and_one_beat_import_and_deliver_each_thing_once(
    vtex_sandbox, monkeypatch, tmp_path
):
    url = rabbitmq_url()
    database_url = worker_database_url()
    queues_purge(url)
    # The beat's schedule, shortened: the feed drain and the outbox's sweeper every second.
    PeriodicTask.objects.all().delete()
    every_second(FEED_DRAIN)
    every_second(OUTBOX_SWEEP)
    call_command("vtex_feed_configure", stdout=io.StringIO())  # the feed holds what follows
    order_ids = vtex_sandbox.create_orders(ORDERS, status="ready-for-handling")

    # Celery prefers CELERY_BROKER_URL (CI sets it to Redis) to a configured broker_url.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    publisher = Celery("queues-publisher", set_as_current=False)
    publisher.conf.update(
        broker_url=url, task_routes=django_settings.CELERY_TASK_ROUTES, task_ignore_result=True
    )

    def dispatch(*, command_id: int) -> None:
        # What the web process does on commit, on this test's broker.
        publisher.send_task(DELIVER_TASK, kwargs={"command_id": command_id})

    monkeypatch.setattr(enqueue, "command_dispatch", dispatch)
    monkeypatch.setattr(sweep, "command_dispatch", dispatch)
    environment = worker_environment(broker_url=url, database_url=database_url)
    started = {
        name: WorkerProcess(command, env=environment, log_path=tmp_path / f"{name}.log")
        for name, command in {
            "feed": worker_command("feed") + " --concurrency=2",
            "outbox": worker_command("outbox") + " --concurrency=2",
            "beat": "celery -A backoffice beat --loglevel=INFO",
            "second beat": "celery -A backoffice beat --loglevel=INFO",
        }.items()
    }
    try:
        started["feed"].wait_for_log(" ready.", timeout=45)
        started["outbox"].wait_for_log(" ready.", timeout=45)
        deadline = time.monotonic() + 40
        while Order.objects.filter(vtex_order_id__in=order_ids).count() < ORDERS:
            assert time.monotonic() < deadline, (
                f"the feed worker mirrored {Order.objects.count()} of {ORDERS} orders:\n"
                + "\n".join(f"--- {name}\n{process.tail()}" for name, process in started.items())
            )
            time.sleep(0.3)

        for order in Order.objects.filter(vtex_order_id__in=order_ids):
            with transaction.atomic():
                order_start_handling(order=order, user=None)
        while VtexCommand.objects.exclude(state=CommandState.SUCCEEDED).exists():
            left = list(VtexCommand.objects.values_list("key", "state"))
            assert time.monotonic() < deadline, f"not delivered: {left}\n{started['outbox'].tail()}"
            time.sleep(0.3)
        # The beat keeps draining and sweeping: nothing more may go out meanwhile.
        time.sleep(3)
    finally:
        for process in started.values():
            process.stop()
        publisher.close()

    for order_id in order_ids:
        assert vtex_sandbox.order(order_id)["start_handling_calls"] == 1
    start_handling = vtex_sandbox.calls(method="POST", path_contains="/start-handling")
    assert len(start_handling) == ORDERS
    assert VtexCommand.objects.count() == ORDERS
    assert Order.objects.count() == ORDERS
    imported = OrderEvent.objects.filter(type=EventType.IMPORTED)
    assert sorted(imported.values_list("order__vtex_order_id", flat=True)) == sorted(order_ids)

    logs = {name: process.log() for name, process in started.items()}
    # Each worker ran only its queue's tasks.
    assert f"Task {FEED_DRAIN}[" in logs["feed"]
    assert "Task outbox." not in logs["feed"]
    assert f"Task {DELIVER_TASK}[" in logs["outbox"]
    assert "Task orders." not in logs["outbox"]
    # One beat scheduled; the other, started by mistake, sent nothing.
    scheduling = [name for name in ("beat", "second beat") if "Sending due task" in logs[name]]
    assert len(scheduling) == 1, {name: logs[name][-2000:] for name in ("beat", "second beat")}
    idle = "second beat" if scheduling == ["beat"] else "beat"
    assert "another beat holds the lease" in logs[idle]
