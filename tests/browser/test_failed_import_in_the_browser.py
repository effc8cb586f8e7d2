"""An operator of the Finance group opens an import batch whose check failed (in pt-BR): the
page says why, shows no progress bar, and its "Descartar" button discards it."""

import pytest

from imports.models import BatchStatus, ImportBatch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_failed_batch_shows_its_reason_and_is_discarded(page, live_server, admin_login):
    admin_login("financeiro", group="Finance")
    batch = ImportBatch.objects.create(
        kind="invoices",
        file_name="notas.csv",
        status=BatchStatus.FAILED,
        error="A conferência falhou neste lote (um erro interno, registrado no log).",
    )

    page.goto(f"{live_server.url}/admin/imports/importbatch/{batch.pk}/change/")
    assert page.locator(".import-status").inner_text() == "Falhou"
    assert "A conferência falhou neste lote" in page.locator(".errornote").first.inner_text()
    assert page.locator(".import-progress").count() == 0
    page.click("input[value=Descartar]")

    assert "descartado: nada foi importado" in page.locator(".messagelist").inner_text()
    assert page.locator(".import-status").inner_text() == "Descartado"
    assert page.locator("input[value=Descartar]").count() == 0
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DISCARDED
