"""A batch is never stranded and keeps no ERP file once it ended: a NUL in a row is that row's
reason (PostgreSQL refuses NUL in text and jsonb: it answered 500 and left the batch checking);
whatever fails while checking or importing ends the batch failed with the reason, which the
operator reads and may discard; the sweeper resumes or ends a batch stuck in any running
status (a worker killed mid-import included); the file is emptied when the batch ends."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation

from imports import services
from imports.models import FINAL_STATUSES, BatchStatus, ImportBatch, RowStatus
from imports.services import batches_sweep
from outbox.models import VtexCommand
from tests.orders.imports import batch_of, batch_page, refusals, upload
from tests.orders.imports import confirm as confirm_as_it_is


def cpf_ignored(client, batch) -> None:
    """The ERP's CPF column ignored on the preview, as an operator does (the rows are checked
    again)."""
    fields = {
        f"column_{index}": "-" if column["header"] == "cpf_cliente" else column["field"]
        for index, column in enumerate(batch.columns)
    }
    client.post(reverse("admin:imports_importbatch_columns", args=[batch.pk]), fields)
    batch.refresh_from_db()


def confirm(client, batch, policy: str = "all-or-nothing", *, ignore: bool = True):
    """Confirm a file with the ERP's CPF column: ignored, ticked as checked, confirmed."""
    if ignore:
        cpf_ignored(client, batch)
    return confirm_as_it_is(client, batch, policy, columns_checked=True)

pytestmark = pytest.mark.django_db

# An ERP's file: the invoice's columns and the customer's CPF, which the import does not read
# (the operator ignores it on the preview, the command line with --ignore-column).
HEADER = "order_id,invoice_number,invoice_value,issuance_date,cpf_cliente"
NUL_REASON = (
    "invoice_number: the cell holds a control character (U+0000), which no spreadsheet types: "
    "remove it."
)


def nul_file() -> bytes:
    """The issue's file: a NUL after the first 8 KiB (the binary sniff reads 8 KiB), in an
    imported column."""
    padding = "1" * 9000
    return (
        f"{HEADER}\n"
        f"1500000001-01,12345,1234.56,2026-11-27,{padding}\n"
        f"1500000002-01,123\x0046,595.00,2026-11-27,\n"
    ).encode()


@pytest.fixture(autouse=True)
def _english(settings):
    # The reasons are asserted in English, whatever language an earlier test left active.
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def eager_worker():
    from backoffice.celery import app

    saved = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def run_command(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(
            "import_invoices", *args, "--ignore-column", "cpf_cliente", stdout=out, stderr=err
        )
    except CommandError as error:
        return error.returncode, out.getvalue(), err.getvalue() + str(error)
    return 0, out.getvalue(), err.getvalue()


# --- NUL: the row's reason ---------------------------------------------------------------------


def check_nul_upload(client, login):
    login("Finance")
    response = upload(client, "erp-nul.csv", nul_file(), policy="valid-rows")
    assert response.status_code == 302
    batch = batch_of(response)
    assert batch.status == BatchStatus.CHECKED
    assert refusals(batch) == {3: NUL_REASON}
    [stored] = batch.rows.filter(status=RowStatus.REFUSED).values_list("cells", flat=True)
    assert stored == ["1500000002-01", "123\ufffd46", "595.00", "2026-11-27"]
    page = batch_page(client, batch)
    assert f"row 3: {NUL_REASON}" in page
    response = confirm(client, batch, policy="valid-rows")
    batch.refresh_from_db()
    assert (batch.status, batch.imported_rows) == (BatchStatus.IMPORTED, 1)
    assert VtexCommand.objects.filter(kind="invoice").count() == 1


def test_a_nul_in_a_row_is_its_reason_on_postgresql(require_postgres, client, login, import_orders):
    check_nul_upload(client, login)


def test_a_nul_in_a_row_is_its_reason(client, login, import_orders):
    check_nul_upload(client, login)


def test_the_command_reports_the_nul_row_and_ends_its_batch(
    require_postgres, import_orders, tmp_path, settings
):
    settings.LANGUAGE_CODE = "en"
    path = tmp_path / "erp-nul.csv"
    path.write_bytes(nul_file())
    status, _out, err = run_command(str(path))
    assert status == 1
    assert f"erp-nul.csv: row 3: {NUL_REASON}" in err
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.NOTHING_IMPORTED
    assert not VtexCommand.objects.exists()


def test_a_nul_in_the_file_name_is_not_stored(client, login, import_orders):
    login("Finance")
    content = f"{HEADER}\n1500000001-01,12345,1234.56,2026-11-27,\n".encode()
    batch = batch_of(upload(client, "erp\x00.csv", content))
    assert "\x00" not in batch.file_name


# --- Never stranded -----------------------------------------------------------------------------


def broken_rows_store(monkeypatch):
    def fails(batch, report):
        raise RuntimeError("the database refused the rows")

    monkeypatch.setattr(services, "_rows_store", fails)


def test_a_check_that_fails_ends_the_batch_failed_and_the_operator_discards_it(
    client, login, import_orders, monkeypatch
):
    login("Finance")
    broken_rows_store(monkeypatch)
    content = f"{HEADER}\n1500000001-01,12345,1234.56,2026-11-27,\n".encode()
    response = upload(client, "erp.csv", content)
    assert response.status_code == 302
    batch = batch_of(response)
    assert batch.status == BatchStatus.FAILED
    assert batch.error == "The check failed on this batch (an internal error, logged)."
    assert bytes(batch.content) == b""
    page = batch_page(client, batch)
    assert "The check failed on this batch (an internal error, logged)." in page
    assert 'class="import-discard"' in page
    client.post(reverse("admin:imports_importbatch_discard", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DISCARDED


def test_an_import_that_fails_ends_the_batch_failed(client, login, import_orders, monkeypatch):
    login("Finance")
    content = f"{HEADER}\n1500000001-01,12345,1234.56,2026-11-27,\n".encode()
    batch = batch_of(upload(client, "erp.csv", content))
    assert batch.status == BatchStatus.CHECKED
    cpf_ignored(client, batch)
    broken_rows_store(monkeypatch)
    response = confirm(client, batch, ignore=False)
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED
    assert batch.error == "The import failed on this batch (an internal error, logged)."
    # The import's transaction was rolled back: nothing reached the outbox.
    assert not VtexCommand.objects.exists()


def test_the_command_ends_a_failed_batch_with_exit_status_2(
    import_orders, tmp_path, monkeypatch, settings
):
    settings.LANGUAGE_CODE = "en"
    broken_rows_store(monkeypatch)
    path = tmp_path / "erp.csv"
    path.write_bytes(f"{HEADER}\n1500000001-01,12345,1234.56,2026-11-27,\n".encode())
    status, _out, err = run_command(str(path))
    batch = ImportBatch.objects.get()
    assert status == 2
    assert (
        f"erp.csv: batch {batch.pk} failed: The import failed on this batch (an internal "
        "error, logged)." in err
    )
    assert batch.status == BatchStatus.FAILED
    assert not VtexCommand.objects.exists()


def test_a_ctrl_c_of_the_command_ends_its_batch_failed(import_orders, tmp_path, monkeypatch):
    def interrupted(batch, report):
        raise KeyboardInterrupt

    monkeypatch.setattr(services, "_rows_store", interrupted)
    path = tmp_path / "erp.csv"
    path.write_bytes(f"{HEADER}\n1500000001-01,12345,1234.56,2026-11-27,\n".encode())
    with pytest.raises(KeyboardInterrupt):
        run_command(str(path))
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.FAILED
    assert "was interrupted: nothing was imported" in batch.error


# --- The file is not kept once the batch ended -----------------------------------------


def test_a_batch_keeps_the_file_until_it_ends(client, login, import_orders):
    login("Finance")
    content = f"{HEADER}\n1500000001-01,12345,1234.56,2026-11-27,529.982.247-25\n".encode()
    batch = batch_of(upload(client, "erp.csv", content))
    assert bytes(batch.content) == content  # read again at confirmation
    confirm(client, batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.IMPORTED
    assert bytes(batch.content) == b""
    assert b"529.982.247-25" not in bytes(
        ImportBatch.objects.values_list("content", flat=True).get()
    )
    discarded = batch_of(upload(client, "erp.csv", content))
    client.post(reverse("admin:imports_importbatch_discard", args=[discarded.pk]))
    discarded.refresh_from_db()
    assert (discarded.status, bytes(discarded.content)) == (BatchStatus.DISCARDED, b"")


# --- The sweeper ---------------------------------------------------------------------------------


def stuck(status: BatchStatus, *, minutes: int, source: str = "admin", resumes: int = 0):
    content = f"{HEADER}\n1500000001-01,12345,1234.56,2026-11-27,\n".encode()
    return ImportBatch.objects.create(
        kind="invoices",
        file_name="erp.csv",
        content=content,
        source=source,
        status=status,
        total_rows=1,
        headers=["order_id", "invoice_number", "invoice_value", "issuance_date"],
        active_at=timezone.now() - timedelta(minutes=minutes),
        resumes=resumes,
        confirmed_at=timezone.now() if status == BatchStatus.IMPORTING else None,
    )


def test_the_sweeper_leaves_batches_that_are_not_stuck(import_orders, settings):
    settings.IMPORTS_STUCK_WAITING_MINUTES = 15
    fresh = stuck(BatchStatus.WAITING, minutes=5)
    report = batches_sweep()
    assert (report.resumed, report.failed) == ([], [])
    fresh.refresh_from_db()
    assert fresh.status == BatchStatus.WAITING


@pytest.mark.parametrize("status", [BatchStatus.WAITING, BatchStatus.CHECKING])
def test_a_batch_stuck_before_its_check_is_checked_again(
    import_orders, eager_worker, settings, status
):
    settings.IMPORTS_STUCK_WAITING_MINUTES = settings.IMPORTS_STUCK_CHECKING_MINUTES = 15
    batch = stuck(status, minutes=16)
    report = batches_sweep()
    assert report.resumed == [batch.pk]
    batch.refresh_from_db()
    assert (batch.status, batch.resumes, batch.valid_rows) == (BatchStatus.CHECKED, 1, 1)
    assert not VtexCommand.objects.exists()


def test_a_worker_killed_mid_import_is_resumed_and_imports_once(
    import_orders, eager_worker, settings, django_capture_on_commit_callbacks
):
    settings.IMPORTS_STUCK_IMPORTING_MINUTES = 30
    # The worker died inside the import's transaction: nothing of it was written.
    batch = stuck(BatchStatus.IMPORTING, minutes=31)
    with django_capture_on_commit_callbacks(execute=True):
        report = batches_sweep()
    assert report.resumed == [batch.pk]
    batch.refresh_from_db()
    assert (batch.status, batch.imported_rows, batch.resumes) == (BatchStatus.IMPORTED, 1, 1)
    assert bytes(batch.content) == b""
    assert VtexCommand.objects.filter(kind="invoice").count() == 1
    # The dead worker's message, delivered again, finds the batch imported.
    services.batch_run(batch_id=batch.pk, step="import")
    assert VtexCommand.objects.filter(kind="invoice").count() == 1


def test_a_batch_resumed_too_often_or_of_a_stopped_command_ends_failed(import_orders, settings):
    settings.IMPORTS_STUCK_RESUMES = 2
    settings.IMPORTS_STUCK_IMPORTING_MINUTES = 30
    settings.IMPORTS_STUCK_WAITING_MINUTES = 15
    waiting = stuck(BatchStatus.WAITING, minutes=16, resumes=2)
    importing = stuck(BatchStatus.IMPORTING, minutes=31, resumes=2)
    command = stuck(BatchStatus.IMPORTING, minutes=31, source="command")
    report = batches_sweep()
    assert sorted(report.failed) == sorted([waiting.pk, importing.pk, command.pk])
    for batch in (waiting, importing, command):
        batch.refresh_from_db()
        assert batch.status == BatchStatus.FAILED
        assert bytes(batch.content) == b""
    assert waiting.error == (
        "The check showed no progress for 15 minutes, 3 times: nothing was imported. Check "
        "that the workers run, then upload the file again."
    )
    assert importing.error.startswith("The import showed no progress for 30 minutes, 3 times")
    assert command.error == (
        "The command stopped before the import ended: nothing was imported. Run it again."
    )
    assert not VtexCommand.objects.exists()


def test_checked_batches_nobody_confirmed_are_discarded_with_their_file(import_orders, settings):
    settings.IMPORTS_UNCONFIRMED_DAYS = 7
    old = stuck(BatchStatus.CHECKED, minutes=7 * 24 * 60 + 1)
    recent = stuck(BatchStatus.CHECKED, minutes=6 * 24 * 60)
    report = batches_sweep()
    assert report.discarded == [old.pk]
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.status, bytes(old.content)) == (BatchStatus.DISCARDED, b"")
    assert old.error == "Discarded: not confirmed within 7 days."
    assert recent.status == BatchStatus.CHECKED and bytes(recent.content)


def test_no_sweep_leaves_a_batch_running_for_ever(import_orders, settings, monkeypatch):
    handed_out = []
    monkeypatch.setattr(services, "_dispatch", lambda *args: handed_out.append(args))
    settings.IMPORTS_STUCK_RESUMES = 1
    batch = stuck(BatchStatus.IMPORTING, minutes=settings.IMPORTS_STUCK_IMPORTING_MINUTES + 1)
    later = timezone.now()
    for _sweep in range(3):
        # No worker takes the messages: each sweep finds it stuck again, later.
        later += timedelta(minutes=settings.IMPORTS_STUCK_IMPORTING_MINUTES + 1)
        batches_sweep(now=later)
    batch.refresh_from_db()
    assert handed_out == [(batch.pk, "import")]
    assert batch.status in FINAL_STATUSES
