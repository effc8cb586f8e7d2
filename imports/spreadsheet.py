"""Cells a spreadsheet would run as formulas, neutralised in every file the back office
writes (exports, the refused rows of an import)."""

from __future__ import annotations

import csv
import io
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import openpyxl
from django.conf import settings
from django.http import StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from import_export.admin import ExportMixin
from import_export.formats.base_formats import Format
from import_export.widgets import Widget
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# What Excel, LibreOffice and Google Sheets read as the start of a formula (OWASP "CSV
# injection"): =, +, -, @, and tab or carriage return before them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_safe(value: Any) -> Any:
    """Text that would start a formula, prefixed with an apostrophe (shown as text);
    anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


# --- Files the back office writes for people and for machines -----------------------------------
# An export's cells arrive as Python values: text, numbers, Decimal (money, in reais), dates and
# aware datetimes. Each format below writes them the way its reader expects, row by row, so that
# a list of any length streams in constant memory.


@dataclass(frozen=True)
class Column:
    key: str  # the field's name: the header machines read
    label: str  # the header people read, in the active language


class NativeValue(Widget):
    """An export column's widget that hands the value on as it is (a Decimal, a datetime):
    the streamed formats write each type their own way."""

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> Any:
        return value


class StreamedFormat(Format, ABC):
    """A django-import-export format that the admin streams (see ``StreamedExportMixin``)
    instead of building a ``tablib.Dataset`` of the whole list in memory."""

    title: str | Promise = ""
    extension = ""
    content_type = ""

    def get_title(self) -> str:
        return str(self.title)

    def get_extension(self) -> str:
        return self.extension

    def get_content_type(self) -> str:
        return self.content_type

    def is_binary(self) -> bool:
        return True

    def can_import(self) -> bool:
        return False

    def can_export(self) -> bool:
        return True

    @abstractmethod
    def stream(self, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
        """The file, in chunks, as the rows are read."""


# Per language: the separator and the date forms a spreadsheet in that language reads as values.
SPREADSHEET_CONVENTIONS = {
    "pt-br": (";", "%d/%m/%Y %H:%M", "%d/%m/%Y"),
    "en": (",", "%Y-%m-%d %H:%M", "%Y-%m-%d"),
}


def _conventions() -> tuple[str, str, str]:
    language = (translation.get_language() or settings.LANGUAGE_CODE).lower()
    return SPREADSHEET_CONVENTIONS.get(language, SPREADSHEET_CONVENTIONS["en"])


class _Lines:
    """A csv writer's file: each row written is handed out as bytes, then forgotten."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()

    def write(self, text: str) -> None:
        self.buffer.write(text)

    def take(self) -> bytes:
        data = self.buffer.getvalue().encode("utf-8")
        self.buffer.seek(0)
        self.buffer.truncate()
        return data


class _CSV(StreamedFormat, ABC):
    extension = "csv"
    content_type = "text/csv; charset=utf-8"
    bom = False
    conventions = SPREADSHEET_CONVENTIONS["en"]  # the language's, from the start of a stream

    @abstractmethod
    def cell(self, value: Any) -> str:
        """One value as this dialect writes it."""

    @abstractmethod
    def header(self, column: Column) -> str:
        """One column's header as this dialect writes it."""

    def delimiter(self) -> str:
        return ","

    def stream(self, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
        self.conventions = _conventions()
        lines = _Lines()
        writer = csv.writer(lines, delimiter=self.delimiter(), lineterminator="\r\n")
        writer.writerow([cell_safe(self.header(column)) for column in columns])
        yield ("\ufeff".encode() if self.bom else b"") + lines.take()
        for row in rows:
            writer.writerow([cell_safe(self.cell(value)) for value in row])
            yield lines.take()


class SpreadsheetCSV(_CSV):
    """The CSV a spreadsheet in the operator's language opens as a table: a UTF-8 BOM (Excel
    reads UTF-8 only with it), ``;`` between cells in pt-BR (the comma is its decimal mark),
    money as ``1.234,56``, dates as ``06/12/2026 18:20`` in local time, headers in words."""

    title = gettext_lazy("CSV for Excel (your language)")
    bom = True

    def delimiter(self) -> str:
        return self.conventions[0]

    def header(self, column: Column) -> str:
        return str(column.label)

    def cell(self, value: Any) -> str:
        _separator, datetime_form, date_form = self.conventions
        if value is None:
            return ""
        if isinstance(value, datetime):
            return timezone.localtime(value).strftime(datetime_form)
        if isinstance(value, date):
            return value.strftime(date_form)
        if isinstance(value, Decimal):
            return number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
        return str(value)


class MachineCSV(_CSV):
    """The CSV for programs: UTF-8 without BOM, commas, ``1234.56``, ISO 8601 dates with their
    offset, the fields' names as headers (the same in every language)."""

    title = gettext_lazy("CSV for programs (UTF-8, comma, ISO dates)")

    def header(self, column: Column) -> str:
        return column.key

    def cell(self, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return timezone.localtime(value).isoformat()
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return f"{value:.2f}"
        return str(value)


class TypedXLSX(StreamedFormat):
    """An XLSX whose cells have their types: money is a number shown as ``R$ 1.234,56``, dates
    are dates in local time, text is text (a text cell is never read as a formula, so it needs
    no apostrophe). Written row by row (openpyxl's write-only mode, into a temporary file)."""

    title = gettext_lazy("Excel (XLSX)")
    extension = "xlsx"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    MONEY = '"R$" #,##0.00;-"R$" #,##0.00'
    DATETIME = "dd/mm/yyyy hh:mm"
    DATE = "dd/mm/yyyy"
    CHUNK = 64 * 1024

    def stream(self, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append([self._cell(sheet, str(column.label)) for column in columns])
        for row in rows:
            sheet.append([self._cell(sheet, value) for value in row])
        with tempfile.TemporaryFile() as handle:
            book.save(handle)
            handle.seek(0)
            while chunk := handle.read(self.CHUNK):
                yield chunk

    def _cell(self, sheet: Any, value: Any) -> WriteOnlyCell:
        if value is None or value == "":
            return WriteOnlyCell(sheet, value=None)
        if isinstance(value, datetime):
            cell = WriteOnlyCell(sheet, value=timezone.localtime(value).replace(tzinfo=None))
            cell.number_format = self.DATETIME
        elif isinstance(value, date):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = self.DATE
        elif isinstance(value, Decimal):
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = self.MONEY
        elif isinstance(value, bool | int | float):
            cell = WriteOnlyCell(sheet, value=value)
        else:
            # Text, whatever it starts with: a string cell, never a formula. Characters XML
            # cannot hold (control characters) would refuse the whole file: shown as U+FFFD.
            cell = WriteOnlyCell(sheet, value=None)
            cell.value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(value))
            cell.data_type = "s"
        return cell


class StreamedExportMixin(ExportMixin):
    """django-import-export's export page, with ``StreamedFormat`` files streamed as the list
    is read (``resource.iter_queryset``: chunks of rows, constant memory, the first bytes at
    once), for lists of any length."""

    formats = (SpreadsheetCSV, TypedXLSX, MachineCSV)

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        if not isinstance(file_format, StreamedFormat):
            return super()._do_file_export(file_format, request, queryset, export_form)
        resource = self.choose_export_resource_class(export_form, request)(
            **self.get_export_resource_kwargs(request)
        )
        selected = self.get_export_resource_fields_from_form(export_form)
        fields = resource.get_export_fields(selected)
        columns = [Column(resource.get_field_name(field), field.column_name) for field in fields]
        language = translation.get_language()

        def chunks() -> Iterator[bytes]:
            # The body is written after the view returns: in the language of the request.
            with translation.override(language):
                rows = (
                    [resource.export_field(field, instance) for field in fields]
                    for instance in resource.iter_queryset(queryset)
                )
                yield from file_format.stream(columns, rows)

        response = StreamingHttpResponse(chunks(), content_type=file_format.get_content_type())
        filename = self.get_export_filename(request, queryset, file_format)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
