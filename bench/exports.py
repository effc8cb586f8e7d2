"""Order list export: the streamed formats (CSV for Excel, XLSX) of a list of 100,000 orders,
served by django.test.Client to a logged-in superuser, beside django-import-export's own way
(the resource builds a tablib Dataset of the whole list, then the file) for the same list."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from bench.harness import Bench, Figures, count, measured, mebibytes, mirror_clear, require, seconds
from orders.models import Order
from orders.spreadsheets import OrderExportResource

ORDERS = 100_000
BATCH = 5_000
# The export page's format choices, in the order of ``MaskedExportMixin.formats``.
START = datetime(2026, 1, 1, tzinfo=UTC)
FORMATS = {"CSV for Excel": "0", "XLSX": "1"}


def run(bench: Bench) -> Figures:
    mirror_clear()
    orders = bench.scaled(ORDERS)
    _orders_created(orders)
    client = _superuser_client()
    figures: Figures = [("orders exported", count(orders))]
    for label, choice in FORMATS.items():
        for share, size in (("all", orders), ("a tenth", max(1, orders // 10))):
            first, total, memory, lines = _export(client, choice, size)
            require(lines == size + 1 or label == "XLSX", f"{label}: {lines} lines for {size}")
            figures += [
                (f"{label}, {share} ({count(size)}): first bytes", seconds(first)),
                (f"{label}, {share}: whole file", seconds(total)),
                (f"{label}, {share}: process memory growth", mebibytes(memory)),
            ]
    # The same list through the library's Dataset (what the export did before streaming).
    with measured() as whole:
        dataset = OrderExportResource().export(queryset=Order.objects.order_by("pk"))
        dataset.export("csv")
    require(len(dataset) == orders, "the Dataset holds every order")
    figures += [
        ("reference: tablib Dataset then CSV, whole file", seconds(whole.seconds)),
        ("reference: process memory growth", mebibytes(whole.rss_growth_bytes)),
        ("target", "first bytes within 1 s; memory flat from a tenth to all of the list"),
    ]
    return figures


def _orders_created(total: int) -> None:
    for first in range(0, total, BATCH):
        Order.objects.bulk_create(
            Order(
                vtex_order_id=f"BENCH{number:09d}-01",
                sequence=str(number),
                status="handling",
                value=12345 + number,
                created_at=START + timedelta(minutes=number),
                synced_at=START,
                customer_first_name="Joana",
                customer_last_name="Silva",
                customer_email=f"cliente{number}@example.com",
                customer_phone="+5511987654321",
                shipping_city="Niterói",
                shipping_state="RJ",
            )
            for number in range(first, min(total, first + BATCH))
        )


def _superuser_client() -> Client:
    user_model = get_user_model()
    password = secrets.token_urlsafe(16)
    user = user_model.objects.create_superuser(
        f"bench-export-{secrets.token_hex(4)}", "bench@example.com", password
    )
    client = Client()
    client.force_login(user)
    return client


def _export(client: Client, choice: str, size: int) -> tuple[float, float, int | None, int]:
    """(seconds to the first chunk, seconds to the whole file, memory growth, CSV lines)."""
    # The list's own date filter (one order a minute from START): the first ``size`` orders.
    # (the admin's date filters take local time).
    until = timezone.localtime(START + timedelta(minutes=size)).strftime("%Y-%m-%d+%H:%M:%S")
    url = f"/admin/orders/order/export/?created_at__gte=2000-01-01&created_at__lt={until}"
    data = {"resource": "0", "format": choice}
    data.update({f"orderexportresource_{name}": "on" for name in OrderExportResource._meta.fields})
    lines = 0
    with measured() as measurement:
        started = time.perf_counter()
        response = client.post(url, data)
        require(response.status_code == 200 and response.streaming, "the export streams")
        chunks = iter(response.streaming_content)
        lines += next(chunks).count(b"\n")
        first = time.perf_counter() - started
        for chunk in chunks:
            lines += chunk.count(b"\n")
    return first, measurement.seconds, measurement.rss_growth_bytes, lines
