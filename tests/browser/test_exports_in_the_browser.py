"""An operator exports the filtered order list from the list page, in pt-BR, and opens the
files as Excel pt-BR and openpyxl would."""

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import openpyxl
import pytest

from tests.orders.factories import OrderFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def export_from_the_list(page, url: str, format_label: str) -> bytes:
    page.goto(f"{url}/admin/orders/order/?status=handling")
    page.get_by_role("link", name="Exportar").click()
    page.select_option("select[name=format]", label=format_label)
    with page.expect_download() as download:
        page.get_by_role("button", name="Enviar").click()
    with open(download.value.path(), "rb") as handle:
        return handle.read()


@pytest.fixture
def order(settings):
    settings.TIME_ZONE = "America/Sao_Paulo"
    return OrderFactory(
        status="handling",
        value=123456,
        shipping_city="Niterói",
        customer_phone="+5521987654321",
        created_at=datetime(2026, 12, 6, 21, 20, tzinfo=UTC),
    )


def test_the_csv_for_excel_opens_as_columns_in_pt_br(page, live_server, admin_login, order):
    admin_login(group="Operations")
    content = export_from_the_list(page, live_server.url, "CSV para Excel (no seu idioma)")

    assert content.startswith(b"\xef\xbb\xbf")
    header, *rows = csv.reader(io.StringIO(content[3:].decode("utf-8")), delimiter=";")
    [row] = [dict(zip(header, row, strict=True)) for row in rows]
    assert row["Pedido"] == order.vtex_order_id
    assert Decimal(row["Valor"].replace(".", "").replace(",", ".")) == Decimal("1234.56")
    assert row["Criado em"] == "06/12/2026 18:20"
    assert row["Cidade"] == "Niterói"
    assert row["Telefone"] == "(21) 98765-4321"


def test_the_xlsx_has_numbers_dates_and_text(page, live_server, admin_login, order):
    admin_login(group="Operations")
    content = export_from_the_list(page, live_server.url, "Excel (XLSX)")

    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    header = [cell.value for cell in sheet[1]]
    [row] = [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert row["Valor"].value == pytest.approx(1234.56)
    assert "R$" in row["Valor"].number_format
    assert row["Criado em"].value == datetime(2026, 12, 6, 18, 20)
    assert row["Telefone"].value == "(21) 98765-4321"
