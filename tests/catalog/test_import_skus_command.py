"""``manage.py import_skus``: the refused rows row by row, a summary line, exit status 1 when a
row was refused (2 when the file cannot be read); ``--dry-run`` stores and queues nothing; with
the default policy a refused row means nothing is written, ``--policy valid-rows`` imports the
rest."""

import io

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Sku, SkuChangeNotification
from imports.models import BatchStatus, ImportBatch
from outbox.models import VtexCommand
from tests.catalog.factories import SkuFactory
from tests.catalog.test_sku_import import FILES, stored

pytestmark = pytest.mark.django_db

REFUSED = (
    "mixed.csv: row 3: SKU 3999 is not in the back office yet: a new SKU needs name, "
    "product_name and price (empty here: name, product_name)."
)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def existing():
    return SkuFactory(sku_id="2001", price=24990, list_price=0, stock=12)


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_skus", *args, stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue(), err.getvalue() + str(error)
    return 0, out.getvalue(), err.getvalue()


def test_dry_run_reports_and_stores_and_queues_nothing(
    existing, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        status, out, err = run(str(FILES / "mixed.csv"), "--dry-run", "--policy", "valid-rows")
    assert status == 1
    assert REFUSED in err
    assert "mixed.csv: 2 rows, 1 valid, 1 refused; dry run: nothing written, nothing sent." in out
    assert stored("2001")[:3] == (24990, 0, 12)
    assert not ImportBatch.objects.exists()
    assert not VtexCommand.objects.exists()
    assert not SkuChangeNotification.objects.exists()
    assert callbacks == []


def test_a_clean_dry_run_exits_0_and_stores_nothing():
    status, out, _err = run(str(FILES / "skus_semicolon_pt.csv"), "--dry-run")
    assert status == 0, out
    assert "2 rows, 2 valid, 0 refused; dry run: nothing written, nothing sent." in out
    assert not Sku.objects.exists()
    assert not VtexCommand.objects.exists()


def test_the_default_policy_writes_nothing_when_a_row_is_refused(existing):
    status, out, err = run(str(FILES / "mixed.csv"))
    assert status == 1
    assert REFUSED in err
    assert "1 of 2 rows refused." in err
    batch = ImportBatch.objects.get()
    assert f"nothing imported, policy all-or-nothing (batch {batch.pk})." in out
    assert (batch.kind, batch.status, batch.source) == (
        "skus",
        BatchStatus.NOTHING_IMPORTED,
        "command",
    )
    assert stored("2001")[:3] == (24990, 0, 12)
    assert not VtexCommand.objects.exists()


def test_valid_rows_imports_the_rest_queues_its_notification_and_still_exits_1(existing):
    status, out, _err = run(str(FILES / "mixed.csv"), "--policy", "valid-rows")
    assert status == 1
    batch = ImportBatch.objects.get()
    assert f"mixed.csv: 2 rows, 1 valid, 1 refused; 1 imported (batch {batch.pk})." in out
    assert stored("2001")[:3] == (19990, 0, 5)
    [command] = VtexCommand.objects.all()
    assert (command.kind, command.subject_id, command.source) == (
        "sku-change-notification",
        existing.pk,
        "csv",
    )
    [notification] = SkuChangeNotification.objects.all()
    assert notification.reason == "price R$ 249.90 → R$ 199.90; stock 12 → 5"


def test_a_clean_file_exits_0_and_an_xlsx_file_too():
    status, out, err = run(str(FILES / "skus_comma.csv"))
    assert (status, err) == (0, "")
    assert "skus_comma.csv: 3 rows, 3 valid, 0 refused; 3 imported (batch" in out
    status, out, _err = run(str(FILES / "skus.xlsx"))
    assert status == 0, out
    assert set(Sku.objects.values_list("sku_id", flat=True)) == {
        "3001",
        "3002",
        "3003",
        "3301",
        "3302",
    }


def test_an_unreadable_file_exits_2_and_records_nothing(tmp_path):
    binary = tmp_path / "skus.pdf"
    binary.write_bytes(b"%PDF-1.4\x00\x00\x01")
    status, _out, err = run(str(binary))
    assert status == 2
    assert "This is not a CSV or XLSX file" in err
    without_sku = tmp_path / "precos.csv"
    without_sku.write_text("produto;preco\nCaneca;10,00\n", encoding="utf-8")
    status, _out, err = run(str(without_sku))
    assert status == 2
    assert "precos.csv: Missing columns: sku_id (sku / id_sku / codigo_sku)." in err
    status, _out, _err = run(str(tmp_path / "missing.csv"))
    assert status == 2
    assert not ImportBatch.objects.exists()
