"""The imports machinery without any app: reading files (delimiters, encodings, XLSX),
matching headers without case or accents, parsing money and dates."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest

from imports.files import FileRefused, table_read
from imports.kinds import Column, ImportKind, RowRefused, header_key
from imports.spreadsheet import cell_safe
from imports.values import choice, day, decimal_number, money_cents, whole_number


class Sample(ImportKind):
    name = "sample"
    label = "Samples"
    permission = "imports.view_importbatch"
    columns = (
        Column("order_id", ("pedido",), required=True),
        Column("issuance_date", ("data_emissao",), required=True),
        Column("note", ("observação",)),
    )


KIND = Sample()
EXPECTED = [
    {"order_id": "1", "issuance_date": "27/11/2026", "note": "São Paulo"},
    {"order_id": "2", "issuance_date": "2026-11-28", "note": ""},
]


def rows_of(content: bytes, name: str = "file.csv") -> list[dict[str, str]]:
    table = table_read(content, file_name=name, kind=KIND)
    return [table.mapped(cells) for _number, cells in table.rows]


@pytest.mark.parametrize(
    ("text", "encoding", "bom"),
    [
        ("order_id,issuance_date,note\n1,27/11/2026,São Paulo\n2,2026-11-28,\n", "utf-8", False),
        ("Pedido;Data_Emissão;Observação\n1;27/11/2026;São Paulo\n2;2026-11-28;\n", "utf-8", True),
        (
            "PEDIDO;DATA EMISSAO;observacao\r\n1;27/11/2026;São Paulo\r\n2;2026-11-28;\r\n",
            "cp1252",
            False,
        ),
    ],
)
def test_csv_delimiters_and_encodings(text, encoding, bom):
    content = (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)
    assert rows_of(content) == EXPECTED


def test_xlsx_cells_read_as_text():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Pedido", "data_emissão", "Observação"])
    sheet.append([1, "27/11/2026", "São Paulo"])
    sheet.append([2, datetime.datetime(2026, 11, 28), None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert rows_of(buffer.getvalue(), "file.xlsx") == EXPECTED


def test_rows_are_numbered_as_in_the_spreadsheet_and_blank_rows_skipped():
    table = table_read(b"pedido,data_emissao\n1,x\n,\n3,y\n", file_name="f.csv", kind=KIND)
    assert [number for number, _cells in table.rows] == [2, 4]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"pedido,data_emissao\n", "The file has a header but no rows."),
        (b"pedido\n1\n", "Missing columns: issuance_date (data_emissao)."),
        (b"pedido,Pedido,data_emissao\n1,1,x\n", "The column order_id is given twice"),
        (b"\x00\x00PK", "This is not a CSV or XLSX file"),
        (b"pedido;data\x81\x8d\n", "The file's text encoding is not UTF-8 nor Windows-1252."),
        (b"PK\x03\x04broken zip", "The XLSX file cannot be read"),
        (b'pedido,data_emissao\n1,"' + b"x" * 200_000 + b'"\n', "Row 2 cannot be read as CSV"),
    ],
)
def test_unreadable_files_are_refused_with_a_message(content, message):
    with pytest.raises(FileRefused) as refused:
        table_read(content, file_name="f.csv", kind=KIND)
    assert message in refused.value.message


def test_headers_match_without_case_accents_or_spaces():
    assert header_key(" Número Nota ") == "numero_nota"
    assert header_key("\ufeffData-Emissão") == "data_emissao"


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1234.56", 123456),
        ("1234,56", 123456),
        ("1.234,56", 123456),
        ("R$ 1.234,56", 123456),
        ("R$1.234,5", 123450),
        ("1,234.56", 123456),
        ("1234", 123400),
        ("0,01", 1),
        ("R$\u00a0999.999.999,99", 99999999999),
    ],
)
def test_money_forms(text, cents):
    assert money_cents(text, column="valor") == cents


@pytest.mark.parametrize(
    "text", ["abc", "1.234.56", "-5", "12,345", "1,2345", "R$", "1e5", "1.000.000.000,00"]
)
def test_malformed_money_is_refused_naming_the_column(text):
    with pytest.raises(RowRefused) as refused:
        money_cents(text, column="valor")
    assert refused.value.message.startswith(f"valor: “{text}” is not an amount of money")


def test_dates():
    assert day("2026-11-27", column="d") == datetime.date(2026, 11, 27)
    assert day("27/11/2026", column="d") == datetime.date(2026, 11, 27)
    assert day("7/1/2026", column="d") == datetime.date(2026, 1, 7)
    with pytest.raises(RowRefused, match="is not a date that exists"):
        day("31/02/2026", column="d")
    with pytest.raises(RowRefused, match="is not a date that exists"):
        day("2026-13-01", column="d")
    with pytest.raises(RowRefused, match=r"is not a date \(write YYYY-MM-DD or DD/MM/YYYY\)"):
        day("11/27/26", column="d")


def test_choices_and_whole_numbers():
    types = {"Output": "Output", "saída": "Output", "entrada": "Input"}
    assert choice("SAIDA", column="tipo", choices=types, default="Output") == "Output"
    assert choice("", column="tipo", choices=types, default="Output") == "Output"
    assert choice("Entrada", column="tipo", choices=types, default="Output") == "Input"
    assert whole_number("3", column="q", minimum=1) == 3
    for bad in ("0", "-1", "1.5", "٣"):
        with pytest.raises(RowRefused):
            whole_number(bad, column="q", minimum=1)


def test_decimals_with_a_comma_or_a_point():
    assert decimal_number("0,75", column="peso_kg") == Decimal("0.75")
    assert decimal_number(" 12.5 ", column="peso_kg") == Decimal("12.5")
    assert decimal_number("30", column="altura_cm") == Decimal("30")
    # The sign is read: the model's rule (not below 0) refuses it in its own words.
    assert decimal_number("-1,5", column="peso_kg") == Decimal("-1.5")
    for bad in ("1.234,5", "1,2,3", "abc", "", "1e3", "٣"):
        with pytest.raises(RowRefused, match=r"peso_kg: .* is not a number \(write 0.75 or 0,75\)"):
            decimal_number(bad, column="peso_kg")


def test_formula_cells_are_neutralised():
    assert cell_safe("=cmd|' /C calc'!A0") == "'=cmd|' /C calc'!A0"
    assert [cell_safe(value) for value in ("+1", "-1", "@SUM(A1)", "\t=1")] == [
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "'\t=1",
    ]
    assert cell_safe("São Paulo") == "São Paulo"
    assert cell_safe(12) == 12
