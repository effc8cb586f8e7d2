"""Reading an uploaded file into rows: CSV (``,`` or ``;``, UTF-8 with or without BOM, or
Windows-1252 as Excel saves it in Brazil) or XLSX (the first sheet, read with openpyxl row by
row), with the header matched to a kind's columns: by their accepted names, or as a column
mapping says (the operator's choice on the preview, ``--map``/``--ignore-column``). Every
column of the file is accounted for (``FileColumn``): read as which column, ignored, or not
known yet.

Whatever the bytes, the result is a ``Table`` or a ``FileRefused`` with a message for the
operator: never an exception of a parser.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import IO

import openpyxl
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from core.refusals import Refused
from core.text import TYPED_CONTROL, code_point
from imports.kinds import Column, ImportKind, header_key

# A cell longer than this is refused with its row, not read into memory further (the longest
# real value, an invoice URL, is 1,000 characters).
MAX_CELL_LENGTH = 5000
# A header cell names a column: a longer one refuses the file (the rows' cells are bounded by
# MAX_CELL_LENGTH, and any cell by csv's field limit, 128 KiB).
MAX_HEADER_LENGTH = 255
# A row with more cells than this (after its trailing empty ones) refuses the file: no kind has
# nearly as many columns, and a sheet cannot make the reading build huge rows.
MAX_COLUMNS = 100
# The members of an XLSX (a zip) may hold at most this many times the upload limit once
# uncompressed: a small file cannot unfold into gigabytes.
XLSX_EXPANSION = 20
XLSX_MAGIC = b"PK\x03\x04"
# A file that is not UTF-8 is read as Windows-1252 only when it reads as Brazilian text would
# (Shift-JIS or GB18030 bytes decode as Windows-1252 too, into garbage): none of the bytes
# Windows-1252 leaves undefined, none of the symbols it puts at 0x82-0x9F that are not
# typography (Shift-JIS lead bytes: ƒ, Š, Œ...), and no three non-ASCII characters in a row
# (two Chinese characters in GB18030; Portuguese has at most two, as in "AÇÃO").
CP1252_IMPLAUSIBLE = re.compile(
    b"[\x81\x82\x83\x84\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f\x90\x98\x9a\x9b\x9c\x9d\x9e\x9f]"
)
NON_ASCII_RUN = re.compile(r"[^\x00-\x7f\s]{3,}")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# No piece of an XLSX's XML (a tag with its attributes, a comment, a processing instruction)
# nor a run of text between two tags may be longer than this: Python's XML parser (expat 2.5,
# as openpyxl reads sheets, in 16 KiB pieces) re-reads a token from its start at every piece,
# so its time grows with the square of the token (a 400 KB file holding one huge comment held
# a request for over 10 minutes). A cell holds at most 32,767 characters (Excel's limit), and
# an import refuses any beyond MAX_CELL_LENGTH: no real file comes near.
XML_TOKEN_LIMIT = 128 * 1024
# Real workbooks hold no XML comment and one processing instruction (<?xml ...?>) per part.
XML_SPECIALS_LIMIT = 100
XML_SPECIAL = re.compile(rb"<!--|<\?|<!DOCTYPE", re.IGNORECASE)
XML_READ_CHUNK = 1024 * 1024


# How a column of the file is read (``FileColumn.how``).
BY_NAME = "name"  # its header is the column's name or one of its accepted names
MAPPED = "mapped"  # a column mapping reads it as one of the kind's columns
IGNORED = "ignored"  # a column mapping leaves it out (its cells are not read)
REASONS = "reasons"  # the reasons of a refused-rows CSV given back: never read
UNKNOWN = "unknown"  # nothing says what it is: the import cannot go on until someone does
# A column mapping: header (as ``header_key`` compares it) -> the kind's column name, or
# IGNORE.
IGNORE = ""


class FileRefused(Refused):
    """The file cannot be read as rows; ``message`` tells the operator why."""


@dataclass(frozen=True)
class FileColumn:
    """A column of the file: its header as the file spells it, the kind's column it is read
    as ("" when none), and how (BY_NAME, MAPPED, IGNORED, REASONS, UNKNOWN)."""

    header: str
    field: str
    how: str

    def as_dict(self) -> dict[str, str]:
        return {"header": self.header, "field": self.field, "how": self.how}


@dataclass(frozen=True)
class Table:
    """A file's header (as written) and its rows, each numbered as a spreadsheet numbers it
    (the header is row 1), with cells by the kind's column names."""

    headers: list[str]
    # Column name -> index in a row's cells.
    positions: dict[str, int]
    rows: list[tuple[int, list[str]]]
    # Every named column of the file, in its order, and how it is read.
    columns: list[FileColumn]
    # Required columns of the kind that no column of the file is read as.
    missing: list[str]

    def __len__(self) -> int:
        return len(self.rows)

    def remapped(self, kind: ImportKind, mapping: Mapping[str, str]) -> Table:
        """The same rows read with ``mapping``."""
        positions, columns, missing = columns_match(self.headers, kind, mapping)
        return replace(self, positions=positions, columns=columns, missing=missing)

    @property
    def unknown(self) -> list[str]:
        """The headers nothing reads nor ignores yet."""
        return [column.header for column in self.columns if column.how == UNKNOWN]

    @property
    def spelled(self) -> dict[str, str]:
        """Column name -> its header as the file spells it (for the rows' messages)."""
        return {name: self.headers[index] for name, index in self.positions.items()}

    @property
    def kept_headers(self) -> list[str]:
        """The kind's columns the file gives, by their names, in the file's order: what a
        batch keeps of the header (an ERP file's other columns, a CPF or an e-mail among
        them, are neither kept nor given back)."""
        return [name for name, _index in self._kept]

    def kept(self, cells: list[str]) -> list[str]:
        """A row's cells of the kind's columns, in ``kept_headers``' order."""
        return [cells[index] if index < len(cells) else "" for _name, index in self._kept]

    @property
    def _kept(self) -> list[tuple[str, int]]:
        return sorted(self.positions.items(), key=lambda item: item[1])

    def mapped(self, cells: list[str]) -> dict[str, str]:
        return {
            name: (cells[index].strip() if index < len(cells) else "")
            for name, index in self.positions.items()
        }


def table_read(
    content: bytes, *, file_name: str, kind: ImportKind, mapping: Mapping[str, str] | None = None
) -> Table:
    """The rows of ``content`` for ``kind``, its columns read by name or as ``mapping`` says;
    FileRefused when it cannot be read."""
    if not content.strip():
        raise FileRefused(_("The file is empty."))
    if content.startswith(XLSX_MAGIC) or file_name.lower().endswith(".xlsx"):
        records = _xlsx_records(content)
    else:
        records = _csv_records(_decode(content))
    try:
        header_row = next(records)
    except StopIteration:
        raise FileRefused(_("The file is empty.")) from None
    except csv.Error as error:
        raise FileRefused(
            _("Row %(row)s cannot be read as CSV (%(error)s).") % {"row": 1, "error": error}
        ) from None
    _columns_check(header_row, 1)
    _header_check(header_row)
    headers = [cell.strip().lstrip("\ufeff") for cell in header_row]
    positions, columns, missing = columns_match(headers, kind, mapping or {})
    rows: list[tuple[int, list[str]]] = []
    limit = settings.IMPORTS_MAX_ROWS
    try:
        for number, cells in enumerate(records, start=2):
            if number > limit + 1:
                raise FileRefused(
                    _(
                        "The file has more than %(limit)s rows; split it into files of at "
                        "most %(limit)s rows."
                    )
                    % {"limit": limit}
                )
            _columns_check(cells, number)
            if any(cell.strip() for cell in cells):
                rows.append((number, cells))
    except csv.Error as error:
        raise FileRefused(
            _("Row %(row)s cannot be read as CSV (%(error)s).")
            % {"row": len(rows) + 2, "error": error}
        ) from None
    if not rows:
        raise FileRefused(_("The file has a header but no rows."))
    return Table(headers=headers, positions=positions, rows=rows, columns=columns, missing=missing)


def _columns_check(cells: list[str], number: int) -> None:
    if len(cells) > MAX_COLUMNS and len(_trimmed(cells)) > MAX_COLUMNS:
        raise FileRefused(
            _("Row %(row)s has more than %(limit)s columns; a file has at most %(limit)s.")
            % {"row": number, "limit": MAX_COLUMNS}
        )


def _header_check(cells: list[str]) -> None:
    for position, cell in enumerate(cells, start=1):
        if len(cell) > MAX_HEADER_LENGTH:
            raise FileRefused(
                _(
                    "The header's column %(column)s has %(length)s characters; a column name "
                    "has at most %(limit)s. The first row must name the columns."
                )
                % {"column": position, "length": len(cell), "limit": MAX_HEADER_LENGTH}
            )
        character = control_character(cell)
        if character:
            raise FileRefused(
                _(
                    "The header's column %(column)s holds a control character (%(character)s), "
                    "which no spreadsheet types: remove it."
                )
                % {"column": position, "character": character}
            )


def control_character(text: str) -> str:
    """The first character of ``text`` that no spreadsheet types (``U+0000``), or ''."""
    found = TYPED_CONTROL.search(text)
    return code_point(found.group()) if found else ""


def text_safe(text: str) -> str:
    """``text`` with the characters ``control_character`` finds replaced by U+FFFD: what a
    batch may store and show of a refused cell or a file name (PostgreSQL refuses NUL)."""
    return TYPED_CONTROL.sub("\ufffd", text)


def cells_refusal(names: Sequence[str], cells: Sequence[str]) -> str:
    """Why a row's cells (the kind's columns, ``names``) are refused before the kind reads
    them, or '': a cell too long, or holding a control character."""
    longest = max((len(cell) for cell in cells), default=0)
    if longest > MAX_CELL_LENGTH:
        return _("A cell has %(length)s characters; a cell has at most %(limit)s.") % {
            "length": longest,
            "limit": MAX_CELL_LENGTH,
        }
    for name, cell in zip(names, cells, strict=False):
        character = control_character(cell)
        if character:
            return _(
                "%(column)s: the cell holds a control character (%(character)s), which no "
                "spreadsheet types: remove it."
            ) % {"column": name, "character": character}
    return ""


def _trimmed(cells: list[str]) -> list[str]:
    """``cells`` without their trailing empty ones."""
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return cells[:end]


def _decode(content: bytes) -> str:
    if content.startswith(UTF16_BOMS):
        raise _encoding_refusal()
    if b"\x00" in content[:8192]:
        raise FileRefused(
            _("This is not a CSV or XLSX file (it holds binary data). Save it as CSV or XLSX.")
        )
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if CP1252_IMPLAUSIBLE.search(content):
        raise _encoding_refusal()
    text = content.decode("cp1252")
    if NON_ASCII_RUN.search(text):
        raise _encoding_refusal()
    return text


def _encoding_refusal() -> FileRefused:
    return FileRefused(
        _(
            "The file's text encoding is not UTF-8 nor Windows-1252. Save it as "
            "“CSV UTF-8” or as XLSX."
        )
    )


def _csv_records(text: str) -> Iterator[list[str]]:
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    # A cell above csv's field limit (128 KiB) stops the reading with csv.Error: the file is
    # refused, naming the row. Shorter cells above MAX_CELL_LENGTH are refused with their row.
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)


def _xlsx_records(content: bytes) -> Iterator[list[str]]:
    """The first sheet's rows, read one at a time: the sheet's declared dimension is ignored
    (openpyxl would pad every row to it), so a row is as wide as its last cell and the
    reading stops at the first row over a limit, before the rest is read."""
    _xlsx_size_check(content)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # zipfile's, openpyxl's or the XML parser's errors
        raise _xlsx_refusal(error) from None
    return _xlsx_rows(workbook)


def _xlsx_rows(workbook: openpyxl.Workbook) -> Iterator[list[str]]:
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        for values in sheet.iter_rows(values_only=True):
            yield _trimmed([_cell_text(value) for value in values])
    except FileRefused:
        raise
    except Exception as error:  # a damaged sheet fails while it is read
        raise _xlsx_refusal(error) from None
    finally:
        workbook.close()


def _xlsx_size_check(content: bytes) -> None:
    """Refuses, before any XML parser sees them, a workbook too large once uncompressed and
    one whose XML holds a piece no spreadsheet writes (see XML_TOKEN_LIMIT)."""
    limit = XLSX_EXPANSION * settings.IMPORTS_MAX_FILE_MB * 1024 * 1024
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            size = sum(member.file_size for member in members)
            # zipfile never gives more than a member's declared size: this bounds what is read.
            if size > limit:
                raise FileRefused(
                    _(
                        "The XLSX file holds %(size)s MB once uncompressed, more than "
                        "%(limit)s MB. Save it again from the spreadsheet, or as CSV."
                    )
                    % {"size": size // (1024 * 1024), "limit": limit // (1024 * 1024)}
                )
            for member in members:
                with archive.open(member) as stream:
                    _xml_part_check(stream)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise _xlsx_refusal(error) from None


def _xml_part_check(stream: IO[bytes]) -> None:
    """Reads a member of the workbook once, in pieces, and refuses it when it is XML holding
    a token longer than XML_TOKEN_LIMIT, too many comments or processing instructions, a
    DOCTYPE, or UTF-16 text (no spreadsheet writes any of them). Other members (images) are
    not XML: no parser reads them through."""
    chunk = stream.read(XML_READ_CHUNK)
    start = chunk.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith((*UTF16_BOMS, b"\x00", b"<\x00")):
        raise _xlsx_refusal_because("UTF-16")
    if not start.startswith(b"<"):
        return
    carry = b""
    # Where the search for comments and processing instructions goes on, in ``data``; the
    # start and end marker of one whose end is not read yet.
    position = 0
    pending: tuple[int, bytes] | None = None
    specials = 0
    while chunk:
        data = carry + chunk
        chunk = stream.read(XML_READ_CHUNK)
        while True:
            if pending is None:
                found = XML_SPECIAL.search(data, position)
                if found is None:
                    break
                if found.group().upper() == b"<!DOCTYPE":
                    raise _xlsx_refusal_because("DOCTYPE")
                specials += 1
                if specials > XML_SPECIALS_LIMIT:
                    raise _xlsx_refusal_because("XML comments")
                pending = (found.start(), b"-->" if found.group() == b"<!--" else b"?>")
                position = found.end()
            opened, marker = pending
            end = data.find(marker, position)
            if end == -1:
                if len(data) - opened > XML_TOKEN_LIMIT:
                    raise _xml_token_refusal()
                position = max(position, len(data) - len(marker) + 1)
                break
            if end + len(marker) - opened > XML_TOKEN_LIMIT:
                raise _xml_token_refusal()
            pending = None
            position = end + len(marker)
        # A tag (attributes included) holds no "<": it lies within a run without one.
        if _run_without_lt_over(data, XML_TOKEN_LIMIT):
            raise _xml_token_refusal()
        cut = max(data.rfind(b"<"), 0)
        if pending is not None:
            cut = min(cut, pending[0])
            pending = (pending[0] - cut, pending[1])
        carry = data[cut:]
        position = max(0, position - cut)


def _run_without_lt_over(data: bytes, limit: int) -> bool:
    """Whether ``data`` holds more than ``limit`` bytes in a row without a "<", in time
    linear in its length: every window of limit / 2 bytes holding one, no run is longer."""
    window = max(limit // 2, 1)
    start = 0
    while start < len(data):
        end = min(start + window, len(data))
        if data.find(b"<", start, end) != -1:
            start = end
            continue
        after = data.find(b"<", end)
        after = len(data) if after == -1 else after
        if after - data.rfind(b"<", 0, start) - 1 > limit:
            return True
        start = after + 1
    return False


def _xml_token_refusal() -> FileRefused:
    return FileRefused(
        _(
            "The XLSX file holds a piece of XML longer than %(limit)s KB, which no spreadsheet "
            "writes. Save it again from the spreadsheet, or as CSV."
        )
        % {"limit": XML_TOKEN_LIMIT // 1024}
    )


def _xlsx_refusal(error: Exception) -> FileRefused:
    return _xlsx_refusal_because(error.__class__.__name__)


def _xlsx_refusal_because(reason: str) -> FileRefused:
    return FileRefused(
        _("The XLSX file cannot be read (%(error)s). Save it again from the spreadsheet.")
        % {"error": reason}
    )


def _cell_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    return str(value)


def columns_kept(headers: list[str], columns: Sequence[Column]) -> list[tuple[str, int]]:
    """(column name, position) of each header of ``headers`` naming one of ``columns`` (the
    first, when given twice), in the headers' order; the others are left out."""
    by_key = {accepted: column for column in columns for accepted in column.accepted}
    kept: dict[str, int] = {}
    for index, header in enumerate(headers):
        column = by_key.get(header_key(header))
        if column is not None and column.name not in kept:
            kept[column.name] = index
    return list(kept.items())


def columns_match(
    headers: list[str], kind: ImportKind, mapping: Mapping[str, str]
) -> tuple[dict[str, int], list[FileColumn], list[str]]:
    """Column name -> position of the header read as it, every named column of the file and
    how it is read, and the required columns missing. ``mapping`` (header key -> column
    name, or IGNORE) comes first, then the columns' accepted names. Refused when a column is
    given twice, or a required one is missing and no column of the file could be it."""
    names = set(kind.column_names())
    reasons = _reasons_headers()
    positions: dict[str, int] = {}
    columns: list[FileColumn] = []
    for index, header in enumerate(headers):
        if not header:
            continue
        key = header_key(header)
        chosen = mapping.get(key)
        if chosen == IGNORE:
            columns.append(FileColumn(header, "", IGNORED))
            continue
        if chosen in names:
            name, how = chosen, MAPPED
        elif named := column_named(kind, header):
            name, how = named, BY_NAME
        else:
            columns.append(FileColumn(header, "", REASONS if key in reasons else UNKNOWN))
            continue
        if name in positions:
            raise FileRefused(
                _("The column %(column)s is given twice (%(first)s and %(second)s).")
                % {"column": name, "first": headers[positions[name]], "second": header}
            )
        positions[name] = index
        columns.append(FileColumn(header, name, how))
    missing = [
        column for column in kind.columns if column.required and column.name not in positions
    ]
    if missing and not any(column.how == UNKNOWN for column in columns):
        raise FileRefused(
            _("Missing columns: %(columns)s. The first row must name the columns.")
            % {
                "columns": ", ".join(
                    f"{column.name} ({' / '.join(column.aliases[:3])})"
                    if column.aliases
                    else column.name
                    for column in missing
                )
            }
        )
    return positions, columns, [column.name for column in missing]


def column_named(kind: ImportKind, header: str) -> str:
    """The kind's column ``header`` names (its name or an accepted one), "" when none."""
    key = header_key(header)
    for column in kind.columns:
        if key in column.accepted:
            return column.name
    return ""


def _reasons_headers() -> set[str]:
    """The header of the reasons column of a refused-rows CSV, in every language: a file
    given back is uploaded again with it, and it is never read."""
    found = set()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            found.add(header_key(_("reason")))
    return found
