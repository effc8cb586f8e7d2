"""Admin read side: the order list, one order's page and the dashboard, served by
django.test.Client to a logged-in superuser while the mirror holds thousands of orders.

With ``--orders N`` (PostgreSQL) the mirror is instead N orders over two years written by
`bench.admin_fill` (a million takes minutes: not part of ``make test``), and each flow of
issue 20 is printed beside its target and the floor (one order's page)."""

from __future__ import annotations

import secrets
import statistics
import time
from typing import Any
from urllib.parse import quote_plus

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from bench.backfill import DAYS, store_backfilled
from bench.backfill import ORDERS as BACKFILL_ORDERS
from bench.harness import Bench, Figures, count, percentile, queries_counted, require
from orders.models import Order

REQUESTS = 20
WARM_UP = 3


def run(bench: Bench) -> Figures:
    if bench.orders:
        return run_at_scale(bench.orders)
    orders = bench.scaled(BACKFILL_ORDERS)
    reused = Order.objects.count() == orders
    if not reused:
        store_backfilled(bench, orders)
    client = _superuser_client()
    order_admin = admin.site.get_model_admin(Order)
    shipped_per_page = order_admin.list_per_page
    # The richest page: most invoices (with their items and tracking), then most items.
    order = (
        Order.objects.annotate(
            item_count=Count("items", distinct=True),
            invoice_count=Count("invoices", distinct=True),
        )
        .order_by("-invoice_count", "-item_count", "pk")
        .first()
    )
    requests = max(10, round(REQUESTS * bench.scale))
    figures: Figures = [
        (
            "orders in the mirror",
            f"{count(orders)} over {DAYS} days"
            + (" (the backfill's)" if reused else " (loaded by a backfill)"),
        ),
        ("requests per page (after warm-up)", f"{requests} (+{WARM_UP})"),
    ]
    changelist = reverse("admin:orders_order_changelist")
    try:
        for per_page in (100, shipped_per_page):
            order_admin.list_per_page = per_page
            label = f"order list, {per_page} per page" + (
                " (as shipped)" if per_page == shipped_per_page else ""
            )
            figures += _timed(
                label,
                client,
                changelist,
                requests,
                check=lambda response, per_page=per_page: (
                    len(response.context_data["cl"].result_list) == min(per_page, orders)
                ),
            )
    finally:
        order_admin.list_per_page = shipped_per_page
    figures += _timed(
        f"order page ({order.item_count} items, {order.invoice_count} invoice(s))",
        client,
        reverse("admin:orders_order_change", args=[order.pk]),
        requests,
        check=lambda response: order.vtex_order_id in response.content.decode(),
    )
    figures += _timed(
        "dashboard (the admin's home)",
        client,
        reverse("dashboard"),
        requests,
        check=lambda response: 'data-queue="ready-for-handling"' in response.content.decode(),
    )
    figures += _timed(
        "order list, late orders only",
        client,
        f"{changelist}?late=yes",
        requests,
        check=lambda response: response.status_code == 200,
    )
    return figures


# (label, URL under the admin, target median in ms)
SCALE_FLOWS: list[tuple[str, str, int]] = [
    ("order list, default page", "orders/order/", 150),
    ("order list, late=yes", "orders/order/?late=yes", 150),
    ("order list, status invoiced", "orders/order/?status=invoiced", 150),
    ("order list, sorted by value", "orders/order/?o=-5", 150),
    ("search by order id", "orders/order/?q={order_id}", 100),
    ("search by order id without -01", "orders/order/?q={order_number}", 100),
    ("search by customer name", "orders/order/?q={name}", 300),
    ("search by e-mail", "orders/order/?q={email}", 300),
    ("invoice list", "orders/invoice/", 150),
]
DASHBOARD_TARGET = 200


def run_at_scale(orders: int, *, requests: int = 10) -> Figures:
    """Issue 20's flows at ``orders`` orders, filled here unless the database (one kept by
    ``--keep-db``) already holds that many."""
    from bench.admin_fill import fill_orders

    started = time.perf_counter()
    fill = Order.objects.count() != orders
    if fill:
        fill_orders(orders)
    filled = time.perf_counter() - started
    client = _superuser_client()
    # An order from the middle of the two years, and its customer.
    sample = Order.objects.order_by("pk")[orders // 2]
    values = {
        "order_id": sample.vtex_order_id,
        "order_number": sample.vtex_order_id.removesuffix("-01"),
        "name": f"{sample.customer_first_name} {sample.customer_last_name}",
        "email": sample.customer_email,
    }
    figures: Figures = [
        ("orders in the mirror", f"{count(Order.objects.count())} over two years"),
        ("fill (SQL generate_series)", f"{filled:.0f} s" if fill else "reused"),
        ("requests per flow (after warm-up)", f"{requests} (+{WARM_UP})"),
    ]
    floor = _measure(client, reverse("admin:orders_order_change", args=[sample.pk]), requests)
    figures.append(
        ("floor: one order's page", f"{floor[0]:.1f} ms (p95 {floor[1]:.1f} ms, {floor[2]} SQL)")
    )
    admin_root = reverse("admin:index")
    flows = [
        (label, admin_root + url.format(**{k: quote_plus(v) for k, v in values.items()}), target)
        for label, url, target in SCALE_FLOWS
    ]
    flows.append(("dashboard", reverse("dashboard"), DASHBOARD_TARGET))
    for label, url, target in flows:
        median, p95, queries = _measure(client, url, requests)
        verdict = "ok" if median <= target else "OVER"
        figures.append(
            (
                label,
                f"{median:7.1f} ms (p95 {p95:.1f}, {queries} SQL)  target <= {target} ms "
                f"[{verdict}]  floor {floor[0]:.1f} ms",
            )
        )
    return figures


def _measure(client: Client, url: str, requests: int) -> tuple[float, float, str]:
    milliseconds: list[float] = []
    queries: list[int] = []
    for number in range(WARM_UP + requests):
        with queries_counted() as counter:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
        require(response.status_code == 200, f"GET {url} answered {response.status_code}")
        if number >= WARM_UP:
            milliseconds.append(elapsed)
            queries.append(counter.count)
    fewest, most = min(queries), max(queries)
    return (
        statistics.median(milliseconds),
        percentile(milliseconds, 0.95),
        str(fewest) if fewest == most else f"{fewest}-{most}",
    )


def _superuser_client() -> Client:
    user = get_user_model().objects.filter(username="bench-admin").first()
    if user is None:
        user = get_user_model().objects.create_superuser(
            username="bench-admin", email="", password=secrets.token_urlsafe(16)
        )
    client = Client()
    client.force_login(user)
    return client


def _timed(label: str, client: Client, url: str, requests: int, *, check: Any) -> Figures:
    milliseconds: list[float] = []
    queries: list[int] = []
    for number in range(WARM_UP + requests):
        with queries_counted() as counter:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
        require(response.status_code == 200, f"GET {url} answered {response.status_code}")
        require(check(response), f"GET {url} did not show what it should")
        if number >= WARM_UP:
            milliseconds.append(elapsed)
            queries.append(counter.count)
    fewest, most = min(queries), max(queries)
    return [
        (
            f"{label}: median / p95",
            f"{statistics.median(milliseconds):.1f} ms / {percentile(milliseconds, 0.95):.1f} ms",
        ),
        (
            f"{label}: SQL queries per request",
            str(fewest) if fewest == most else f"{fewest}-{most}",
        ),
    ]
