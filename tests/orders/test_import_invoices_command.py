"""``manage.py import_invoices``: the refused rows row by row, a summary line, exit status 1
when a row was refused (2 when the file cannot be read); ``--dry-run`` writes and sends
nothing; with the default policy a refused row means nothing is written."""

import io

import pytest
from django.core.management import CommandError, call_command

from imports.models import BatchStatus, ImportBatch
from orders.models import EventType, OrderEvent
from outbox.models import VtexCommand
from tests.orders.imports import FILES

pytestmark = pytest.mark.django_db

UNKNOWN = "mixed.csv: row 3: Unknown order 1599999999-01: no order with this id in the back office."


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_invoices", *args, stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue(), err.getvalue() + str(error)
    return 0, out.getvalue(), err.getvalue()


def test_dry_run_reports_and_writes_nothing(import_orders, settings):
    settings.LANGUAGE_CODE = "en"
    status, out, err = run(str(FILES / "mixed.csv"), "--dry-run")
    assert status == 1
    assert UNKNOWN in err
    assert "mixed.csv: 2 rows, 1 valid, 1 refused; dry run: nothing written, nothing sent." in out
    assert not ImportBatch.objects.exists()
    assert not VtexCommand.objects.exists()


def test_the_default_policy_writes_nothing_when_a_row_is_refused(import_orders, settings):
    settings.LANGUAGE_CODE = "en"
    status, out, err = run(str(FILES / "mixed.csv"))
    assert status == 1
    assert UNKNOWN in err
    batch = ImportBatch.objects.get()
    assert "nothing imported, policy all-or-nothing" in out
    assert (batch.status, batch.source) == (BatchStatus.NOTHING_IMPORTED, "command")
    assert not VtexCommand.objects.exists()


def test_valid_rows_imports_the_rest_and_still_exits_1(import_orders, settings):
    settings.LANGUAGE_CODE = "en"
    status, out, _err = run(str(FILES / "mixed.csv"), "--policy", "valid-rows")
    assert status == 1
    batch = ImportBatch.objects.get()
    assert f"mixed.csv: 2 rows, 1 valid, 1 refused; 1 imported (batch {batch.pk})." in out
    [command] = VtexCommand.objects.filter(kind="invoice")
    assert command.payload["number"] == "12345"
    event = OrderEvent.objects.get(type=EventType.ACTION_REQUESTED)
    assert event.payload["import_batch"] == batch.pk


def test_a_clean_file_exits_0_and_tracking_files_too(import_orders, settings):
    settings.LANGUAGE_CODE = "en"
    status, out, _err = run(str(FILES / "invoices_comma_utf8.csv"))
    assert status == 0, out
    assert "2 rows, 2 valid, 0 refused; 2 imported" in out
    status, out, _err = run(str(FILES / "tracking_pt.csv"), "--tracking")
    assert status == 0, out
    assert VtexCommand.objects.filter(kind="tracking-number").count() == 1


def test_an_unreadable_file_exits_2(tmp_path, import_orders, settings):
    settings.LANGUAGE_CODE = "en"
    binary = tmp_path / "nfe.pdf"
    binary.write_bytes(b"%PDF-1.4\x00\x00\x01")
    status, _out, err = run(str(binary))
    assert status == 2
    assert "This is not a CSV or XLSX file" in err
    status, _out, err = run(str(tmp_path / "missing.csv"))
    assert status == 2
    assert "No such file or directory" in err
