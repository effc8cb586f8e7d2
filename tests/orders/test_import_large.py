"""A 10,000-row file goes through the batch path on PostgreSQL (correctness only; `make bench`
measures it): the upload leaves the check to a worker, the worker checks it, the operator
confirms, the worker imports it, and every row is one invoice command audited with its batch.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from imports.models import BatchStatus, ImportRow, RowStatus
from orders.models import EventType, Order, OrderEvent, OrderItem
from outbox.models import VtexCommand
from tests.orders.imports import batch_of, confirm, upload

ROWS = 10_000


@pytest.fixture
def eager_worker():
    from backoffice.celery import app

    saved = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def orders_and_file(count: int) -> bytes:
    created = timezone.now() - timedelta(days=2)
    Order.objects.bulk_create(
        Order(
            vtex_order_id=f"{1600000000 + index}-01",
            status="handling",
            value=10990,
            created_at=created,
            synced_at=created,
        )
        for index in range(count)
    )
    ids = dict(Order.objects.values_list("vtex_order_id", "pk"))
    OrderItem.objects.bulk_create(
        OrderItem(order_id=pk, position=0, sku_id="2001", name="Item", quantity=1, unit_price=10990)
        for pk in ids.values()
    )
    today = timezone.localdate().isoformat()
    lines = ["order_id,invoice_number,invoice_value,issuance_date"]
    lines += [f"{order_id},L{index},109.90,{today}" for index, order_id in enumerate(ids)]
    return ("\n".join(lines) + "\n").encode()


def test_ten_thousand_rows_through_the_batch_path(
    require_postgres, client, login, settings, eager_worker, django_capture_on_commit_callbacks
):
    settings.IMPORTS_ASYNC_ROWS = 2000
    content = orders_and_file(ROWS)
    login("Finance")

    with django_capture_on_commit_callbacks() as handed_to_worker:
        batch = batch_of(upload(client, "erp-10000.csv", content))
    assert batch.status == BatchStatus.WAITING
    assert batch.total_rows == ROWS
    [check] = handed_to_worker
    check()  # the worker's task (Celery in eager mode)
    batch.refresh_from_db()
    assert (batch.status, batch.valid_rows, batch.refused_rows) == (BatchStatus.CHECKED, ROWS, 0)
    assert not VtexCommand.objects.exists()

    with django_capture_on_commit_callbacks() as handed_to_worker:
        confirm(client, batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.IMPORTING
    [run] = handed_to_worker
    run()
    batch.refresh_from_db()
    assert (batch.status, batch.imported_rows, batch.processed_rows) == (
        BatchStatus.IMPORTED,
        ROWS,
        ROWS,
    )
    assert VtexCommand.objects.filter(kind="invoice").count() == ROWS
    assert ImportRow.objects.filter(batch=batch, status=RowStatus.IMPORTED).count() == ROWS
    assert (
        OrderEvent.objects.filter(
            type=EventType.ACTION_REQUESTED, payload__import_batch=batch.pk
        ).count()
        == ROWS
    )
