"""The Redis broker restarts while a worker process holds deliveries: no command is lost, none
goes out twice, and the worker carries on.

With celery 5.7.0 the worker died there (``Unrecoverable error: AttributeError("'NoneType'
object has no attribute 'hostname'")``, see pyproject.toml); and under honcho a worker that dies
must come back by itself (the Procfile's restart loop).

Each test starts its own ``redis-server`` (no persistence: the restart empties the queues, as a
broker restarted without persistence does) and real worker processes.
"""

import os
import signal
import time
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings as django_settings
from django.db import transaction
from honcho.environ import parse_procfile

from orders.operations.start_handling import order_start_handling
from outbox import enqueue, sweep
from outbox.enqueue import DELIVER_TASK
from outbox.models import CommandState, VtexCommand
from outbox.selectors import outbox_last_delivery
from outbox.sweep import commands_sweep
from tests.fixtures.redis_server import RedisServer
from tests.orders.operations import mirrored_orders
from tests.test_celery_brokers import (
    WorkerProcess,
    worker_database_url,
    worker_environment,
    worker_process,
)

# The start-handling POSTs take this long in the sandbox: deliveries are in flight for a while.
LATENCY_SECONDS = 1.5
# The sweeper hands out again what was handed to the broker this long ago and never attempted.
STUCK_SECONDS = 4


@pytest.fixture(autouse=True)
def _no_broker_from_the_environment(monkeypatch):
    # Celery reads CELERY_BROKER_URL before any configured broker_url (CI sets it to the
    # machine's Redis): the publisher must talk to this test's own Redis.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)


def publisher_for(broker_url: str) -> Celery:
    """What the back office's app does on commit (``command_dispatch``), aimed at this Redis."""
    app = Celery("broker-restart-publisher", set_as_current=False)
    app.conf.update(
        broker_url=broker_url,
        broker_connection_timeout=1,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
    )
    return app


def start_handling(order) -> VtexCommand:
    with transaction.atomic():
        return order_start_handling(order=order, user=None).command


def wait_for(condition, *, timeout: float, message, worker: WorkerProcess) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert worker.alive(), f"the worker died: {message()}\n{worker.tail()}"
        assert time.monotonic() < deadline, f"{message()}\n{worker.tail()}"
        time.sleep(0.1)


@pytest.mark.timeout(120)
@pytest.mark.django_db(transaction=True)
def test_a_redis_restart_with_deliveries_in_flight_loses_nothing_and_sends_nothing_twice(
    vtex_sandbox, redis_server: RedisServer, settings, monkeypatch, tmp_path
):
    database_url = worker_database_url()
    settings.VTEX_COMMAND_STUCK_SECONDS = STUCK_SECONDS
    orders = mirrored_orders(vtex_sandbox, 6, status="ready-for-handling")
    vtex_sandbox.set_faults(
        latency_ms=LATENCY_SECONDS * 1000, paths=["/api/oms/pvt/orders/"], methods=["POST"]
    )
    publisher = publisher_for(redis_server.url)

    def dispatch(*, command_id: int) -> None:
        publisher.send_task(DELIVER_TASK, kwargs={"command_id": command_id})

    monkeypatch.setattr(enqueue, "command_dispatch", dispatch)
    monkeypatch.setattr(sweep, "command_dispatch", dispatch)

    with worker_process(
        broker_url=redis_server.url, database_url=database_url, log_path=tmp_path / "worker.log"
    ) as worker:
        pid = worker.process.pid
        first = start_handling(orders[0])
        # The worker holds the message unacknowledged while VTEX takes its time to answer.
        wait_for(
            lambda: VtexCommand.objects.get(pk=first.pk).state == CommandState.SENDING,
            timeout=15,
            message=lambda: "the first command was never taken",
            worker=worker,
        )

        redis_server.stop()
        assert VtexCommand.objects.get(pk=first.pk).state == CommandState.SENDING
        # Asked during the outage: the broker refuses the messages; the outbox keeps the commands.
        during = [start_handling(order) for order in orders[1:3]]
        time.sleep(1)
        redis_server.start()
        after = [start_handling(order) for order in orders[3:]]

        commands = [first, *during, *after]
        deadline = time.monotonic() + 40
        while VtexCommand.objects.exclude(state=CommandState.SUCCEEDED).exists():
            assert worker.alive(), f"the worker died with the broker:\n{worker.tail()}"
            left = list(VtexCommand.objects.values_list("key", "state"))
            assert time.monotonic() < deadline, f"not delivered: {left}\n{worker.tail()}"
            commands_sweep()  # what beat runs every VTEX_COMMAND_SWEEP_SECONDS
            time.sleep(0.5)

        assert worker.alive() and worker.process.pid == pid
        assert "Connection to broker lost" in worker.log()
    publisher.close()

    # Every command reached VTEX exactly once.
    for order in orders:
        assert vtex_sandbox.order(order.vtex_order_id)["start_handling_calls"] == 1
    assert len(vtex_sandbox.calls(method="POST", path_contains="/start-handling")) == len(orders)
    assert set(VtexCommand.objects.values_list("state", flat=True)) == {CommandState.SUCCEEDED}
    assert {command.pk for command in commands} == set(
        VtexCommand.objects.values_list("pk", flat=True)
    )
    health = outbox_last_delivery()
    assert health.due == 0
    assert health.last_attempt_at is not None


@pytest.mark.timeout(120)
def test_the_procfile_worker_comes_back_after_it_dies_and_stops_with_its_group(
    redis_server: RedisServer, tmp_path
):
    procfile = parse_procfile((Path(django_settings.BASE_DIR) / "Procfile").read_text())
    worker = WorkerProcess(
        procfile.processes["worker"],
        env=worker_environment(broker_url=redis_server.url),
        log_path=tmp_path / "worker.log",
    )
    try:
        worker.wait_for_log(" ready.")
        celery_pid = only_child(worker.process.pid)

        os.kill(celery_pid, signal.SIGKILL)  # as the kernel's OOM killer or a crash would

        worker.wait_for_log(" ready.", count=2, timeout=40)
        assert "worker exited with status 137" in worker.log()
        restarted = only_child(worker.process.pid)
        assert restarted != celery_pid
        publisher = publisher_for(redis_server.url)
        replies = publisher.control.ping(timeout=1)
        publisher.close()
        assert replies, f"the restarted worker does not answer:\n{worker.tail()}"
    finally:
        worker.stop()
    # Stopped as honcho stops it: the whole group is gone and nothing was restarted.
    assert worker.log().count("worker exited with status") == 1


def only_child(pid: int) -> int:
    """The one process the Procfile's shell runs at a time (Linux's /proc)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    assert len(children) == 1, f"the shell runs {children}"
    return int(children[0])
