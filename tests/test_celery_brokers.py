"""A task queued on each broker the back office supports reaches a worker and does its work.

The filesystem transport (the default) always runs; Redis and RabbitMQ run where
``REDIS_URL`` / ``RABBITMQ_URL`` point at a server (CI sets both).
"""

import os
import time

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from kombu import Connection

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

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        app.tasks[ORDER_SYNC].delay(order_id)
        deadline = time.monotonic() + 30
        while not Order.objects.filter(vtex_order_id=order_id).exists():
            assert time.monotonic() < deadline, f"the {broker} worker never synced the order"
            time.sleep(0.2)

    order = Order.objects.get(vtex_order_id=order_id)
    assert order.status == "ready-for-handling"
    assert order.value == vtex_sandbox.order(order_id)["order"]["value"]
