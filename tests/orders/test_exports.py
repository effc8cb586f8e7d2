"""The order list and the invoice list export CSV (for a spreadsheet, or for programs) and XLSX
(django-import-export's page, our streamed formats) with the admin's filters applied; Viewers
get customer data masked as on screen; CSV cells a spreadsheet would run as formulas are
neutralised, the XLSX's text cells are text."""

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings

from orders.spreadsheets import InvoiceExportResource, OrderExportResource
from tests.orders.factories import InvoiceFactory, OrderFactory

pytestmark = pytest.mark.django_db

FORMULA = "=cmd|' /C calc'!A0"
# The export page's format choices, in the order of ``MaskedExportMixin.formats``.
FORMATS = {"spreadsheet-csv": "0", "xlsx": "1", "csv": "2"}


def download(
    client, url: str, resource, file_format: str, query: str = "", *, language: str = "en"
) -> bytes:
    """Export as an operator does, in ``language`` (the header's language switch): the export
    page for the filtered list, every column."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(f"{url}export/?{query}")
    assert page.status_code == 200
    prefix = resource.__name__.lower()
    data = {"resource": "0", "format": FORMATS[file_format]}
    data.update({f"{prefix}_{name}": "on" for name in resource._meta.fields})
    response = client.post(f"{url}export/?{query}", data)
    assert response.status_code == 200, response
    assert response.streaming
    return b"".join(response.streaming_content)


def export(client, url: str, resource, file_format: str, query: str = "") -> list[dict]:
    """The rows of the export, keyed by the resource's field names."""
    content = download(client, url, resource, file_format, query)
    if file_format == "csv":
        return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    _header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    return [dict(zip(resource._meta.fields, row, strict=True)) for row in rows]


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
    # The CSV neutralises a formula with an apostrophe; the XLSX's text cell is only text.
    assert row["customer_name"] == ("'" if file_format == "csv" else "") + FORMULA + " Silva"
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
    assert row["courier"] == ("'" if file_format == "csv" else "") + "@Correios"
    assert row["customer_document"] == "*********25"


def test_an_undeclared_filter_is_refused_on_export_too(client, login, orders):
    login("Viewer")
    response = client.get("/admin/orders/order/export/?customer_email__startswith=j")
    assert response.status_code == 400


def excel_pt_br(content: bytes) -> list[list[str]]:
    """The CSV as Excel in pt-BR opens it: UTF-8 only with its BOM, ``;`` between cells."""
    assert content.startswith(b"\xef\xbb\xbf"), "Excel reads UTF-8 only with a BOM"
    return list(csv.reader(io.StringIO(content[3:].decode("utf-8")), delimiter=";"))


def reais_pt_br(text: str) -> Decimal:
    """``1.234,56`` as a pt-BR spreadsheet reads it."""
    assert text.count(",") == 1, text
    return Decimal(text.replace(".", "").replace(",", "."))


@pytest.fixture
def niteroi(orders):
    handling, _other, _canceled = orders
    handling.value = 123456
    handling.shipping_city = "Niterói"
    handling.customer_phone = "+5511987654321"
    handling.created_at = datetime(2026, 12, 6, 21, 20, tzinfo=UTC)  # 18:20 in Sao Paulo
    handling.save()
    return handling


def test_the_spreadsheet_csv_opens_in_excel_pt_br_as_a_table(client, login, niteroi, settings):
    settings.TIME_ZONE = "America/Sao_Paulo"
    login("Operations")
    content = download(
        client,
        "/admin/orders/order/",
        OrderExportResource,
        "spreadsheet-csv",
        "status=handling",
        language="pt-br",
    )
    header, *rows = excel_pt_br(content)
    assert header[:3] == ["Pedido", "Sequência", "Criado em"]
    assert header[4] == "Valor"
    row = dict(zip(header, next(r for r in rows if r[0] == niteroi.vtex_order_id), strict=True))
    assert reais_pt_br(row["Valor"]) == Decimal("1234.56")
    assert row["Valor"] == "1.234,56"
    assert row["Criado em"] == "06/12/2026 18:20"
    assert row["Cidade"] == "Niterói"
    assert row["Telefone"] == "(11) 98765-4321"
    assert row["Status"] == "Preparando entrega"


def test_the_spreadsheet_csv_in_english_has_english_headers_and_commas(
    client, login, niteroi, settings
):
    settings.TIME_ZONE = "America/Sao_Paulo"
    login("Operations")
    content = download(
        client,
        "/admin/orders/order/",
        OrderExportResource,
        "spreadsheet-csv",
        "status=handling",
        language="en",
    )
    assert content.startswith(b"\xef\xbb\xbf")
    header, *rows = list(csv.reader(io.StringIO(content[3:].decode("utf-8"))))
    assert header[:5] == ["Order", "Sequence", "Created at", "Status", "Value"]
    row = dict(zip(header, next(r for r in rows if r[0] == niteroi.vtex_order_id), strict=True))
    assert row["Value"] == "1,234.56"
    assert row["Created at"] == "2026-12-06 18:20"


def test_the_csv_for_programs_is_plain(client, login, niteroi, settings):
    settings.TIME_ZONE = "America/Sao_Paulo"
    login("Operations")
    content = download(client, "/admin/orders/order/", OrderExportResource, "csv", language="pt-br")
    assert not content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8"))))
    row = next(row for row in rows if row["order_id"] == niteroi.vtex_order_id)
    assert row["value"] == "1234.56"
    assert datetime.fromisoformat(row["created_at"]) == niteroi.created_at
    assert row["shipping_city"] == "Niterói"


def test_the_xlsx_has_typed_cells_and_no_apostrophes(client, login, niteroi, settings):
    settings.TIME_ZONE = "America/Sao_Paulo"
    login("Operations")
    content = download(
        client,
        "/admin/orders/order/",
        OrderExportResource,
        "xlsx",
        "status=handling",
        language="pt-br",
    )
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["Pedido", "Sequência", "Criado em"]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == niteroi.vtex_order_id)
    cells = dict(zip(header, row, strict=True))
    assert cells["Valor"].data_type == "n"
    assert cells["Valor"].value == pytest.approx(1234.56)
    assert "R$" in cells["Valor"].number_format
    assert cells["Criado em"].is_date
    assert cells["Criado em"].value == datetime(2026, 12, 6, 18, 20)
    assert cells["Telefone"].value == "(11) 98765-4321"
    assert cells["Cliente"].data_type == "s"
    assert cells["Cliente"].value == FORMULA + " Silva"
    for cell in row:
        assert not str(cell.value or "").startswith("'")


def test_the_export_page_speaks_portuguese(client, login, orders):
    login("Operations")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "pt-br"
    text = client.get("/admin/orders/order/export/").content.decode()
    assert "CSV para Excel" in text
    assert "Exportar" in text
