"""A task queued on each broker the back office supports reaches a worker and does its work.

The filesystem transport (the default) always runs; Redis and RabbitMQ run where
``REDIS_URL`` / ``RABBITMQ_URL`` point at a server (CI sets both).

Also the helpers of the tests that need a worker in its own process
(tests/test_broker_restart.py): `worker_process`; a broker of their own is the fixture
``redis_server`` (tests/fixtures/redis_server.py).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import OperationalError, connection
from kombu import Connection

from backoffice.celery import app as backoffice_app
from orders.models import Order
from orders.tasks import ORDER_SYNC
from tests.conftest import service_missing


def broker_settings(name: str, tmp_path) -> dict:
    if name == "filesystem":
        folder = tmp_path / "broker"
        folder.mkdir()
        return {
            "broker_url": "filesystem://",
            "broker_transport_options": {
                "data_folder_in": str(folder),
                "data_folder_out": str(folder),
                "control_folder": str(folder),
            },
        }
    variable = {"redis": "REDIS_URL", "rabbitmq": "RABBITMQ_URL"}[name]
    url = os.environ.get(variable)
    if not url:
        service_missing(f"{variable} is not set: no {name} broker to test against")
    try:
        with Connection(url, connect_timeout=3) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as error:  # kombu raises the transport's own errors
        service_missing(f"{name} broker at {variable} unreachable: {error}")
    return {"broker_url": url}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("broker", ["filesystem", "redis", "rabbitmq"])
def test_an_order_sync_queued_on_the_broker_mirrors_the_order(broker, tmp_path, vtex_sandbox):
    # A fresh app per broker: shared tasks (orders.tasks) register themselves on it.
    app = Celery(f"broker-test-{broker}", set_as_current=False)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        task_default_queue=f"broker-test-{broker}-{os.getpid()}",
        **broker_settings(broker, tmp_path),
    )
    order_id = vtex_sandbox.create_orders(1, status="ready-for-handling")[0]

    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            app.tasks[ORDER_SYNC].delay(order_id)
            deadline = time.monotonic() + 30
            while not _order_mirrored(order_id):
                assert time.monotonic() < deadline, f"the {broker} worker never synced the order"
                time.sleep(0.2)
    finally:
        # start_worker makes its app the current and default one: shared tasks queued by later
        # tests (the outbox's hand-out) would go to this test's broker instead of the eager app.
        backoffice_app.set_current()
        backoffice_app.set_default()

    order = Order.objects.get(vtex_order_id=order_id)
    assert order.status == "ready-for-handling"
    assert order.value == vtex_sandbox.order(order_id)["order"]["value"]


def _order_mirrored(order_id: str) -> bool:
    try:
        return Order.objects.filter(vtex_order_id=order_id).exists()
    except OperationalError as error:
        # SQLite's shared-cache test database answers "table is locked" instead of waiting
        # while the worker thread writes the order: look again.
        if connection.vendor == "sqlite" and "locked" in str(error):
            return False
        raise


# --- A worker process of a test's own (its Redis: the fixture redis_server) ---------------------


def worker_database_url() -> str:
    """The test database as a URL another process can open: PostgreSQL only, since the
    suite's SQLite test database lives in the test process's memory."""
    if connection.vendor != "postgresql":
        service_missing("a worker process needs PostgreSQL: set DATABASE_URL=postgres://...")
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = quote(db["HOST"] or "", safe="")
    return f"postgres://{credentials}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_environment(*, broker_url: str, database_url: str | None = None) -> dict[str, str]:
    """The environment of ``celery -A backoffice worker`` against this test's broker, database
    and sandbox store (the VTEX settings as the test set them)."""
    env = {
        **os.environ,
        # The virtualenv's `celery`, as `make run` puts it first on PATH.
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        "DJANGO_SETTINGS_MODULE": "backoffice.settings",
        "DJANGO_ENV": "development",
        "CELERY_BROKER_URL": broker_url,
        "VTEX_ACCOUNT_NAME": settings.VTEX_ACCOUNT_NAME,
        "VTEX_APP_KEY": settings.VTEX_APP_KEY,
        "VTEX_APP_TOKEN": settings.VTEX_APP_TOKEN,
        "VTEX_BASE_URL": settings.VTEX_BASE_URL,
        "PYTHONUNBUFFERED": "1",
    }
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    return env


class WorkerProcess:
    """A process group started from a shell command line, its output in a log file."""

    def __init__(self, command: str, *, env: dict[str, str], log_path: Path):
        self.log_path = log_path
        with log_path.open("ab") as log:
            self.process = subprocess.Popen(
                ["sh", "-c", command],  # a Procfile line is a shell command line, as for honcho
                cwd=settings.BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, as honcho starts each process
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_for_log(self, text: str, *, count: int = 1, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while self.log().count(text) < count:
            assert self.alive(), f"the worker exited ({self.process.returncode}):\n{self.tail()}"
            assert time.monotonic() < deadline, f"no {text!r} after {timeout}s:\n{self.tail()}"
            time.sleep(0.1)

    def stop(self, *, timeout: float = 20) -> None:
        """SIGTERM to the whole group, as honcho does on Ctrl-C; SIGKILL if it lingers."""
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + timeout
        while group_alive(self.process.pid) and time.monotonic() < deadline:
            self.process.poll()
            time.sleep(0.1)
        if group_alive(self.process.pid):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=5)

    def tail(self) -> str:
        return self.log()[-4000:]


def group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


@contextmanager
def worker_process(
    *, broker_url: str, log_path: Path, database_url: str | None = None, command: str = ""
) -> Iterator[WorkerProcess]:
    """A Celery worker of the back office in its own process, ready to consume when entered."""
    command = command or "celery -A backoffice worker --loglevel=INFO --concurrency=2"
    worker = WorkerProcess(
        command,
        env=worker_environment(broker_url=broker_url, database_url=database_url),
        log_path=log_path,
    )
    try:
        worker.wait_for_log(" ready.")
        yield worker
    finally:
        worker.stop()
