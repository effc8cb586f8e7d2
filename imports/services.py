"""Running an import: every row of a file through its kind's ``import_row``, in one
transaction, each row in its own savepoint; committed or rolled back as the policy says.

- The check (the admin's preview, ``--dry-run``) always rolls back: the kinds call their
  services for real, so the preview refuses exactly what the import would, and nothing is
  written nor sent (commands go to the broker only on commit).
- The import commits the valid rows, or nothing when the policy is all-or-nothing and a row
  was refused.
- Every column of the file is read, or left out on purpose: a column nothing reads stops the
  import until the operator maps it to a column or ignores it (remembered for the next file
  with the same header, ``batch_columns_set``), and a file read with mapped or ignored columns
  is confirmed only once the operator says they checked them.

A file above ``IMPORTS_ASYNC_ROWS`` rows is checked and imported by a Celery job
(``imports.batch_run``), which reports its progress on the batch.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.celery import app as celery_app
from imports.files import (
    IGNORE,
    IGNORED,
    MAPPED,
    MAX_CELL_LENGTH,
    UNKNOWN,
    FileRefused,
    Table,
    columns_kept,
    table_read,
)
from imports.kinds import (
    ImportContext,
    ImportKind,
    RowRefused,
    header_key,
    headers_signature,
    import_kind,
)
from imports.models import (
    BatchStatus,
    ColumnMapping,
    ImportBatch,
    ImportPolicy,
    ImportRow,
    RowStatus,
)
from imports.spreadsheet import cell_safe

logger = logging.getLogger(__name__)

RUN_TASK = "imports.batch_run"


class BatchRefused(Exception):
    """The operator cannot do this to the batch now; ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = str(message)


@dataclass(frozen=True)
class RowResult:
    number: int
    status: RowStatus
    message: str
    reference: str = ""
    cells: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunReport:
    rows: list[RowResult]
    # True: the valid rows were written (and their commands will be sent).
    committed: bool

    @property
    def refused(self) -> list[RowResult]:
        return [row for row in self.rows if row.status == RowStatus.REFUSED]

    @property
    def valid_count(self) -> int:
        return len(self.rows) - len(self.refused)

    @property
    def imported_count(self) -> int:
        return sum(1 for row in self.rows if row.status == RowStatus.IMPORTED)


def row_label(number: int, message: str) -> str:
    """``row 7: Unknown order ...`` (``linha 7: ...`` in Portuguese)."""
    return _("row %(number)s: %(message)s") % {"number": number, "message": message}


def rows_run(
    *,
    kind: ImportKind,
    table: Table,
    user: AbstractBaseUser | None,
    policy: ImportPolicy | str,
    dry_run: bool,
    batch_id: int | None = None,
    file_name: str = "",
    progress: Callable[[int], None] | None = None,
    finish: Callable[[RunReport], bool] | None = None,
) -> RunReport:
    """Run every row; commit unless ``dry_run`` or (all-or-nothing and a row was refused).

    ``finish``, when given, runs inside the transaction just before it commits with what
    the run did; returning False rolls the run back (the batch was taken by another run).
    """
    context = ImportContext(user=user, batch_id=batch_id, file_name=file_name, dry_run=dry_run)
    results: list[RowResult] = []
    with transaction.atomic():
        # A row keeps only the kind's cells: the file's other columns are not its business.
        rows = [(number, table.kept(cells), table.mapped(cells)) for number, cells in table.rows]
        if table.missing:
            # No column of the file is read as a required one yet: the operator chooses one.
            refusal = RowRefused.of([_missing_refusal(name) for name in table.missing])
            results = [_refused(number, refusal.text(), cells) for number, cells, _row in rows]
            rows = []
        else:
            kind.prepare([row for _number, _cells, row in rows], context)
        for start in range(0, len(rows), kind.chunk_size):
            chunk = rows[start : start + kind.chunk_size]
            results.extend(_chunk_run(kind, chunk, context, dry_run=dry_run, spelled=table.spelled))
            if progress is not None:
                progress(start + len(chunk))
        refused = any(result.status == RowStatus.REFUSED for result in results)
        commit = not dry_run and not (refused and policy == ImportPolicy.ALL_OR_NOTHING)
        if not commit:
            results = [_not_written(result) for result in results]
        report = RunReport(rows=results, committed=commit)
        if finish is not None and not finish(report):
            commit = False
        if not commit:
            transaction.set_rollback(True)
    return report


def _missing_refusal(name: str) -> RowRefused:
    return RowRefused(
        _("no column of the file is read as it: choose one in the file's columns."), column=name
    )


def _chunk_run(
    kind: ImportKind,
    chunk: list[tuple[int, list[str], dict[str, str]]],
    context: ImportContext,
    *,
    dry_run: bool,
    spelled: Mapping[str, str],
) -> list[RowResult]:
    results: dict[int, RowResult] = {}
    wanted: list[tuple[int, dict[str, str]]] = []
    cells_of = {number: cells for number, cells, _row in chunk}
    for number, cells, _row in chunk:
        if any(len(cell) > MAX_CELL_LENGTH for cell in cells):
            longest = max(len(cell) for cell in cells)
            results[number] = _refused(
                number,
                _("A cell has %(length)s characters; a cell has at most %(limit)s.")
                % {"length": longest, "limit": MAX_CELL_LENGTH},
                cells,
            )
        else:
            wanted.append((number, _row))
    try:
        # A savepoint: a kind that fails half-way through a chunk leaves nothing of it.
        with transaction.atomic():
            outcomes = kind.import_rows(wanted, context) if wanted else []
        if len(outcomes) != len(wanted):
            raise RuntimeError(f"{kind.name}.import_rows gave {len(outcomes)} outcomes")
    except Exception:
        # A bug must not cost the other chunks or show a traceback: its rows are refused.
        logger.exception("import %s: rows %s to %s failed", kind.name, chunk[0][0], chunk[-1][0])
        outcomes = [
            RowRefused(_("This row could not be imported (an internal error, logged)."))
        ] * len(wanted)
    for (number, _row), outcome in zip(wanted, outcomes, strict=True):
        if isinstance(outcome, RowRefused):
            # Each reason names its column as the file spells it.
            results[number] = _refused(number, outcome.text(spelled), cells_of[number])
            continue
        if not outcome.created:
            status = RowStatus.UNCHANGED
        else:
            status = RowStatus.VALID if dry_run else RowStatus.IMPORTED
        results[number] = RowResult(
            number=number, status=status, message=outcome.message, reference=outcome.reference
        )
    return [results[number] for number, _cells, _row in chunk]


def _refused(number: int, message: str, cells: list[str]) -> RowResult:
    kept = tuple(cell[:MAX_CELL_LENGTH] for cell in cells)
    return RowResult(number=number, status=RowStatus.REFUSED, message=message, cells=kept)


def _not_written(result: RowResult) -> RowResult:
    if result.status == RowStatus.IMPORTED:
        return RowResult(
            number=result.number,
            status=RowStatus.VALID,
            message=result.message,
            reference=result.reference,
        )
    return result


# --- Batches ------------------------------------------------------------------------------------


def batch_create(
    *,
    kind_name: str,
    file_name: str,
    content: bytes,
    user: AbstractBaseUser | None,
    policy: ImportPolicy | str = ImportPolicy.ALL_OR_NOTHING,
    source: str = "admin",
) -> ImportBatch:
    """Record an uploaded file as a batch and check it (now, or by a worker when it is large).

    Raises ``FileRefused`` (nothing recorded) when the file cannot be read as rows.
    """
    kind = import_kind(kind_name)
    table = table_read(content, file_name=file_name, kind=kind)
    remembered = column_mapping_remembered(kind_name=kind.name, headers=table.headers)
    if remembered:
        table = table.remapped(kind, remembered)
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            kind=kind.name,
            file_name=file_name[:255],
            content=content,
            user=user,
            source=source,
            policy=policy,
            headers=table.kept_headers,
            columns=[column.as_dict() for column in table.columns],
            column_mapping=remembered,
            total_rows=len(table),
        )
        if _runs_in_worker(batch):
            transaction.on_commit(lambda: _dispatch(batch.pk, "check"), robust=True)
            return batch
    batch_check(batch=batch, table=table)
    return batch


def batch_check(*, batch: ImportBatch, table: Table | None = None) -> ImportBatch:
    """Check every row (rolled back) and record the outcomes; the batch awaits confirmation."""
    kind = import_kind(batch.kind)
    table = table or batch_table(batch=batch, kind=kind)
    _status_set(batch, BatchStatus.CHECKING, processed_rows=0)
    with _progress(batch) as progress:
        report = rows_run(
            kind=kind,
            table=table,
            user=batch.user,
            policy=batch.policy,
            dry_run=True,
            batch_id=batch.pk,
            file_name=batch.file_name,
            progress=progress,
        )
    with transaction.atomic():
        _rows_store(batch, report)
        _status_set(
            batch,
            BatchStatus.CHECKED,
            checked_at=timezone.now(),
            **_counts(report, len(table)),
        )
    return batch


def batch_confirm(
    *,
    batch: ImportBatch,
    user: AbstractBaseUser | None,
    policy: ImportPolicy | str,
    columns_checked: bool = False,
) -> ImportBatch:
    """Import a checked batch with ``policy`` (now, or by a worker when it is large): only
    once every column of the file is read or ignored, and, when a column is read by a
    mapping or ignored, once the operator says they checked the columns
    (``columns_checked``)."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != BatchStatus.CHECKED:
            raise BatchRefused(
                _("Batch %(batch)s is %(status)s: it cannot be imported now.")
                % {"batch": locked.pk, "status": locked.get_status_display()}
            )
        unknown = batch_columns_of(locked, UNKNOWN)
        if unknown:
            raise BatchRefused(
                _(
                    "The file's columns %(columns)s are not read: choose, for each, the column "
                    "it is or “ignore this column”, then check the rows again."
                )
                % {"columns": _quoted(unknown)}
            )
        chosen = batch_columns_of(locked, MAPPED) + batch_columns_of(locked, IGNORED)
        if chosen and not columns_checked:
            raise BatchRefused(
                _(
                    "The file's columns %(columns)s are mapped or ignored by choice: check "
                    "them, tick “I checked the file's columns” and confirm again."
                )
                % {"columns": _quoted(chosen)}
            )
        locked.policy = policy
        locked.status = BatchStatus.IMPORTING
        locked.confirmed_at = timezone.now()
        locked.processed_rows = 0
        locked.save(update_fields=["policy", "status", "confirmed_at", "processed_rows"])
        if _runs_in_worker(locked):
            transaction.on_commit(lambda: _dispatch(locked.pk, "import"), robust=True)
            return locked
    return batch_import(batch=locked)


def batch_import(*, batch: ImportBatch) -> ImportBatch:
    """Import a confirmed batch (status importing). The batch's new status and row outcomes
    are written in the import's own transaction: a worker that dies leaves it importing, and
    a run that finds it already done writes nothing."""
    kind = import_kind(batch.kind)
    table = batch_table(batch=batch, kind=kind)

    def finish(report: RunReport) -> bool:
        if not report.committed:
            return True
        taken = ImportBatch.objects.filter(pk=batch.pk, status=BatchStatus.IMPORTING).update(
            status=BatchStatus.IMPORTED, finished_at=timezone.now(), **_counts(report, len(table))
        )
        if taken:
            _rows_store(batch, report)
        return bool(taken)

    with _progress(batch) as progress:
        report = rows_run(
            kind=kind,
            table=table,
            user=batch.user,
            policy=batch.policy,
            dry_run=False,
            batch_id=batch.pk,
            file_name=batch.file_name,
            progress=progress,
            finish=finish,
        )
    if not report.committed:
        with transaction.atomic():
            taken = ImportBatch.objects.filter(pk=batch.pk, status=BatchStatus.IMPORTING).update(
                status=BatchStatus.NOTHING_IMPORTED,
                finished_at=timezone.now(),
                **_counts(report, len(table)),
            )
            if taken:
                _rows_store(batch, report)
    batch.refresh_from_db()
    return batch


def batch_table(*, batch: ImportBatch, kind: ImportKind) -> Table:
    """The batch's file read again, its columns as the batch's mapping says."""
    return table_read(
        bytes(batch.content), file_name=batch.file_name, kind=kind, mapping=batch.column_mapping
    )


def batch_columns_of(batch: ImportBatch, how: str) -> list[str]:
    """The headers of the batch's file read ``how`` (imports.files: MAPPED, UNKNOWN...)."""
    return [column["header"] for column in batch.columns if column.get("how") == how]


def batch_columns_set(
    *, batch: ImportBatch, choices: Mapping[str, str], user: AbstractBaseUser | None
) -> ImportBatch:
    """Read the checked batch's file again with the operator's ``choices`` (header as the
    file spells it -> the kind's column, or IGNORE; a header left out is read by its name,
    or stays unknown), remember them for the next file of this kind with the same header,
    and check every row again (now, or by a worker when the file is large)."""
    kind = import_kind(batch.kind)
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != BatchStatus.CHECKED:
            raise BatchRefused(
                _("Batch %(batch)s is %(status)s: its columns cannot be changed now.")
                % {"batch": locked.pk, "status": locked.get_status_display()}
            )
        table = batch_table(batch=locked, kind=kind)
        by_name = table.remapped(kind, {})
        automatic = {header_key(column.header): column.field for column in by_name.columns}
        mapping: dict[str, str] = {}
        for header, choice in choices.items():
            key = header_key(header)
            if key not in automatic or (choice != IGNORE and choice not in kind.column_names()):
                continue
            # Only what differs from reading by name is a choice to keep.
            if choice == IGNORE or choice != automatic[key]:
                mapping[key] = choice
        try:
            table = by_name.remapped(kind, mapping)
        except FileRefused as refusal:
            raise BatchRefused(refusal.message) from None
        ColumnMapping.objects.update_or_create(
            kind=kind.name,
            signature=headers_signature(table.headers),
            defaults={
                "headers": [header for header in table.headers if header][:100],
                "mapping": mapping,
                "updated_by": user,
                "updated_at": timezone.now(),
            },
        )
        locked.column_mapping = mapping
        locked.columns = [column.as_dict() for column in table.columns]
        locked.headers = table.kept_headers
        locked.status = BatchStatus.WAITING
        locked.processed_rows = 0
        locked.save(
            update_fields=["column_mapping", "columns", "headers", "status", "processed_rows"]
        )
        if _runs_in_worker(locked):
            transaction.on_commit(lambda: _dispatch(locked.pk, "check"), robust=True)
            return locked
    return batch_check(batch=locked, table=table)


def column_mapping_remembered(*, kind_name: str, headers: list[str]) -> dict[str, str]:
    """The mapping an operator chose for a file of ``kind_name`` with this header, if any."""
    remembered = ColumnMapping.objects.filter(
        kind=kind_name, signature=headers_signature(headers)
    ).first()
    return dict(remembered.mapping) if remembered else {}


def _quoted(headers: list[str]) -> str:
    return ", ".join(f"“{header}”" for header in headers)


def batch_discard(*, batch: ImportBatch) -> ImportBatch:
    updated = ImportBatch.objects.filter(pk=batch.pk, status=BatchStatus.CHECKED).update(
        status=BatchStatus.DISCARDED, finished_at=timezone.now()
    )
    if not updated:
        batch.refresh_from_db()
        raise BatchRefused(
            _("Batch %(batch)s is %(status)s: it cannot be discarded now.")
            % {"batch": batch.pk, "status": batch.get_status_display()}
        )
    batch.refresh_from_db()
    return batch


def batch_run(*, batch_id: int, step: str) -> None:
    """The worker's side: check (``step="check"``) or import (``"import"``) a batch; exits
    when the batch is no longer waiting for that step (a message delivered twice)."""
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        return
    try:
        if step == "check" and batch.status == BatchStatus.WAITING:
            batch_check(batch=batch)
        elif step == "import" and batch.status == BatchStatus.IMPORTING:
            batch_import(batch=batch)
    except FileRefused as refusal:
        _status_set(batch, BatchStatus.FAILED, error=refusal.message, finished_at=timezone.now())
    except Exception:
        logger.exception("import batch %s: %s failed", batch_id, step)
        _status_set(
            batch,
            BatchStatus.FAILED,
            error=_("The worker failed on this batch (an internal error, logged)."),
            finished_at=timezone.now(),
        )
        raise


def refused_rows_csv(*, batch: ImportBatch) -> str:
    """The refused rows as the file had them, with their reasons in a last column: fix them
    and upload this file again (the reason column is ignored on upload)."""
    output = io.StringIO()
    writer = csv.writer(output, delimiter=";", lineterminator="\r\n")
    # Only the kind's columns, by their names: a batch recorded before batches kept nothing
    # else still holds the file's other columns, which are not given back.
    try:
        columns = import_kind(batch.kind).columns
    except KeyError:
        columns = ()
    kept = columns_kept(list(batch.headers), columns)
    writer.writerow([name for name, _index in kept] + [_("reason")])
    for row in batch.rows.filter(status=RowStatus.REFUSED).order_by("number"):
        cells = list(row.cells)
        writer.writerow(
            [cell_safe(cells[index]) if index < len(cells) else "" for _name, index in kept]
            + [cell_safe(row_label(row.number, row.message))]
        )
    return "\ufeff" + output.getvalue()


def _runs_in_worker(batch: ImportBatch) -> bool:
    return batch.total_rows > settings.IMPORTS_ASYNC_ROWS


def _dispatch(batch_id: int, step: str) -> None:
    celery_app.signature(RUN_TASK, kwargs={"batch_id": batch_id, "step": step}).delay()


def _status_set(batch: ImportBatch, status: BatchStatus, **fields: object) -> None:
    fields["status"] = status
    ImportBatch.objects.filter(pk=batch.pk).update(**fields)
    for name, value in fields.items():
        setattr(batch, name, value)


def _counts(report: RunReport, total: int) -> dict[str, int]:
    return {
        "total_rows": total,
        "processed_rows": total,
        "valid_rows": report.valid_count,
        "refused_rows": len(report.refused),
        "imported_rows": report.imported_count,
    }


def _rows_store(batch: ImportBatch, report: RunReport) -> None:
    ImportRow.objects.filter(batch=batch).delete()
    ImportRow.objects.bulk_create(
        (
            ImportRow(
                batch=batch,
                number=row.number,
                status=row.status,
                message=row.message,
                reference=row.reference[:255],
                cells=list(row.cells),
            )
            for row in report.rows
        ),
        batch_size=1000,
    )


@contextmanager
def _progress(batch: ImportBatch) -> Iterator[Callable[[int], None] | None]:
    """Progress written through a connection of its own, so the admin sees it while the
    run's transaction is open. SQLite allows one writer at a time: no progress there (the
    page shows the step)."""
    if connection.vendor == "sqlite":
        yield None
        return
    table = connection.ops.quote_name(ImportBatch._meta.db_table)
    main = connections[DEFAULT_DB_ALIAS]
    side = main.__class__(dict(main.settings_dict), alias=main.alias)

    def write(processed: int) -> None:
        try:
            with side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET processed_rows = %s WHERE id = %s",  # noqa: S608
                    [processed, batch.pk],
                )
        except Exception:
            logger.warning("import batch %s: progress not written", batch.pk, exc_info=True)

    try:
        yield write
    finally:
        side.close()
