"""The order list and the invoice list export CSV and XLSX (django-import-export) with the
admin's filters applied; Viewers get customer data masked as on screen; cells a spreadsheet
would run as formulas are neutralised."""

import csv
import io

import openpyxl
import pytest

from orders.resources import InvoiceExportResource, OrderExportResource
from tests.orders.factories import InvoiceFactory, OrderFactory

pytestmark = pytest.mark.django_db

FORMULA = "=cmd|' /C calc'!A0"
FORMATS = {"csv": "0", "xlsx": "1"}


def export(client, url: str, resource, file_format: str, query: str = "") -> list[dict]:
    """Export as an operator does: the export page for the filtered list, every column."""
    page = client.get(f"{url}export/?{query}")
    assert page.status_code == 200
    prefix = resource.__name__.lower()
    data = {"resource": "0", "format": FORMATS[file_format]}
    data.update({f"{prefix}_{name}": "on" for name in resource._meta.fields})
    response = client.post(f"{url}export/?{query}", data)
    assert response.status_code == 200, response.content[:2000]
    if file_format == "csv":
        return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    return [dict(zip(header, row, strict=True)) for row in rows]


@pytest.fixture
def orders():
    handling = OrderFactory(
        status="handling",
        customer_first_name=FORMULA,
        customer_last_name="Silva",
        customer_email="joana.silva@example.com",
        customer_document="52998224725",
    )
    other = OrderFactory(status="handling", customer_email="ana@example.com")
    canceled = OrderFactory(status="canceled")
    InvoiceFactory(order=handling, number="N1", courier="@Correios", tracking_number="BR1")
    InvoiceFactory(order=canceled, number="N2", tracking_number="")
    return handling, other, canceled


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_order_list_exports_as_filtered_and_masked_for_viewers(
    client, login, orders, file_format
):
    handling, other, _canceled = orders
    login("Viewer")
    rows = export(
        client, "/admin/orders/order/", OrderExportResource, file_format, "status=handling"
    )
    by_id = {row["order_id"]: row for row in rows}
    assert set(by_id) == {handling.vtex_order_id, other.vtex_order_id}
    row = by_id[handling.vtex_order_id]
    assert row["customer_email"] == "j***@example.com"
    assert row["customer_document"] == "*********25"
    assert row["customer_name"] == "'" + FORMULA + " Silva"
    assert float(row["value"]) == handling.value / 100


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_staff_allowed_to_see_customers_export_them_in_full(client, login, orders, file_format):
    handling, _other, _canceled = orders
    login("Operations")
    rows = export(
        client, "/admin/orders/order/", OrderExportResource, file_format, "status=handling"
    )
    row = next(row for row in rows if row["order_id"] == handling.vtex_order_id)
    assert row["customer_email"] == "joana.silva@example.com"
    assert row["customer_document"] == "52998224725"


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_invoice_list_exports_as_filtered(client, login, orders, file_format):
    handling, _other, _canceled = orders
    login("Viewer")
    rows = export(
        client, "/admin/orders/invoice/", InvoiceExportResource, file_format, "has_tracking=yes"
    )
    assert [row["invoice_number"] for row in rows] == ["N1"]
    [row] = rows
    assert row["order_id"] == handling.vtex_order_id
    assert row["courier"] == "'@Correios"
    assert row["customer_document"] == "*********25"


def test_an_undeclared_filter_is_refused_on_export_too(client, login, orders):
    login("Viewer")
    response = client.get("/admin/orders/order/export/?customer_email__startswith=j")
    assert response.status_code == 400
