"""The base of the import commands (``import_invoices``, ``import_skus``...): a file, a policy,
``--dry-run``, ``--map "Header=column"`` and ``--ignore-column Header``; a row-by-row report of
the refused rows, a summary line, and exit status 1 when a row was refused (2 when the file
cannot be read, or has a column the import neither reads, maps nor is told to ignore: a cron
job never sends an invoice without the key its file carried). Without ``--dry-run`` the run
is recorded as an import batch (source ``command``), like the admin's; a batch that fails (or
a Ctrl-C) ends failed with the reason, exit status 2.

The command reads a file only as its arguments say, never as a mapping remembered from the
admin: the same command line reads the same file the same way, whoever clicked what."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from imports.files import IGNORE, FileRefused, Table, table_read, text_safe
from imports.kinds import ImportKind, header_key, import_kind
from imports.models import BatchStatus, ImportBatch, ImportPolicy
from imports.services import RunReport, batch_step, row_label, rows_run


class ImportCommand(BaseCommand):
    """Subclasses set ``kind_name`` (or override ``kind_name_for``) and ``help``."""

    kind_name = ""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV or XLSX file with a header row")
        parser.add_argument(
            "--policy",
            choices=ImportPolicy.values,
            default=ImportPolicy.ALL_OR_NOTHING,
            help="all-or-nothing (default): one refused row and nothing is written; "
            "valid-rows: import the valid rows and report the others",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check every row and report; write nothing, send nothing",
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar='"HEADER=COLUMN"',
            help="read the file's column HEADER as the import's COLUMN, e.g. --map \"Chave de "
            'Acesso=invoice_key" (repeatable)',
        )
        parser.add_argument(
            "--ignore-column",
            action="append",
            default=[],
            metavar="HEADER",
            help="leave the file's column HEADER out, its cells unread (repeatable)",
        )

    def kind_name_for(self, options: dict[str, Any]) -> str:
        return self.kind_name

    def handle(self, *args: Any, **options: Any) -> None:
        kind = import_kind(self.kind_name_for(options))
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror or error}", returncode=2) from None
        mapping = self._mapping(kind, options["map"], options["ignore_column"])
        try:
            table = table_read(content, file_name=path.name, kind=kind, mapping=mapping)
        except FileRefused as refusal:
            raise CommandError(f"{path.name}: {refusal.message}", returncode=2) from None
        self._columns_check(path.name, kind, table)
        if options["dry_run"]:
            report = rows_run(
                kind=kind,
                table=table,
                user=None,
                policy=options["policy"],
                dry_run=True,
                file_name=path.name,
            )
            batch = None
        else:
            batch = self._batch_import(kind, path.name, content, table, mapping, options["policy"])
            report = None
            if batch.status == BatchStatus.FAILED:
                raise CommandError(
                    f"{path.name}: batch {batch.pk} failed: {batch.error}", returncode=2
                )
        self._report(
            path.name,
            kind,
            table_rows=len(table),
            report=report,
            batch=batch,
            dry_run=options["dry_run"],
        )

    def _mapping(self, kind: ImportKind, maps: list[str], ignored: list[str]) -> dict[str, str]:
        """--map and --ignore-column as a column mapping (header key -> column, or IGNORE)."""
        names = kind.column_names()
        mapping: dict[str, str] = {}
        for given in maps:
            header, equals, name = given.rpartition("=")
            if not equals or not header.strip() or name.strip() not in names:
                raise CommandError(
                    _('--map “%(given)s”: write --map "HEADER=COLUMN", COLUMN one of %(columns)s.')
                    % {"given": given, "columns": ", ".join(names)},
                    returncode=2,
                )
            mapping[header_key(header)] = name.strip()
        for header in ignored:
            mapping[header_key(header)] = IGNORE
        return mapping

    def _columns_check(self, file_name: str, kind: ImportKind, table: Table) -> None:
        """Exit 2 when a column is neither read, mapped nor ignored, or a required column is
        read from none: naming each and the two ways out."""
        problems = []
        for header in table.unknown:
            problems.append(
                _(
                    "the column “%(header)s” is not read by this import: read it as one of "
                    'its columns with --map "%(header)s=COLUMN" (%(columns)s), or leave it '
                    'out with --ignore-column "%(header)s".'
                )
                % {"header": header, "columns": ", ".join(kind.column_names())}
            )
        if table.missing:
            problems.append(
                ngettext(
                    "no column of the file is read as %(columns)s, which is required: name "
                    'the file\'s column with --map "HEADER=COLUMN".',
                    "no column of the file is read as %(columns)s, which are required: name "
                    'the file\'s columns with --map "HEADER=COLUMN".',
                    len(table.missing),
                )
                % {"columns": ", ".join(table.missing)}
            )
        if problems:
            for problem in problems:
                self.stderr.write(f"{file_name}: {problem}")
            raise CommandError(
                ngettext(
                    "%(count)s column problem: nothing imported.",
                    "%(count)s column problems: nothing imported.",
                    len(problems),
                )
                % {"count": len(problems)},
                returncode=2,
            )

    def _batch_import(
        self,
        kind: ImportKind,
        file_name: str,
        content: bytes,
        table: Table,
        mapping: dict[str, str],
        policy: str,
    ) -> ImportBatch:
        with transaction.atomic():
            batch = ImportBatch.objects.create(
                kind=kind.name,
                file_name=text_safe(file_name)[:255],
                content=content,
                source="command",
                policy=policy,
                status=BatchStatus.IMPORTING,
                headers=table.kept_headers,
                columns=[column.as_dict() for column in table.columns],
                column_mapping=mapping,
                total_rows=len(table),
                confirmed_at=timezone.now(),
            )
        return batch_step(batch=batch, step="import")

    def _report(
        self,
        file_name: str,
        kind: ImportKind,
        *,
        table_rows: int,
        report: RunReport | None,
        batch: ImportBatch | None,
        dry_run: bool,
    ) -> None:
        if batch is not None:
            refused = [
                (row.number, row.message)
                for row in batch.rows.filter(status="refused").order_by("number")
            ]
            valid = batch.valid_rows
            imported = batch.imported_rows
            written = batch.status == BatchStatus.IMPORTED
        elif report is None:
            raise ValueError("a report of the rows needs the batch or the dry run's report")
        else:
            refused = [(row.number, row.message) for row in report.refused]
            valid = report.valid_count
            imported = 0
            written = False
        for number, message in refused:
            self.stderr.write(f"{file_name}: {row_label(number, message)}")
        # A dry run writes no batch (``handle``).
        if dry_run or batch is None:
            outcome = _("dry run: nothing written, nothing sent")
        elif written:
            outcome = _("%(imported)s imported (batch %(batch)s)") % {
                "imported": imported,
                "batch": batch.pk,
            }
        else:
            outcome = _("nothing imported, policy all-or-nothing (batch %(batch)s)") % {
                "batch": batch.pk
            }
        summary = _("%(rows)s rows, %(valid)s valid, %(refused)s refused; %(outcome)s.") % {
            "rows": table_rows,
            "valid": valid,
            "refused": len(refused),
            "outcome": outcome,
        }
        self.stdout.write(f"{file_name}: {summary}")
        if refused:
            sys.stdout.flush()
            raise CommandError(
                _("%(refused)s of %(rows)s rows refused.")
                % {"refused": len(refused), "rows": table_rows},
                returncode=1,
            )
