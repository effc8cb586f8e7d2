"""Reading within bounds whatever the file holds: a header cell of 128 KiB or with a NUL, text
in an encoding that is neither UTF-8 nor Windows-1252 (Shift-JIS, GB18030), control
characters in cells, and an XLSX whose XML holds a huge comment, attribute or string (Python's
XML parser takes a time growing with the square of such a token: refused before any parser
opens the file)."""

import io
import zipfile

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imports import files
from imports.files import FileRefused, cells_refusal, table_read, text_safe
from tests.imports.test_reading import KIND, _workbook

ENCODING_REFUSAL = (
    "The file's text encoding is not UTF-8 nor Windows-1252. Save it as “CSV UTF-8” or as XLSX."
)
XML_REFUSAL = (
    "The XLSX file holds a piece of XML longer than 128 KB, which no spreadsheet writes. Save "
    "it again from the spreadsheet, or as CSV."
)


def refusal(content: bytes, name: str = "f.csv") -> str:
    with pytest.raises(FileRefused) as refused:
        table_read(content, file_name=name, kind=KIND)
    return refused.value.message


# --- The header -------------------------------------------------------------------------------


def test_a_header_cell_over_csv_field_limit_refuses_the_file():
    content = b"pedido,data_emissao," + b"h" * 140_000 + b"\n1,27/11/2026,x\n"
    assert refusal(content) == (
        "Row 1 cannot be read as CSV (field larger than field limit (131072))."
    )


def test_a_header_cell_longer_than_a_name_refuses_the_file():
    content = b"pedido;data_emissao;" + b"h" * 256 + b"\n1;27/11/2026;x\n"
    assert refusal(content) == (
        "The header's column 3 has 256 characters; a column name has at most 255. The first "
        "row must name the columns."
    )
    workbook = _workbook(["pedido", "data_emissao", "h" * 1000], ["1", "27/11/2026", "x"])
    assert "The header's column 3 has 1000 characters" in refusal(workbook, "f.xlsx")
    # A name of 255 characters (an ERP's long header) is read, and ignored.
    fits = b"pedido;data_emissao;" + b"h" * 255 + b"\n1;27/11/2026;x\n"
    assert len(table_read(fits, file_name="f.csv", kind=KIND)) == 1


def test_a_control_character_in_the_header_refuses_the_file():
    content = b"pedido;data_emissao;obs\x1b\n1;27/11/2026;x\n"
    assert refusal(content) == (
        "The header's column 3 holds a control character (U+001B), which no spreadsheet "
        "types: remove it."
    )
    # A NUL within the first 8 KiB tells a binary file.
    assert refusal(content.replace(b"\x1b", b"\x00")) == (
        "This is not a CSV or XLSX file (it holds binary data). Save it as CSV or XLSX."
    )


# --- Cells ------------------------------------------------------------------------------------


def test_a_cell_with_a_control_character_is_refused_naming_its_column():
    names = ["order_id", "issuance_date"]
    assert cells_refusal(names, ["1", "27/11/2026"]) == ""
    # Tab, line feed and carriage return are typed (a quoted cell may hold them).
    assert cells_refusal(names, ["1", "27/11\t2026\r\n"]) == ""
    for character, code in (("\x00", "U+0000"), ("\x1b", "U+001B"), ("\x7f", "U+007F")):
        assert cells_refusal(names, ["1", f"27/11{character}2026"]) == (
            f"issuance_date: the cell holds a control character ({code}), which no "
            "spreadsheet types: remove it."
        )
    assert "U+0085" in cells_refusal(names, ["1\x85", "x"])
    assert "U+D800" in cells_refusal(names, ["\ud800", "x"])
    assert text_safe("a\x00b\ud800c\td") == "a\ufffdb\ufffdc\td"


def test_a_nul_far_into_a_csv_reaches_its_row_not_the_whole_file():
    # The first 8 KiB tell a binary file; a NUL further down is one row's problem.
    padding = "x" * 9000
    content = f"pedido,data_emissao,obs\n1,27/11/2026,{padding}\n2,28/11\x002026,\n".encode()
    table = table_read(content, file_name="f.csv", kind=KIND)
    [(_number, first), (_number2, second)] = table.rows
    assert cells_refusal(table.kept_headers, table.kept(first)) == ""
    assert "issuance_date: the cell holds a control character (U+0000)" in cells_refusal(
        table.kept_headers, table.kept(second)
    )


# --- Encodings --------------------------------------------------------------------------------

PORTUGUESE = (
    "pedido;data_emissao;observação\n"
    "1;27/11/2026;AÇÃO: INFORMAÇÕES da emissão, nº 5, 2º andar — “Ótimo” São Paulo\n"
    "2;27/11/2026;José Müller, Itajaí; R$\u00a01.234,56 … 50% ± 1 €\n"
)


def test_windows_1252_brazilian_text_is_read():
    table = table_read(PORTUGUESE.encode("cp1252"), file_name="f.csv", kind=KIND)
    assert [table.mapped(cells)["note"] for _number, cells in table.rows] == [
        "AÇÃO: INFORMAÇÕES da emissão, nº 5, 2º andar — “Ótimo” São Paulo",
        "José Müller, Itajaí",
    ]


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("pedido;data_emissao;observacao\n1;27/11/2026;テスト\n", "shift_jis"),
        ("pedido;data_emissao;observacao\n1;27/11/2026;カタカナ\n", "shift_jis"),
        ("注文;日付\n1;27/11/2026\n", "shift_jis"),
        ("pedido;data_emissao;observação\n1;27/11/2026;中文\n", "gb18030"),
        ("订单;发票号码\n1500000001-01;12345\n", "gb18030"),
        ("pedido;data_emissao\n1;27/11/2026\n", "utf-16"),
        ("pedido;data_emissao\n1;27/11/2026\n", "utf-16-be"),
    ],
)
def test_text_neither_utf8_nor_windows_1252_is_refused_not_read_garbled(text, encoding):
    content = text.encode(encoding)
    if encoding == "utf-16-be":
        content = b"\xfe\xff" + content
    assert refusal(content) == ENCODING_REFUSAL


# --- XLSX: the XML's shape --------------------------------------------------------------------


def _rewritten(content: bytes, member: str, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == member:
                data = change(data)
            target.writestr(info, data)
    return output.getvalue()


def _sheet_with(before_data: bytes) -> bytes:
    return _rewritten(
        _workbook(["pedido", "data_emissao"], ["1", "27/11/2026"]),
        "xl/worksheets/sheet1.xml",
        lambda data: data.replace(b"<sheetData>", before_data + b"<sheetData>", 1),
    )


@pytest.fixture
def no_parsing(monkeypatch):
    """openpyxl must not open the file: the refusal comes before any XML parser."""

    def opened(*args, **kwargs):
        raise AssertionError("openpyxl opened a file the shape check should have refused")

    monkeypatch.setattr(files.openpyxl, "load_workbook", opened)


@pytest.mark.parametrize(
    "piece",
    [
        # The file: one huge comment (393 KB zipped held a request for 10 minutes).
        b"<!--" + b"a" * (4 * 1024 * 1024) + b"-->",
        b"<!--" + b"a>" * (200 * 1024) + b"-->",
        b"<?x " + b"a" * (200 * 1024) + b"?>",
        b'<sheetPr codeName="' + b"a" * (200 * 1024) + b'"/>',
        b'<sheetPr codeName="' + b"a>" * (100 * 1024) + b'"/>',
        b"<sheetPr" + b" " * (200 * 1024) + b"/>",
    ],
    ids=[
        "comment",
        "comment-with-gt",
        "processing-instruction",
        "attribute",
        "attribute-gt",
        "spaces",
    ],
)
def test_an_xlsx_holding_a_huge_xml_token_is_refused_before_it_is_parsed(piece, no_parsing):
    content = _sheet_with(piece)
    assert len(content) < 450_000
    assert refusal(content, "f.xlsx") == XML_REFUSAL


def test_a_huge_shared_string_is_refused_before_it_is_parsed(no_parsing):
    workbook = openpyxl.Workbook()
    workbook.active.append(["pedido", "data_emissao"])
    workbook.active.append(["1", "27/11/2026"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    shared = (
        b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org'
        b'/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>'
        + b"x" * (300 * 1024)
        + b"</t></si></sst>"
    )
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, source.read(info.filename))
        target.writestr("xl/sharedStrings.xml", shared)
    assert refusal(output.getvalue(), "f.xlsx") == XML_REFUSAL


@pytest.mark.parametrize(
    ("piece", "reason"),
    [
        (b"<!---->" * 101, "XML comments"),
        (b'<!DOCTYPE x [<!ENTITY a "b">]>', "DOCTYPE"),
    ],
)
def test_xml_no_spreadsheet_writes_is_refused(piece, reason, no_parsing):
    content = _rewritten(
        _workbook(["pedido", "data_emissao"], ["1", "27/11/2026"]),
        "xl/worksheets/sheet1.xml",
        lambda data: b'<?xml version="1.0"?>' + piece + data,
    )
    assert refusal(content, "f.xlsx") == (
        f"The XLSX file cannot be read ({reason}). Save it again from the spreadsheet."
    )


def test_the_longest_cell_a_spreadsheet_holds_is_read():
    # Excel's longest cell (32,767 characters, accented: about 64 KB of XML) is within the
    # bound: its row is refused by the import's cell bound, the file is read.
    long_note = "ção" * (32_767 // 3)
    content = _workbook(["pedido", "data_emissao", "observação"], ["1", "27/11/2026", long_note])
    table = table_read(content, file_name="f.xlsx", kind=KIND)
    assert table.mapped(table.rows[0][1])["note"] == long_note


# --- The shape check against a plain reading, across piece boundaries ---------------------------


def _reference_refuses(data: bytes, limit: int) -> bool:
    """The same rules on the whole part at once."""
    if max(len(piece) for piece in data.split(b"<")) > limit:
        return True
    position, specials = 0, 0
    while found := files.XML_SPECIAL.search(data, position):
        if found.group().upper() == b"<!DOCTYPE":
            return True
        specials += 1
        if specials > files.XML_SPECIALS_LIMIT:
            return True
        marker = b"-->" if found.group() == b"<!--" else b"?>"
        end = data.find(marker, found.end())
        if end == -1:
            return len(data) - found.start() > limit
        if end + len(marker) - found.start() > limit:
            return True
        position = end + len(marker)
    return False


xml_pieces = st.one_of(
    st.binary(max_size=40).map(lambda raw: raw.replace(b"<", b"")),
    st.sampled_from([b"<", b">", b"<a>", b"</a>", b"<!--", b"-->", b"<?", b"?>", b"-", b"?"]),
    st.integers(min_value=1, max_value=120).map(lambda size: b"x" * size),
    st.integers(min_value=1, max_value=120).map(lambda size: b"<!--" + b"<" * size + b"-->"),
)


@settings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(xml_pieces, max_size=30),
    chunk=st.integers(min_value=1, max_value=64),
    limit=st.integers(min_value=2, max_value=100),
)
def test_the_shape_check_reads_in_pieces_as_the_whole_part_reads(pieces, chunk, limit):
    data = b"<r>" + b"".join(pieces)
    expected = _reference_refuses(data, limit)
    saved = files.XML_READ_CHUNK, files.XML_TOKEN_LIMIT
    files.XML_READ_CHUNK, files.XML_TOKEN_LIMIT = chunk, limit
    try:
        try:
            files._xml_part_check(io.BytesIO(data))
        except FileRefused:
            refused = True
        else:
            refused = False
    finally:
        files.XML_READ_CHUNK, files.XML_TOKEN_LIMIT = saved
    assert refused == expected, data
