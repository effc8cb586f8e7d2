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

import logging
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser


logger = logging.getLogger(__name__)


class RowRefused(Exception):
    """This row is not imported; ``message`` tells the operator why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = str(message)


@dataclass(frozen=True)
class Column:
    """A column: its name (the one in the template) and the other names accepted for it.
    Names match whatever their case and accents (``Número_Nota`` is ``numero_nota``)."""

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

    user: AbstractBaseUser | None
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


def header_key(name: str) -> str:
    """A header as compared: no accents, lower case, spaces and hyphens as underscores."""
    decomposed = unicodedata.normalize("NFKD", name.strip().lstrip("\ufeff"))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return "_".join(plain.lower().replace("-", " ").split())
