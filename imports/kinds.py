"""What can be imported from a file, declared by the apps that own it.

An **import kind** is one class: the columns it reads (each with its accepted names), the
permission needed to import it, a template row, and ``import_rows`` (or, row by row,
``import_row`` of a ``RowByRowImport``), which turns rows into calls of the owning app's
services, with ``RowRefused`` and the operator's message for a row that cannot be imported.
Apps register their kinds in ``AppConfig.ready`` (``imports.kinds.register(InvoiceImport())``);
the machinery here (reading files, batches, the preview, policies, the Celery job, the reports,
the command line) never branches on kinds.
See docs/imports.md.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from core.refusals import Refused

if TYPE_CHECKING:
    from django.contrib.auth.models import User


logger = logging.getLogger(__name__)


T = TypeVar("T")


class RowRefused(Refused):
    """This row is not imported: each reason tells the operator why, with the column it is
    about (by the kind's name for it; a run names it as the file spells it, ``text``)."""

    def __init__(self, message: str, *, column: str = "") -> None:
        self.reasons: list[tuple[str, str]] = [(column, str(message))]
        super().__init__(str(message))

    @classmethod
    def of(cls, refusals: Sequence[RowRefused]) -> RowRefused:
        """One refusal telling every reason of ``refusals``."""
        combined = cls("")
        combined.reasons = [reason for refusal in refusals for reason in refusal.reasons]
        return combined

    @property
    def message(self) -> str:
        return self.text()

    def __str__(self) -> str:
        return self.text()

    def text(self, spelled: Mapping[str, str] | None = None) -> str:
        """Every reason, each after its column as ``spelled`` names it (the file's header
        for each column name), joined by "; ": ``Data_Emissao: ...; Valor: ...``."""
        spelled = spelled or {}
        parts = []
        for index, (column, message) in enumerate(self.reasons):
            if index < len(self.reasons) - 1:
                message = message.rstrip(".")
            parts.append(f"{spelled.get(column, column)}: {message}" if column else message)
        return "; ".join(parts)


class RowCheck:
    """Reads a row's cells, keeping every refusal instead of stopping at the first: the
    operator fixes the row once, told every reason (``done`` raises them together)."""

    def __init__(self) -> None:
        self.refusals: list[RowRefused] = []

    def take(self, read: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """``read(*args, **kwargs)``, or None when it refuses (the refusal kept)."""
        try:
            return read(*args, **kwargs)
        except RowRefused as refusal:
            self.refusals.append(refusal)
            return None

    def done(self) -> None:
        if self.refusals:
            raise RowRefused.of(self.refusals)


@dataclass(frozen=True)
class Column:
    """A column: its name (the one in the template) and the other names accepted for it
    (those ERPs write). Names match as ``header_key`` compares them (``Nº da Nota`` is
    ``numero_nota``)."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False

    @property
    def accepted(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(header_key(name) for name in (self.name, *self.aliases)))


@dataclass(frozen=True)
class RowOutcome:
    """What a row did (or, in a preview, will do): a line for the operator, and whether it
    writes something new (False: the same thing was already done, nothing new is sent)."""

    message: str
    created: bool = True
    reference: str = ""


@dataclass
class ImportContext:
    """What a kind's ``import_row`` knows of the run: who imports, which batch (None for a
    dry run of the command line), and whether this run will be rolled back (preview)."""

    user: User | None
    batch_id: int | None
    file_name: str
    dry_run: bool
    # The row being imported, numbered as in the spreadsheet (the header is row 1).
    row_number: int = 0
    # Free room for a kind's checks across rows (numbers already seen in the file...).
    state: dict[str, Any] = field(default_factory=dict)


class ImportKind(ABC):
    """One kind of import. Subclasses set the class attributes and implement
    ``import_rows``; a kind whose app imports one row at a time subclasses
    ``RowByRowImport`` and implements ``import_row`` instead."""

    name: ClassVar[str]
    label: ClassVar[str | Promise]
    # Needed to import this kind (app label included), in the admin and for the button.
    permission: ClassVar[str]
    columns: ClassVar[Sequence[Column]]
    # Shown on the upload page above the columns: what the file holds, value formats.
    description: ClassVar[str | Promise] = ""
    # Example rows of the downloadable template, by column name.
    example_rows: ClassVar[Sequence[dict[str, str]]] = ()

    # An optional hook, not an abstract one: most kinds read nothing ahead of their rows.
    def prepare(self, rows: Iterable[dict[str, str]], context: ImportContext) -> None:  # noqa: B027
        """Called once before the rows with all of them (read what a row needs in bulk)."""

    # Rows handed to ``import_rows`` at once.
    chunk_size: ClassVar[int] = 500

    @abstractmethod
    def import_rows(
        self, rows: Sequence[tuple[int, dict[str, str]]], context: ImportContext
    ) -> list[RowOutcome | RowRefused]:
        """Import ``(row number, row)`` pairs (cells by column name, stripped, '' when empty)
        through the owning app's services, in the run's transaction: each outcome or refusal
        in order. A refused row must leave nothing written."""

    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]


class RowByRowImport(ImportKind):
    """A kind whose app imports one row at a time: each row through ``import_row`` in a
    savepoint of its own, so a refused row leaves nothing."""

    @abstractmethod
    def import_row(self, row: dict[str, str], context: ImportContext) -> RowOutcome:
        """Import one row (cells by column name, stripped, '' when empty) through the owning
        app's services; raise ``RowRefused`` to refuse it."""

    def import_rows(
        self, rows: Sequence[tuple[int, dict[str, str]]], context: ImportContext
    ) -> list[RowOutcome | RowRefused]:
        outcomes: list[RowOutcome | RowRefused] = []
        for number, row in rows:
            context.row_number = number
            try:
                with transaction.atomic():
                    outcomes.append(self.import_row(row, context))
            except RowRefused as refusal:
                outcomes.append(refusal)
            except ValidationError as error:
                outcomes.append(RowRefused(" ".join(error.messages)))
            except Exception:
                # A bug must not cost the other rows nor show a traceback: refused, logged.
                logger.exception("import %s: row %s failed", self.name, number)
                outcomes.append(
                    RowRefused(_("This row could not be imported (an internal error, logged)."))
                )
        return outcomes


_KINDS: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> None:
    if kind.name in _KINDS and type(_KINDS[kind.name]) is not type(kind):
        raise ValueError(f"import kind {kind.name!r} is registered twice")
    _KINDS[kind.name] = kind


def import_kind(name: str) -> ImportKind:
    """The registered kind ``name``; KeyError when there is none."""
    return _KINDS[name]


def import_kinds() -> list[ImportKind]:
    return list(_KINDS.values())


def kind_choices() -> list[tuple[str, str]]:
    return [(kind.name, str(kind.label)) for kind in _KINDS.values()]


# Words a header is spelled with, or without, that do not change which column it is: the
# ways of writing "number" (Nº, No., N°, Nr., Nro., Num., Núm., Número), the abbreviations
# ERP reports print (Cód., Vlr., Dt., Qtd.) and the joining words (Data de Emissão is Data
# Emissão; "Preço De", the price before a discount, keeps its "De").
NUMBER_WORDS = frozenset({"n", "no", "nr", "nro", "num", "numero"})
ABBREVIATIONS = {
    "cod": "codigo",
    "vlr": "valor",
    "vl": "valor",
    "dt": "data",
    "qtd": "quantidade",
    "qtde": "quantidade",
}
JOINING_WORDS = frozenset({"de", "da", "do", "das", "dos"})
WORD = re.compile(r"[^\W_]+")


def header_key(name: str) -> str:
    """A header as compared, the one home of the rule: without accents, case or punctuation
    (spaces, hyphens, dots, slashes, underscores separate words), "NF-e" as ``nfe``, every
    way of writing "number" as ``numero``, abbreviations in full, without "de/da/do/das/dos"
    between two words:
    ``Nº da NF-e`` -> ``numero_nfe``, ``Cód. Rastreio`` -> ``codigo_rastreio``. A header of
    punctuation only is itself."""
    text = name.strip().lstrip("\ufeff").strip()
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    found = WORD.findall(plain)
    words: list[str] = []
    for index, word in enumerate(found):
        if word == "e" and words and words[-1] == "nf":
            words[-1] = "nfe"
        elif word in NUMBER_WORDS:
            words.append("numero")
        elif word in JOINING_WORDS and 0 < index < len(found) - 1:
            # Between two words only: "Preço De" (the price before a discount) keeps it.
            continue
        else:
            words.append(ABBREVIATIONS.get(word, word))
    return "_".join(words) or text


def headers_signature(headers: Iterable[str]) -> str:
    """What identifies a file's header whatever its columns' order and spelling variants:
    the ERP export that gave it (a remembered column mapping is found by it)."""
    keys = sorted({header_key(header) for header in headers if header.strip()})
    return hashlib.sha256("\n".join(keys).encode()).hexdigest()
