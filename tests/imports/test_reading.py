"""The imports machinery without any app: reading files (delimiters, encodings, XLSX),
matching headers without case or accents, parsing money and dates."""

import datetime
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from imports.files import FileRefused, table_read
from imports.kinds import Column, RowByRowImport, RowOutcome, RowRefused, header_key
from imports.spreadsheet import cell_safe
from imports.values import choice, day, decimal_number, money_cents, whole_number


class Sample(RowByRowImport):
    """A kind to read files with (these tests import nothing)."""

    name = "sample"
    label = "Samples"
    permission = "imports.view_importbatch"
    columns = (
        Column("order_id", ("pedido",), required=True),
        Column("issuance_date", ("data_emissao",), required=True),
        Column("note", ("observação",)),
    )

    def import_row(self, row, context):
        return RowOutcome(row["order_id"])


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


def _declaring(content: bytes, ref: str) -> bytes:
    """``content`` (a workbook) with its first sheet's ``<dimension ref=...>`` rewritten."""
    source = zipfile.ZipFile(io.BytesIO(content))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename == "xl/worksheets/sheet1.xml":
                data, count = re.subn(
                    rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), data
                )
                assert count == 1
            target.writestr(member, data)
    return output.getvalue()


def _workbook(*rows: list) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_declaring_a_huge_sheet_is_read_as_its_cells():
    # 30,000 rows of 1,000 columns declared, 3 rows of 3 cells written: openpyxl alone pads
    # every row to the declaration (half a gigabyte); the reading keeps the cells written.
    content = _declaring(
        _workbook(
            ["Pedido", "data_emissão", "Observação"],
            [1, "27/11/2026", "São Paulo"],
            [2, datetime.datetime(2026, 11, 28)],
        ),
        "A1:ALL30000",
    )
    assert len(content) < 10_000
    table = table_read(content, file_name="file.xlsx", kind=KIND)
    assert [cells for _number, cells in table.rows] == [
        ["1", "27/11/2026", "São Paulo"],
        ["2", "2026-11-28"],
    ]
    assert table.headers == ["Pedido", "data_emissão", "Observação"]


def test_too_many_rows_or_columns_refuse_the_file(settings):
    settings.IMPORTS_MAX_ROWS = 3
    header = ["pedido", "data_emissao"]
    fits = [header] + [[str(number), "x"] for number in range(3)]
    assert len(table_read(_workbook(*fits), file_name="f.xlsx", kind=KIND)) == 3
    csv_fits = "\n".join(",".join(row) for row in fits).encode()
    assert len(table_read(csv_fits, file_name="f.csv", kind=KIND)) == 3
    far = openpyxl.Workbook()
    far.active.append(header)
    far.active.cell(row=900_000, column=1, value="1")
    far_content = io.BytesIO()
    far.save(far_content)
    for content, name in (
        (_workbook(*fits, ["4", "x"]), "f.xlsx"),
        (csv_fits + b"\n4,x", "f.csv"),
        # One cell far down: the rows before it are empty, and the reading stops at row 5.
        (far_content.getvalue(), "f.xlsx"),
    ):
        with pytest.raises(FileRefused) as refused:
            table_read(content, file_name=name, kind=KIND)
        assert refused.value.message == (
            "The file has more than 3 rows; split it into files of at most 3 rows."
        )
    wide = _workbook(header, ["1", "x", *([None] * 200), "far"])
    with pytest.raises(FileRefused) as refused:
        table_read(wide, file_name="f.xlsx", kind=KIND)
    assert refused.value.message == ("Row 2 has more than 100 columns; a file has at most 100.")
    # Trailing empty cells do not count.
    padded = _workbook(header, ["1", "x", *([""] * 200)])
    assert len(table_read(padded, file_name="f.xlsx", kind=KIND)) == 1


def test_an_xlsx_unfolding_beyond_its_bound_is_refused_before_it_is_opened(settings):
    settings.IMPORTS_MAX_FILE_MB = 1
    content = _workbook(["pedido", "data_emissao"], [1, "x"])
    assert len(table_read(content, file_name="f.xlsx", kind=KIND)) == 1
    buffer = io.BytesIO(content)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (21 * 1024 * 1024))
    assert len(buffer.getvalue()) < 100_000
    with pytest.raises(FileRefused) as refused:
        table_read(buffer.getvalue(), file_name="f.xlsx", kind=KIND)
    assert refused.value.message == (
        "The XLSX file holds 21 MB once uncompressed, more than 20 MB. Save it again from "
        "the spreadsheet, or as CSV."
    )
