"""Issue 16 §3 in the browser: a delivery typed as 18:20 (São Paulo) on the tracking events
form reaches VTEX as 21:20 UTC, and the order page, read back from VTEX, says 18:20."""

from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_delivery_typed_at_18_20_is_shown_at_18_20(box, settings):
    settings.TIME_ZONE = "America/Sao_Paulo"
    [order] = box.orders(1, "handling")
    box.open(order)
    box.run(order, "invoice", "Nota fiscal NF1", number="NF1")
    box.run(order, "tracking-number", "Código de rastreio", tracking_number="BR123456789BR")

    today = timezone.localdate(timezone=ZoneInfo("America/Sao_Paulo"))
    box.run(
        order,
        "tracking-events",
        "Eventos de rastreio",
        invoice_number="NF1",
        is_delivered=True,
        delivered_at=f"{today.isoformat()}T18:20",
    )

    [put] = box.sandbox.calls(method="PUT", path_contains="/tracking")
    assert put["body"]["deliveredDate"] == f"{today.isoformat()} 21:20"
    # The order page after the command: the mirror re-read from VTEX (the sandbox).
    box.open(order)
    invoices = box.page.inner_text("#order-invoices")
    assert "Entregue" in invoices and "às 18:20" in invoices, invoices
    assert "21:20" not in invoices
