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

A batch is never stranded: a step that fails ends it failed with the reason (which the batch
page shows, and the operator may discard it), and the sweeper (``batches_sweep``, a periodic
task) hands a batch stuck in a running status to a worker again, or ends it.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from core.refusals import Refused
from core.tasks import task_dispatch
from imports.files import (
    IGNORE,
    IGNORED,
    MAPPED,
    MAX_CELL_LENGTH,
    UNKNOWN,
    FileRefused,
    Table,
    cells_refusal,
    columns_kept,
    table_read,
    text_safe,
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
    DISCARDABLE_STATUSES,
    FINAL_STATUSES,
    RUNNING_STATUSES,
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
SWEEP_TASK = "imports.batches_sweep"


class BatchRefused(Refused):
    """The operator cannot do this to the batch now; ``message`` says why."""


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
    user: User | None,
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
        # The kind's columns as the file spells them, for the reasons of refused cells.
        names = [table.spelled.get(name, name) for name in table.kept_headers]
        for start in range(0, len(rows), kind.chunk_size):
            chunk = rows[start : start + kind.chunk_size]
            results.extend(
                _chunk_run(
                    kind, chunk, context, names=names, dry_run=dry_run, spelled=table.spelled
                )
            )
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
    names: list[str],
    dry_run: bool,
    spelled: Mapping[str, str],
) -> list[RowResult]:
    results: dict[int, RowResult] = {}
    wanted: list[tuple[int, dict[str, str]]] = []
    cells_of = {number: cells for number, cells, _row in chunk}
    for number, cells, row in chunk:
        # A cell too long or holding a control character (NUL...) never reaches the kind.
        refusal = cells_refusal(names, cells)
        if refusal:
            results[number] = _refused(number, refusal, cells)
        else:
            wanted.append((number, row))
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
    kept = tuple(text_safe(cell[:MAX_CELL_LENGTH]) for cell in cells)
    return RowResult(
        number=number, status=RowStatus.REFUSED, message=text_safe(message), cells=kept
    )


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
    user: User | None,
    policy: ImportPolicy | str = ImportPolicy.ALL_OR_NOTHING,
    source: str = "admin",
) -> ImportBatch:
    """Record an uploaded file as a batch and check it (now, or by a worker when it is large).

    Raises ``FileRefused`` (nothing recorded) when the file cannot be read as rows. A check
    that fails ends the batch failed, with the reason.
    """
    kind = import_kind(kind_name)
    table = table_read(content, file_name=file_name, kind=kind)
    remembered = column_mapping_remembered(kind_name=kind.name, headers=table.headers)
    if remembered:
        table = table.remapped(kind, remembered)
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            kind=kind.name,
            file_name=text_safe(file_name)[:255],
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
    return batch_step(batch=batch, step="check", table=table)


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
    user: User | None,
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
        locked.confirmed_at = locked.active_at = timezone.now()
        locked.processed_rows = 0
        locked.save(
            update_fields=["policy", "status", "confirmed_at", "active_at", "processed_rows"]
        )
        if _runs_in_worker(locked):
            transaction.on_commit(lambda: _dispatch(locked.pk, "import"), robust=True)
            return locked
    return batch_step(batch=locked, step="import")


def batch_import(*, batch: ImportBatch) -> ImportBatch:
    """Import a confirmed batch (status importing). The batch's new status and row outcomes
    are written in the import's own transaction: a worker that dies leaves it importing (for
    the sweeper), and a run that finds it no longer importing writes nothing."""
    kind = import_kind(batch.kind)
    table = batch_table(batch=batch, kind=kind)

    def finish(report: RunReport) -> bool:
        if not report.committed:
            return True
        taken = ImportBatch.objects.filter(pk=batch.pk, status=BatchStatus.IMPORTING).update(
            **_ended(BatchStatus.IMPORTED), **_counts(report, len(table))
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
                **_ended(BatchStatus.NOTHING_IMPORTED), **_counts(report, len(table))
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
    *, batch: ImportBatch, choices: Mapping[str, str], user: User | None
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
        locked.active_at = timezone.now()
        locked.save(
            update_fields=[
                "column_mapping",
                "columns",
                "headers",
                "status",
                "processed_rows",
                "active_at",
            ]
        )
        if _runs_in_worker(locked):
            transaction.on_commit(lambda: _dispatch(locked.pk, "check"), robust=True)
            return locked
    return batch_step(batch=locked, step="check", table=table)


def column_mapping_remembered(*, kind_name: str, headers: list[str]) -> dict[str, str]:
    """The mapping an operator chose for a file of ``kind_name`` with this header, if any."""
    remembered = ColumnMapping.objects.filter(
        kind=kind_name, signature=headers_signature(headers)
    ).first()
    return dict(remembered.mapping) if remembered else {}


def _quoted(headers: list[str]) -> str:
    return ", ".join(f"“{header}”" for header in headers)


def batch_step(*, batch: ImportBatch, step: str, table: Table | None = None) -> ImportBatch:
    """Check (``step="check"``) or import (``"import"``) the batch; whatever fails on the way
    ends it failed with the reason, never left checking or importing: a file that cannot be
    read (``FileRefused``) with its message, an exception with "an internal error, logged"
    (and a Ctrl-C of the command line with "interrupted", then raised again)."""
    try:
        if step == "check":
            return batch_check(batch=batch, table=table)
        return batch_import(batch=batch)
    except FileRefused as refusal:
        _failed(batch, refusal.message)
    except Exception:
        logger.exception("import batch %s: %s failed", batch.pk, step)
        _failed(
            batch,
            _("The %(step)s failed on this batch (an internal error, logged).")
            % {"step": _step_label(step)},
        )
    except BaseException:
        _failed(
            batch,
            _("The %(step)s was interrupted: nothing was imported.") % {"step": _step_label(step)},
        )
        raise
    batch.refresh_from_db()
    return batch


def batch_discard(*, batch: ImportBatch) -> ImportBatch:
    """Discard a checked batch (nothing imported) or a failed one."""
    updated = ImportBatch.objects.filter(pk=batch.pk, status__in=DISCARDABLE_STATUSES).update(
        **_ended(BatchStatus.DISCARDED)
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
    if (step, batch.status) in (("check", BatchStatus.WAITING), ("import", BatchStatus.IMPORTING)):
        batch_step(batch=batch, step=step)


@dataclass
class BatchSweepReport:
    resumed: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    discarded: list[int] = field(default_factory=list)


def batches_sweep(*, now: datetime | None = None) -> BatchSweepReport:
    """End or resume every batch stuck in a running status, and end the checked batches
    nobody confirmed (their files are not kept forever).

    A batch counts as stuck once it showed no sign of life (``active_at``) for its status's
    ``IMPORTS_STUCK_*_MINUTES``. Waiting (its message lost, no worker) and checking (its
    worker died; the check writes nothing) are handed to a worker again; importing too (the
    import's transaction died with its worker: nothing was written), but for a batch of the
    command line, whose operator saw it stop. After ``IMPORTS_STUCK_RESUMES`` resumes the
    batch ends failed, with the reason. Each change is one conditional UPDATE: a run that
    finishes meanwhile wins, and two sweeps at once change a batch once.
    """
    now = now or timezone.now()
    report = BatchSweepReport()
    ages = {
        BatchStatus.WAITING: settings.IMPORTS_STUCK_WAITING_MINUTES,
        BatchStatus.CHECKING: settings.IMPORTS_STUCK_CHECKING_MINUTES,
        BatchStatus.IMPORTING: settings.IMPORTS_STUCK_IMPORTING_MINUTES,
    }
    for status, minutes in ages.items():
        stuck = (
            ImportBatch.objects.filter(
                status=status, active_at__lt=now - timedelta(minutes=minutes)
            )
            .only("pk", "status", "source", "resumes", "active_at")
            .order_by("pk")
        )
        for batch in stuck:
            _stuck_batch_sweep(batch, minutes=minutes, now=now, report=report)
    unconfirmed = ImportBatch.objects.filter(
        status=BatchStatus.CHECKED,
        active_at__lt=now - timedelta(days=settings.IMPORTS_UNCONFIRMED_DAYS),
    ).values_list("pk", flat=True)
    for batch_id in list(unconfirmed):
        taken = ImportBatch.objects.filter(pk=batch_id, status=BatchStatus.CHECKED).update(
            **_ended(BatchStatus.DISCARDED, now=now),
            error=ngettext(
                "Discarded: not confirmed within %(days)s day.",
                "Discarded: not confirmed within %(days)s days.",
                settings.IMPORTS_UNCONFIRMED_DAYS,
            )
            % {"days": settings.IMPORTS_UNCONFIRMED_DAYS},
        )
        if taken:
            report.discarded.append(batch_id)
    return report


def _stuck_batch_sweep(
    batch: ImportBatch, *, minutes: int, now: datetime, report: BatchSweepReport
) -> None:
    status = batch.status
    still = ImportBatch.objects.filter(pk=batch.pk, status=status, active_at=batch.active_at)
    from_command = status == BatchStatus.IMPORTING and batch.source == "command"
    if from_command or batch.resumes >= settings.IMPORTS_STUCK_RESUMES:
        if from_command:
            reason = _(
                "The command stopped before the import ended: nothing was imported. Run it again."
            )
        else:
            reason = ngettext(
                "The %(step)s showed no progress for %(minutes)s minutes, %(times)s time: "
                "nothing was imported. Check that the workers run, then upload the file again.",
                "The %(step)s showed no progress for %(minutes)s minutes, %(times)s times: "
                "nothing was imported. Check that the workers run, then upload the file again.",
                batch.resumes + 1,
            ) % {
                "step": _step_label("import" if status == BatchStatus.IMPORTING else "check"),
                "minutes": minutes,
                "times": batch.resumes + 1,
            }
        if still.update(**_ended(BatchStatus.FAILED, now=now), error=reason):
            logger.warning("import batch %s: stuck %s, failed", batch.pk, status)
            report.failed.append(batch.pk)
        return
    # A check starts again from waiting; an import goes on importing.
    resumed_status = (
        BatchStatus.IMPORTING if status == BatchStatus.IMPORTING else BatchStatus.WAITING
    )
    if still.update(
        status=resumed_status, active_at=now, processed_rows=0, resumes=batch.resumes + 1
    ):
        logger.warning("import batch %s: stuck %s, handed to a worker again", batch.pk, status)
        report.resumed.append(batch.pk)
        _dispatch(batch.pk, "import" if status == BatchStatus.IMPORTING else "check")


def _step_label(step: str) -> str:
    if step == "import":
        return pgettext("import step", "import")
    return pgettext("import step", "check")


def _failed(batch: ImportBatch, reason: str) -> None:
    """End a running batch failed with ``reason`` (a batch that ended meanwhile stays so)."""
    fields = {**_ended(BatchStatus.FAILED), "error": text_safe(reason)}
    if ImportBatch.objects.filter(pk=batch.pk, status__in=RUNNING_STATUSES).update(**fields):
        for name, value in fields.items():
            setattr(batch, name, value)


def _ended(status: BatchStatus, *, now: datetime | None = None) -> dict[str, object]:
    """The fields of a batch ending in ``status``: its file is no longer kept."""
    assert status in FINAL_STATUSES
    now = now or timezone.now()
    return {"status": status, "finished_at": now, "active_at": now, "content": b""}


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
    task_dispatch(RUN_TASK, kwargs={"batch_id": batch_id, "step": step})


def _status_set(batch: ImportBatch, status: BatchStatus, **fields: object) -> None:
    fields["status"] = status
    fields["active_at"] = timezone.now()
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
                # The progress is the batch's sign of life for the sweeper, too.
                cursor.execute(
                    f"UPDATE {table} SET processed_rows = %s, active_at = %s "  # noqa: S608
                    "WHERE id = %s",
                    [processed, timezone.now(), batch.pk],
                )
        except Exception:
            logger.warning("import batch %s: progress not written", batch.pk, exc_info=True)

    try:
        yield write
    finally:
        side.close()
