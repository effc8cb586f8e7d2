"""Helpers of the invoice and tracking import tests: the orders the fixture files in
``import_files/`` name, uploading a file through the admin, reading a batch page."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from imports.models import ImportBatch
from orders.models import Order
from tests.orders.factories import (
    InvoiceFactory,
    InvoiceItemFactory,
    OrderFactory,
    OrderItemFactory,
)

FILES = Path(__file__).resolve().parent / "import_files"
# The files' issue dates (27/11/2026) fall within [creation - 1 day, now + 1 day].
CREATED = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def orders_for_files() -> dict[str, Order]:
    """1500000001-01 and -02 in handling (R$ 1.234,56: SKU 2001 x2 at R$ 595,00 and SKU 2002
    x1 at R$ 10,00, plus shipping), -03 canceled, -04 invoiced by invoice 9001 (no tracking)."""
    orders = {}
    for number, status in ((1, "handling"), (2, "handling"), (3, "canceled"), (4, "invoiced")):
        order = OrderFactory(
            vtex_order_id=f"150000000{number}-01", status=status, value=123456, created_at=CREATED
        )
        OrderItemFactory(order=order, position=0, sku_id="2001", quantity=2, selling_price=59500)
        OrderItemFactory(order=order, position=1, sku_id="2002", quantity=1, selling_price=1000)
        orders[order.vtex_order_id] = order
    invoiced = orders["1500000004-01"]
    invoice = InvoiceFactory(
        order=invoiced, number="9001", value=123456, issued_at=CREATED, tracking_number=""
    )
    InvoiceItemFactory(invoice=invoice, item_index=0, sku_id="2001", quantity=2)
    InvoiceItemFactory(invoice=invoice, item_index=1, sku_id="2002", quantity=1)
    return orders


def upload_url(kind: str = "invoices") -> str:
    return reverse("admin:imports_importbatch_upload", args=[kind])


def upload(
    client: Client,
    name: str,
    content: bytes | None = None,
    *,
    kind: str = "invoices",
    policy: str = "all-or-nothing",
) -> Any:
    """POST a file to the upload page (``content`` defaults to the fixture file ``name``)."""
    data = content if content is not None else (FILES / name).read_bytes()
    return client.post(upload_url(kind), {"file": SimpleUploadedFile(name, data), "policy": policy})


def batch_of(response: Any) -> ImportBatch:
    match = re.search(r"/imports/importbatch/(\d+)/change/", response["Location"])
    assert match, response["Location"]
    return ImportBatch.objects.get(pk=match.group(1))


def confirm(
    client: Client,
    batch: ImportBatch,
    policy: str = "all-or-nothing",
    *,
    columns_checked: bool = False,
) -> Any:
    data = {"policy": policy, **({"columns_checked": "on"} if columns_checked else {})}
    return client.post(reverse("admin:imports_importbatch_confirm", args=[batch.pk]), data)


def batch_page(client: Client, batch: ImportBatch) -> str:
    response = client.get(reverse("admin:imports_importbatch_change", args=[batch.pk]))
    assert response.status_code == 200
    return response.content.decode()


def refusals(batch: ImportBatch) -> dict[int, str]:
    return dict(batch.rows.filter(status="refused").values_list("number", "message"))
