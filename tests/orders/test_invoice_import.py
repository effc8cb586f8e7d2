"""The invoice and tracking imports through the admin: every file variant (delimiters,
encodings, number and date forms, Portuguese headers, items given or not, Input invoices,
tracking only, XLSX), every refusal with its message, the preview that writes and sends
nothing, the two policies, and the audit of which batch an invoice came from.

The files are in import_files/; the orders they name come from ``import_orders``."""

import pytest
from django.urls import reverse

from core.money import brl
from imports.models import BatchStatus, ImportBatch
from orders.models import EventType, OrderEvent
from outbox.models import VtexCommand
from tests.orders.imports import batch_of, batch_page, confirm, refusals, upload

pytestmark = pytest.mark.django_db

KEY_12345 = "35261112345678000190550010000123451000123456"


def invoice_commands() -> dict[str, dict]:
    return {
        command.payload["number"]: command.payload
        for command in VtexCommand.objects.filter(kind="invoice")
    }


def test_a_comma_separated_utf8_file_is_previewed_then_imported(
    client, login, import_orders, django_capture_on_commit_callbacks
):
    user = login("Finance")
    with django_capture_on_commit_callbacks() as callbacks:
        response = upload(client, "invoices_comma_utf8.csv")
    assert response.status_code == 302
    batch = batch_of(response)
    assert batch.status == BatchStatus.CHECKED
    assert (batch.total_rows, batch.valid_rows, batch.refused_rows) == (2, 2, 0)
    page = batch_page(client, batch)
    assert f"Invoice 12345 of {brl(123456)} (Sale (output)) for order 1500000001-01." in page
    assert "With tracking number BR123456789BR." in page
    # The preview wrote nothing and queued nothing.
    assert not VtexCommand.objects.exists()
    assert not OrderEvent.objects.filter(type=EventType.ACTION_REQUESTED).exists()
    assert callbacks == []

    with django_capture_on_commit_callbacks() as callbacks:
        response = confirm(client, batch)
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == BatchStatus.IMPORTED
    assert batch.imported_rows == 2
    assert len(callbacks) == 1  # a delivery task, after commit: it delivers every due command
    commands = invoice_commands()
    first, second = commands["12345"], commands["12346"]
    assert (first["value"], first["key"], first["tracking_number"], first["courier"]) == (
        123456,
        KEY_12345,
        "BR123456789BR",
        "Correios",
    )
    assert first["url"] == "https://erp.example.com/nfe/12345.pdf"
    assert second["value"] == 60500
    assert [(line["position"], line["quantity"]) for line in second["lines"]] == [(0, 1), (1, 1)]
    # The audit says who imported which file.
    events = OrderEvent.objects.filter(type=EventType.ACTION_REQUESTED)
    assert {event.payload["import_batch"] for event in events} == {batch.pk}
    assert {event.actor_user_id for event in events} == {user.pk}
    assert {event.source for event in events} == {"csv"}
    # ...and the order's timeline names the file.
    order_page = client.get(
        reverse("admin:orders_order_change", args=[events[0].order_id])
    ).content.decode()
    assert "(CSV file invoices_comma_utf8.csv)" in order_page


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("invoices_semicolon_bom_pt.csv", {"12345": 123456, "12346": 59500}),
        ("invoices_cp1252.csv", {"12345": 123456}),
        ("invoices.xlsx", {"12345": 123456, "12346": 60500}),
    ],
)
def test_each_file_variant_is_read(client, login, import_orders, name, expected):
    login("Finance")
    batch = batch_of(upload(client, name))
    assert refusals(batch) == {}
    assert batch.valid_rows == len(expected)
    confirm(client, batch)
    commands = invoice_commands()
    assert {number: payload["value"] for number, payload in commands.items()} == expected
    assert {payload["type"] for payload in commands.values()} == {"Output"}


def test_the_cp1252_file_keeps_its_accents(client, login, import_orders):
    login("Finance")
    confirm(client, batch_of(upload(client, "invoices_cp1252.csv")))
    assert invoice_commands()["12345"]["courier"] == "Transportes Ágil"


def test_an_input_invoice_returns_an_invoiced_order(client, login, import_orders):
    login("Finance")
    batch = batch_of(upload(client, "invoices_input.csv"))
    assert refusals(batch) == {}
    confirm(client, batch)
    payload = invoice_commands()["D9001"]
    assert (payload["type"], payload["value"]) == ("Input", 123456)


def test_a_tracking_only_file_attaches_tracking_numbers(client, login, import_orders):
    login("Finance")
    batch = batch_of(upload(client, "tracking_pt.csv", kind="tracking"))
    assert refusals(batch) == {}
    assert "Tracking number BR999888777BR on invoice 9001 of order 1500000004-01." in batch_page(
        client, batch
    )
    confirm(client, batch)
    [command] = VtexCommand.objects.filter(kind="tracking-number")
    assert command.payload["tracking_number"] == "BR999888777BR"
    assert command.payload["courier"] == "Correios"
    event = OrderEvent.objects.get(type=EventType.ACTION_REQUESTED)
    assert event.payload["import_batch"] == batch.pk


def test_every_refusal_is_explained_with_its_row(client, login, import_orders):
    login("Finance")
    batch = batch_of(upload(client, "refusals.csv"))
    found = refusals(batch)
    assert found == {
        2: "Unknown order 1599999999-01: no order with this id in the back office.",
        3: "Order 1500000003-01: The order is Canceled in VTEX: invoicing is not possible in this "
        "status.",
        4: "invoice_value: “abc” is not an amount of money (write 1234.56, 1.234,56 or "
        "R$ 1.234,56).",
        5: "Invoice number 20003 is repeated in the file (also on row 4).",
        6: "Order 1500000004-01: Invoice number 9001 is already used on this order with other "
        "data; VTEX would only refresh the first invoice's receipt. Use another number.",
        7: f"Order 1500000001-01: Invoice 20004 is worth {brl(99999)}, but its items on this "
        f"order come to {brl(59500)} (the invoice that completes an order also carries its "
        "shipping and discounts).",
        8: f"Order 1500000002-01: Invoice 20005 would bring the order's invoices to "
        f"{brl(200000)}, more than the order value {brl(123456)}.",
        9: "Order 1500000001-01: The NF-e access key must have exactly 44 digits.",
        10: "Order 1500000001-01: The NF-e access key's check digit is wrong; check the key for "
        "a typo.",
        11: "issuance_date: “31/02/2026” is not a date that exists.",
        12: "issuance_date: “yesterday” is not a date (write YYYY-MM-DD or DD/MM/YYYY).",
        13: "Order 1500000001-01 has no SKU 9999.",
        14: "invoice_value: “1.234.56” is not an amount of money (write 1234.56, 1.234,56 or "
        "R$ 1.234,56).",
        15: "type: “Devolução” is not one of Output, saída, Input, entrada.",
    }
    page = batch_page(client, batch)
    assert "row 2: Unknown order 1599999999-01" in page
    # All or nothing: the confirmation writes nothing.
    confirm(client, batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.NOTHING_IMPORTED
    assert not VtexCommand.objects.exists()


def test_the_refused_rows_download_as_csv_with_their_reasons(client, login, import_orders):
    login("Finance")
    batch = batch_of(upload(client, "mixed.csv"))
    response = client.get(f"/admin/imports/importbatch/{batch.pk}/refused.csv")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0] == "order_id;invoice_number;invoice_value;issuance_date;reason"
    assert lines[1] == (
        "1599999999-01;12399;10.00;2026-11-27;row 3: Unknown order 1599999999-01: no order "
        "with this id in the back office."
    )
    assert len(lines) == 2


def test_a_refused_row_keeps_only_the_import_s_columns_a_viewer_sees_no_cpf(
    client, login, import_orders
):
    # An ERP export: the customer's CPF and e-mail beside the invoice's columns.
    content = (
        "Pedido;cpf_cliente;Número Nota;Valor;Data Emissão;E-mail\n"
        "1500000001-01;111.444.777-35;12345;1234,56;27/11/2026;ana@example.com\n"
        "1599999999-01;529.982.247-25;12399;10,00;27/11/2026;bia@example.com\n"
    ).encode()
    login("Finance")
    batch = batch_of(upload(client, "erp.csv", content))
    assert refusals(batch) == {
        3: "Unknown order 1599999999-01: no order with this id in the back office."
    }
    batch.refresh_from_db()
    assert batch.headers == ["order_id", "invoice_number", "invoice_value", "issuance_date"]
    assert batch.rows.get(number=3).cells == ["1599999999-01", "12399", "10,00", "27/11/2026"]
    client.logout()
    login("Viewer", username="viewer")
    response = client.get(reverse("admin:imports_importbatch_refused", args=[batch.pk]))
    assert response.status_code == 200
    assert response.content.decode("utf-8-sig").splitlines() == [
        "order_id;invoice_number;invoice_value;issuance_date;reason",
        "1599999999-01;12399;10,00;27/11/2026;row 3: Unknown order 1599999999-01: no order "
        "with this id in the back office.",
    ]
    page = batch_page(client, batch)
    assert "row 3: Unknown order 1599999999-01" in page
    # The columns' names are listed (not read: nothing is imported before someone decides),
    # never their cells.
    assert 'data-header="cpf_cliente" data-how="unknown"' in page
    for personal in ("529.982.247-25", "52998224725", "111.444.777-35", "@example.com"):
        assert personal not in page


def test_a_batch_recorded_with_every_column_gives_back_only_the_import_s(
    client, login, import_orders
):
    # A batch of before: its header and refused cells hold the file's every column.
    login("Finance")
    batch = batch_of(upload(client, "mixed.csv"))
    batch.headers = ["Pedido", "cpf_cliente", "Número Nota", "Valor", "Data Emissão"]
    batch.save(update_fields=["headers"])
    batch.rows.filter(number=3).update(
        cells=["1599999999-01", "529.982.247-25", "12399", "10.00", "2026-11-27"]
    )
    client.logout()
    login("Viewer", username="viewer")
    response = client.get(reverse("admin:imports_importbatch_refused", args=[batch.pk]))
    assert response.content.decode("utf-8-sig").splitlines() == [
        "order_id;invoice_number;invoice_value;issuance_date;reason",
        "1599999999-01;12399;10.00;2026-11-27;row 3: Unknown order 1599999999-01: no order "
        "with this id in the back office.",
    ]


@pytest.mark.parametrize(
    ("policy", "status", "imported"),
    [
        ("all-or-nothing", BatchStatus.NOTHING_IMPORTED, set()),
        ("valid-rows", BatchStatus.IMPORTED, {"12345"}),
    ],
)
def test_the_policy_decides_what_a_refused_row_does(
    client, login, import_orders, policy, status, imported
):
    login("Finance")
    batch = batch_of(upload(client, "mixed.csv"))
    confirm(client, batch, policy=policy)
    batch.refresh_from_db()
    assert batch.status == status
    assert set(invoice_commands()) == imported
    assert refusals(batch) == {
        3: "Unknown order 1599999999-01: no order with this id in the back office."
    }


def test_a_viewer_cannot_upload_and_a_batch_is_confirmed_once(client, login, import_orders):
    login("Viewer", username="viewer")
    response = upload(client, "mixed.csv")
    assert response.status_code == 403
    assert not ImportBatch.objects.exists()
    client.logout()
    login("Finance")
    batch = batch_of(upload(client, "invoices_comma_utf8.csv"))
    confirm(client, batch)
    response = confirm(client, batch)
    assert response.status_code == 302
    assert VtexCommand.objects.filter(kind="invoice").count() == 2


def test_an_unreadable_file_is_refused_on_the_upload_page(client, login, import_orders):
    login("Finance")
    response = upload(client, "broken.csv", b"\x00\x01\x02binary\xff")
    assert response.status_code == 200
    assert "This is not a CSV or XLSX file" in response.content.decode()
    response = upload(client, "wrong.csv", b"pedido;valor\n1;2\n")
    assert (
        "Missing columns: invoice_number (numero_nota / Nº NF / Nº NF-e), issuance_date "
        "(data_emissao / Emissão / Data de Emissão da NF-e)." in response.content.decode()
    )
    assert not ImportBatch.objects.exists()


def test_the_order_list_offers_the_imports_to_who_may_run_them(client, login, import_orders):
    login("Finance")
    page = client.get("/admin/orders/order/").content.decode()
    assert 'href="/admin/imports/importbatch/upload/invoices/"' in page
    assert 'href="/admin/imports/importbatch/upload/tracking/"' in page
    assert "/admin/orders/order/export/" in page
    upload_page = client.get("/admin/imports/importbatch/upload/invoices/").content.decode()
    for column in ("order_id", "numero_nota", "data_emissao", "itens"):
        assert f"<code>{column}</code>" in upload_page
    template = client.get("/admin/imports/importbatch/template/invoices/")
    header = template.content.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("order_id;invoice_number;invoice_value;issuance_date")
    assert client.get("/admin/orders/invoice/").status_code == 200
    client.logout()
    login("Viewer", username="viewer")
    page = client.get("/admin/orders/order/").content.decode()
    assert "/upload/invoices/" not in page
    assert client.get("/admin/imports/importbatch/").status_code == 200
