"""Property-based: whatever file an operator uploads (binary, truncated, in another encoding,
with huge cells or formulas such as ``=cmd|' /C calc'!A0``), the import answers with a page,
never a 500 or a traceback, and every refused row has a reason."""

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imports.models import ImportBatch, RowStatus
from tests.orders.imports import batch_page, upload

pytestmark = pytest.mark.django_db

HEADER = "order_id;invoice_number;invoice_value;issuance_date;invoice_key;type;items"
NASTY = [
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "-2+3",
    "@A1",
    "\t=1",
    "x" * 6000,
    "1500000001-01",
    "1500000002-01",
    "1.234,56",
    "R$ 1.234,56",
    "31/02/2026",
    "27/11/2026",
    "2026-11-27",
    "2001:1|2002:x",
    "2001:99999999999999",
    "entrada",
    "Output",
    "0",
    '"',
    "",
]
cells = st.one_of(st.sampled_from(NASTY), st.text(max_size=30))
rows = st.lists(st.lists(cells, min_size=0, max_size=9), min_size=1, max_size=6)


@st.composite
def files(draw) -> bytes:
    kind = draw(st.sampled_from(["rows", "binary", "truncated", "utf16", "cp1252"]))
    if kind == "binary":
        return draw(st.binary(max_size=3000))
    text = HEADER + "\n" + "\n".join(";".join(row) for row in draw(rows)) + "\n"
    if kind == "utf16":
        return text.encode("utf-16")
    if kind == "cp1252":
        return text.encode("cp1252", errors="replace")
    content = text.encode()
    if kind == "truncated":
        return content[: draw(st.integers(min_value=0, max_value=len(content)))]
    return content


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(content=files(), name=st.sampled_from(["erp.csv", "erp.xlsx", "erp.txt"]))
def test_any_file_gets_a_page_and_every_refused_row_a_reason(
    client, login, import_orders, content, name
):
    if not client.session.get("_auth_user_id"):
        login("Finance")
    before = set(ImportBatch.objects.values_list("pk", flat=True))
    response = upload(client, name, content, policy="valid-rows")
    assert response.status_code in (200, 302)
    body = response.content.decode()
    assert "Traceback" not in body
    if response.status_code == 200:
        # Refused as a whole: the upload page says why, nothing is recorded.
        assert 'class="errorlist' in body
        assert set(ImportBatch.objects.values_list("pk", flat=True)) == before
        return
    batch = ImportBatch.objects.exclude(pk__in=before).get()
    assert batch.valid_rows + batch.refused_rows == batch.total_rows
    refused = batch.rows.filter(status=RowStatus.REFUSED)
    assert refused.count() == batch.refused_rows
    assert all(message.strip() for message in refused.values_list("message", flat=True))
    assert "Traceback" not in batch_page(client, batch)
    csv_response = client.get(f"/admin/imports/importbatch/{batch.pk}/refused.csv")
    assert csv_response.status_code == 200
    written = csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig")), delimiter=";")
    for line in written:
        for cell in line:
            assert not cell.startswith(("=", "+", "-", "@", "\t")), line
