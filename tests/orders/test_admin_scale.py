"""The order and invoice lists at a million orders: what each page asks of the database does
not grow with the table (orders.admin.scale). Figures: ``python -m bench --only admin
--orders 1000000``."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.urls import reverse

from orders.admin import scale
from tests.orders.factories import InvoiceFactory, OrderFactory

pytestmark = pytest.mark.django_db

ORDER_LIST = reverse("admin:orders_order_changelist")
INVOICE_LIST = reverse("admin:orders_invoice_changelist")
SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SAO_PAULO)


@contextmanager
def statements() -> Iterator[list[str]]:
    """The SQL this block sends."""
    sent: list[str] = []

    def record(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield sent


def date_scans(sent: list[str]) -> list[str]:
    """Statements listing the distinct years/months/days of every row (Django's hierarchy)."""
    return [sql for sql in sent if "DISTINCT" in sql.upper() and "TRUNC" in sql.upper()]


def test_date_hierarchy_links_the_years_months_and_days_holding_orders(admin_client):
    # New Year's Eve in São Paulo is already 1 January in UTC: the year is the local one.
    OrderFactory(created_at=local(2024, 12, 31, 22, 30), vtex_order_id="1400000000001-01")
    OrderFactory(created_at=local(2026, 3, 2, 10), vtex_order_id="1400000000002-01")
    OrderFactory(created_at=local(2026, 3, 20, 10), vtex_order_id="1400000000003-01")
    OrderFactory(created_at=local(2026, 11, 5, 0, 10), vtex_order_id="1400000000004-01")

    with statements() as sent:
        years = admin_client.get(ORDER_LIST).context_data["cl"]
        page = admin_client.get(ORDER_LIST).content.decode()
    assert date_scans(sent) == []
    assert "created_at__year=2024" in page
    assert "created_at__year=2026" in page
    assert "created_at__year=2025" not in page
    assert years.result_count == 4

    months = admin_client.get(ORDER_LIST, {"created_at__year": "2026"}).content.decode()
    assert "created_at__month=3" in months
    assert "created_at__month=11" in months
    assert "created_at__month=4" not in months

    with statements() as sent:
        days = admin_client.get(
            ORDER_LIST, {"created_at__year": "2026", "created_at__month": "3"}
        ).content.decode()
    assert date_scans(sent) == []
    assert re.search(r"created_at__day=2(?!\d)", days)
    assert re.search(r"created_at__day=20(?!\d)", days)
    assert not re.search(r"created_at__day=3(?!\d)", days)
    assert "1400000000002-01" in days
    assert "1400000000004-01" not in days


def test_date_hierarchy_follows_the_search(admin_client):
    OrderFactory(created_at=local(2025, 6, 1, 12), customer_first_name="Joaquina")
    OrderFactory(created_at=local(2026, 6, 1, 12), customer_first_name="Benedita")

    page = admin_client.get(ORDER_LIST, {"q": "Joaquina"}).content.decode()

    # One year holds the found order: the hierarchy opens on its months.
    assert "created_at__year=2026" not in page
    assert "created_at__month=6" in page


def test_a_small_list_is_counted_exactly(admin_client, monkeypatch):
    monkeypatch.setattr(scale, "EXACT_COUNT_UP_TO", 3)
    for _ in range(3):
        OrderFactory(status="handling")
    OrderFactory(status="invoiced")

    handling = admin_client.get(ORDER_LIST, {"status": "handling"}).context_data["cl"]

    assert handling.result_count == 3


def test_a_long_list_is_not_counted_row_by_row_on_postgresql(
    require_postgres, admin_client, monkeypatch
):
    monkeypatch.setattr(scale, "EXACT_COUNT_UP_TO", 3)
    orders = [OrderFactory(status="invoiced") for _ in range(6)]
    for order in orders:
        InvoiceFactory(order=order)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE orders_order")
        cursor.execute("ANALYZE orders_invoice")

    for url in (ORDER_LIST, INVOICE_LIST):
        with statements() as sent:
            response = admin_client.get(url)
        assert response.status_code == 200
        counts = [sql for sql in sent if sql.startswith("SELECT COUNT(*)")]
        # Counted only as far as the threshold (LIMIT 4), then the planner's estimate.
        assert counts, url
        assert all("LIMIT 4" in sql and "is_late" not in sql for sql in counts), counts
        assert response.context_data["cl"].result_count >= 4
        assert len(response.context_data["cl"].result_list) == 6


def test_estimated_count_is_exact_below_the_threshold_on_every_database(monkeypatch):
    for _ in range(5):
        OrderFactory()
    from orders.models import Order

    assert scale.estimated_count(Order.objects.all(), exact_up_to=10) == 5
    assert scale.estimated_count(Order.objects.all(), exact_up_to=5) == 5


def test_sales_channel_filter_lists_the_channels_without_a_scan(admin_client):
    OrderFactory(sales_channel="1", vtex_order_id="1400000000011-01")
    OrderFactory(sales_channel="1")
    OrderFactory(sales_channel="7", vtex_order_id="1400000000017-01")

    with statements() as sent:
        page = admin_client.get(ORDER_LIST).content.decode()
    filtered = admin_client.get(ORDER_LIST, {"sales_channel": "7"}).content.decode()

    assert "sales_channel=1" in page
    assert "sales_channel=7" in page
    assert not [sql for sql in sent if "DISTINCT" in sql.upper()]
    assert "1400000000017-01" in filtered
    assert "1400000000011-01" not in filtered


def plan(queryset, *, bitmap: bool = False) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # On a test's few rows the planner prefers reading the table: forbid it to see
        # whether an index serves the statement (a trigram index only serves bitmap scans).
        cursor.execute("SET LOCAL enable_seqscan = off")
        if bitmap:
            cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_indexes_serve_the_sorted_lists_on_postgresql(require_postgres):
    from django.db.models import Exists, OuterRef

    from orders.models import Invoice, Order

    assert "order_value_idx" in plan(Order.objects.order_by("-value", "-pk")[:50])
    assert "invoice_issued_idx" in plan(Invoice.objects.order_by("-issued_at", "-pk")[:50])
    assert "order_invoiced_at_idx" in plan(
        Order.objects.filter(invoiced_at__gte=local(2026, 1, 1)).values("pk")
    )
    untracked = Invoice.objects.filter(order=OuterRef("pk"), type="Output", tracking_number="")
    assert "invoice_untracked_idx" in plan(Order.objects.filter(Exists(untracked)).values("pk"))


def test_search_by_an_order_id_is_an_exact_lookup(admin_client):
    wanted = OrderFactory(vtex_order_id="1400000000777-01", sequence="777777")
    OrderFactory(vtex_order_id="1400000000778-01")

    for term in ("1400000000777-01", "1400000000777", "777777"):
        with statements() as sent:
            found = admin_client.get(ORDER_LIST, {"q": term}).context["cl"].result_list
        assert list(found) == [wanted], term
        # No LIKE '%...%' over every field: each match is an index lookup.
        assert not [sql for sql in sent if " LIKE " in sql.upper()], term


def test_search_needs_every_word_and_an_email_is_searched_as_one(admin_client):
    wanted = OrderFactory(
        customer_first_name="Júlia", customer_last_name="Santos", customer_email="js@uol.com.br"
    )
    OrderFactory(customer_first_name="Júlia", customer_last_name="Lima")
    OrderFactory(customer_first_name="Pedro", customer_last_name="Santos")

    for term in ("júlia santos", '"Santos" Júlia', "JS@UOL.COM.BR"):
        found = admin_client.get(ORDER_LIST, {"q": term}).context["cl"].result_list
        assert list(found) == [wanted], term


def test_date_hierarchy_under_a_search_reads_the_found_dates_once(admin_client):
    OrderFactory(created_at=local(2025, 6, 1, 12), customer_first_name="Joaquina")

    with statements() as sent:
        page = admin_client.get(ORDER_LIST, {"q": "Joaquina"}).content.decode()

    assert "created_at__day=1" in page or "created_at__month=6" in page
    assert not [sql for sql in sent if 'MIN("orders_order"."created_at")' in sql]


def test_trigram_indexes_serve_a_search_inside_names_and_emails_on_postgresql(
    require_postgres,
):
    from orders.models import Order

    for field, index in (
        ("customer_first_name", "order_first_name_trgm"),
        ("customer_last_name", "order_last_name_trgm"),
        ("customer_email", "order_email_trgm"),
    ):
        found = Order.objects.filter(**{f"{field}__icontains": "antos"}).order_by()
        assert index in plan(found.values("pk"), bitmap=True), field
