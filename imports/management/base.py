"""The base of the import commands (``import_invoices``, ``import_skus``...): a file, a policy,
``--dry-run``; a row-by-row report of the refused rows, a summary line, and exit status 1
when a row was refused (2 when the file cannot be read). Without ``--dry-run`` the run is
recorded as an import batch (source ``command``), like the admin's; a batch that fails (or a
Ctrl-C) ends failed with the reason, exit status 2."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from imports.files import FileRefused, table_read, text_safe
from imports.kinds import ImportKind, import_kind
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

    def kind_name_for(self, options: dict[str, Any]) -> str:
        return self.kind_name

    def handle(self, *args: Any, **options: Any) -> None:
        kind = import_kind(self.kind_name_for(options))
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror or error}", returncode=2) from None
        try:
            table = table_read(content, file_name=path.name, kind=kind)
        except FileRefused as refusal:
            raise CommandError(f"{path.name}: {refusal.message}", returncode=2) from None
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
            batch = self._batch_import(kind, path.name, content, len(table), options["policy"])
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

    def _batch_import(
        self, kind: ImportKind, file_name: str, content: bytes, total: int, policy: str
    ) -> ImportBatch:
        with transaction.atomic():
            batch = ImportBatch.objects.create(
                kind=kind.name,
                file_name=text_safe(file_name)[:255],
                content=content,
                source="command",
                policy=policy,
                status=BatchStatus.IMPORTING,
                total_rows=total,
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
        else:
            assert report is not None
            refused = [(row.number, row.message) for row in report.refused]
            valid = report.valid_count
            imported = 0
            written = False
        for number, message in refused:
            self.stderr.write(f"{file_name}: {row_label(number, message)}")
        if dry_run:
            outcome = "dry run: nothing written, nothing sent"
        elif written:
            outcome = f"{imported} imported (batch {batch.pk})"
        else:
            outcome = f"nothing imported, policy all-or-nothing (batch {batch.pk})"
        self.stdout.write(
            f"{file_name}: {table_rows} rows, {valid} valid, {len(refused)} refused; {outcome}."
        )
        if refused:
            sys.stdout.flush()
            raise CommandError(f"{len(refused)} of {table_rows} rows refused.", returncode=1)
