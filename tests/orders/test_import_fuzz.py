"""Property-based, every import kind (invoices, tracking numbers, SKUs), through the admin's
upload and the commands: random bytes, control characters (NUL among them, which PostgreSQL
refuses in text and jsonb), huge cells and huge header cells answer a page or an exit status
with a message, never a 500 or a traceback, and no batch is left waiting, checking or
importing. Run on PostgreSQL too (DATABASE_URL): that is where a NUL used to strand a batch."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from imports.kinds import import_kind
from imports.models import FINAL_STATUSES, RUNNING_STATUSES, ImportBatch
from tests.orders.imports import confirm, upload

pytestmark = pytest.mark.django_db

KINDS = {
    "invoices": ("import_invoices",),
    "tracking": ("import_invoices", "--tracking"),
    "skus": ("import_skus",),
}
HUGE = 140 * 1024  # over csv's field limit (128 KiB)
cell = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["1500000001-01", "1500000004-01", "9001", "2001", "1.234,56", "27/11/2026"]),
    st.text(alphabet=st.characters(max_codepoint=0x9F), max_size=12),
    st.sampled_from(["\x00", "a\x00b", "\x1b[31m", "\x7f", "\x85", "x" * 6000]),
)


@st.composite
def files(draw, kind_name: str) -> bytes:
    form = draw(st.sampled_from(["rows", "binary", "huge-cell", "huge-header", "nul-late"]))
    if form == "binary":
        return draw(st.binary(max_size=2000))
    names = import_kind(kind_name).column_names()
    header = list(names)
    if form == "huge-header":
        header.append("h" * draw(st.sampled_from([300, HUGE])))
    rows = draw(st.lists(st.lists(cell, min_size=len(names), max_size=len(names)), max_size=5))
    if form == "huge-cell":
        rows.append([names[0], "y" * HUGE])
    lines = [";".join(header)] + [";".join(row) for row in rows]
    if form == "nul-late":
        lines.insert(1, ";".join(["1", "p" * 9000]))
        lines.append(";".join(["1500000001-01", "\x00"] + [""] * (len(names) - 2)))
    content = ("\n".join(lines) + "\n").encode("utf-8", errors="replace")
    encoding = draw(st.sampled_from(["utf-8", "cp1252", "gb18030"]))
    if encoding != "utf-8":
        content = content.decode("utf-8").encode(encoding, errors="replace")
    return content


def fuzz_settings(function):
    return settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )(function)


@pytest.mark.parametrize("kind_name", list(KINDS))
def test_any_upload_of_any_kind_ends_in_a_page_and_no_running_batch(
    client, login, import_orders, kind_name
):
    login("Operations")

    @fuzz_settings
    @given(content=files(kind_name), name=st.sampled_from(["erp.csv", "erp.xlsx"]))
    # A header the import does not read and a control character below it (found by a run).
    @example(content=b"!\n\x01", name="erp.csv")
    def upload_any(content, name):
        before = set(ImportBatch.objects.values_list("pk", flat=True))
        response = upload(client, name, content, kind=kind_name, policy="valid-rows")
        assert response.status_code in (200, 302)
        assert b"Traceback" not in response.content
        if response.status_code == 200:
            assert b'class="errorlist' in response.content
            assert set(ImportBatch.objects.values_list("pk", flat=True)) == before
            return
        batch = ImportBatch.objects.exclude(pk__in=before).get()
        assert batch.status not in RUNNING_STATUSES
        page = client.get(f"/admin/imports/importbatch/{batch.pk}/change/")
        assert page.status_code == 200
        if batch.status == "checked":
            assert confirm(client, batch, policy="valid-rows").status_code == 302
            batch.refresh_from_db()
            if batch.status == "checked":
                # A column the import does not read waits for the operator's choice (map it
                # or ignore it): nothing was imported, and the batch's page says which.
                page = client.get(f"/admin/imports/importbatch/{batch.pk}/change/")
                assert b"is not read by this import" in page.content
            else:
                assert batch.status in FINAL_STATUSES
        refused_csv = client.get(f"/admin/imports/importbatch/{batch.pk}/refused.csv")
        assert refused_csv.status_code == 200

    with translation.override("en"):
        upload_any()


@pytest.mark.parametrize("kind_name", list(KINDS))
def test_any_file_given_to_a_command_ends_with_a_status_and_no_running_batch(
    import_orders, tmp_path, kind_name
):
    @fuzz_settings
    @given(content=files(kind_name))
    def command_any(content):
        path = tmp_path / "erp.csv"
        path.write_bytes(content)
        before = set(ImportBatch.objects.values_list("pk", flat=True))
        try:
            call_command(
                *KINDS[kind_name],
                str(path),
                "--policy",
                "valid-rows",
                stdout=io.StringIO(),
                stderr=io.StringIO(),
            )
        except CommandError as error:
            assert error.returncode in (1, 2)
            assert str(error)
        for batch in ImportBatch.objects.exclude(pk__in=before):
            assert batch.status in FINAL_STATUSES

    command_any()
