"""An ERP's invoice file never loses a column in silence (issue 16 §2): its key and tracking
columns under the headers ERPs write reach VTEX (the sandbox records them); a column nothing
reads stops the import until the operator maps or ignores it on the preview (remembered for
the next file with the same header) or the command line is told (exit 2 otherwise); a row
refused for several reasons lists each, by the file's header."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation

from imports.models import BatchStatus, ColumnMapping, ImportBatch
from orders.selectors.invoicing import order_invoicing_summary
from orders.validators import nfe_key_check_digit
from outbox.models import VtexCommand
from tests.orders.imports import batch_of, batch_page, refusals, upload
from tests.orders.operations import deliver_everything, mirrored_orders, sandbox_invoices

pytestmark = pytest.mark.django_db

ERP_HEADER = (
    "Pedido VTEX;Nº NF;Série;Valor Total da Nota;Data de Emissão;Chave de Acesso;"
    "Transportadora;Cód. Rastreio;CNPJ/CPF do Destinatário;Observação"
)
CPF = "529.982.247-25"


def nfe_key(number: int) -> str:
    first = f"3526111234567800019055001{number:09d}1{number:08d}"[:43]
    return first + str(nfe_key_check_digit(first))


def brl(cents: int) -> str:
    return f"{cents // 100:,}".replace(",", ".") + f",{cents % 100:02d}"


def erp_file(orders, *, header: str = ERP_HEADER, first: int = 1000) -> bytes:
    """The ERP's NF-e export: one invoice per order for what is left on it, its key, the
    tracking code, the customer's CPF and a note."""
    today = timezone.localdate().strftime("%d/%m/%Y")
    lines = [header]
    for index, order in enumerate(orders):
        left = order_invoicing_summary(order=order).order_value
        number = first + index
        cells = {
            "Pedido VTEX": order.vtex_order_id,
            "Nº NF": str(number),
            "Série": "1",
            "Valor Total da Nota": brl(left),
            "Data de Emissão": today,
            "Chave de Acesso": nfe_key(number),
            "Transportadora": "Correios",
            "Cód. Rastreio": f"BR{number}BR",
            "CNPJ/CPF do Destinatário": CPF,
            "Observação": "Entregar pela manhã",
        }
        lines.append(";".join(cells[name] for name in header.split(";")))
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def columns(client, batch, choices: dict[str, str]):
    """The preview's column selects, as the operator sets them: header -> column or "-"."""
    fields = {f"column_{index}": value for index, value in _selects(batch, choices).items()}
    return client.post(reverse("admin:imports_importbatch_columns", args=[batch.pk]), fields)


def _selects(batch, choices):
    batch.refresh_from_db()
    selected = {}
    for index, column in enumerate(batch.columns):
        if column["how"] == "reasons":
            continue
        if column["header"] in choices:
            selected[index] = choices[column["header"]]
        elif column["how"] == "unknown":
            selected[index] = "?"
        elif column["how"] == "ignored":
            selected[index] = "-"
        else:
            selected[index] = column["field"]
    return selected


def confirm(client, batch, *, checked: bool, policy: str = "all-or-nothing"):
    data = {"policy": policy}
    if checked:
        data["columns_checked"] = "on"
    return client.post(reverse("admin:imports_importbatch_confirm", args=[batch.pk]), data)


def messages_of(client, batch) -> str:
    return batch_page(client, batch)


def test_an_erp_file_s_key_and_tracking_code_reach_vtex_once_its_columns_are_decided(
    vtex_store, client, login, django_capture_on_commit_callbacks
):
    login("Finance")
    orders = mirrored_orders(vtex_store, 2, status="handling")
    vtex_store.clear_calls()
    batch = batch_of(upload(client, "nfe-erp.csv", erp_file(orders)))
    assert batch.status == BatchStatus.CHECKED
    assert refusals(batch) == {}
    by_header = {column["header"]: (column["field"], column["how"]) for column in batch.columns}
    assert by_header == {
        "Pedido VTEX": ("order_id", "name"),
        "Nº NF": ("invoice_number", "name"),
        "Série": ("", "unknown"),
        "Valor Total da Nota": ("invoice_value", "name"),
        "Data de Emissão": ("issuance_date", "name"),
        "Chave de Acesso": ("invoice_key", "name"),
        "Transportadora": ("courier", "name"),
        "Cód. Rastreio": ("tracking_number", "name"),
        "CNPJ/CPF do Destinatário": ("", "unknown"),
        "Observação": ("", "unknown"),
    }
    page = batch_page(client, batch)
    assert "read as invoice_key" in page and "read as tracking_number" in page
    assert "are not read by this import" in page
    assert 'name="confirm"' not in page  # nothing to confirm before the columns are decided

    # Confirming anyway (a crafted POST) is refused: nothing is written, nothing sent.
    response = confirm(client, batch, checked=True)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CHECKED
    assert not VtexCommand.objects.exists()
    assert "“Série”, “CNPJ/CPF do Destinatário”, “Observação” are not read" in (
        client.get(response["Location"]).content.decode()
    )

    ignore = {"Série": "-", "CNPJ/CPF do Destinatário": "-", "Observação": "-"}
    columns(client, batch, ignore)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CHECKED and batch.valid_rows == 2
    assert {column["header"] for column in batch.columns if column["how"] == "ignored"} == set(
        ignore
    )
    # Ignored columns' cells are neither read nor kept; their names may be listed.
    assert batch.headers == [
        "order_id",
        "invoice_number",
        "invoice_value",
        "issuance_date",
        "invoice_key",
        "courier",
        "tracking_number",
    ]
    assert CPF not in batch_page(client, batch)

    # Mapped or ignored columns: the operator ticks that they checked them.
    confirm(client, batch, checked=False)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CHECKED
    with django_capture_on_commit_callbacks(execute=True):
        confirm(client, batch, checked=True)
    deliver_everything(timeout=30)
    batch.refresh_from_db()
    assert (batch.status, batch.imported_rows) == (BatchStatus.IMPORTED, 2)
    for index, order in enumerate(orders):
        number = str(1000 + index)
        received = sandbox_invoices(vtex_store, order)[number]
        assert received["invoiceKey"] == nfe_key(1000 + index)
        assert received["trackingNumber"] == f"BR{number}BR"
        assert received["courier"] == "Correios"

    # The next file with the same header (its columns in another order) needs no choice.
    more = mirrored_orders(vtex_store, 1, status="handling")
    header = ";".join(reversed(ERP_HEADER.split(";")))
    second = batch_of(upload(client, "nfe-erp-2.csv", erp_file(more, header=header, first=2000)))
    assert second.status == BatchStatus.CHECKED and second.valid_rows == 1
    assert not [column for column in second.columns if column["how"] == "unknown"]
    with django_capture_on_commit_callbacks(execute=True):
        confirm(client, second, checked=True)
    deliver_everything(timeout=30)
    received = sandbox_invoices(vtex_store, more[0])["2000"]
    assert (received["invoiceKey"], received["trackingNumber"]) == (nfe_key(2000), "BR2000BR")
    assert ColumnMapping.objects.get(kind="invoices").updated_by.username == "finance"


def test_an_unknown_column_mapped_on_the_preview_is_read_as_that_column(
    client, login, import_orders
):
    login("Finance")
    content = (
        b"pedido;numero_nota;valor;data_emissao;Chave Autorizada\n"
        b"1500000001-01;12345;1.234,56;27/11/2026;35261112345678000190550010000123451000123456\n"
    )
    batch = batch_of(upload(client, "erp.csv", content))
    columns(client, batch, {"Chave Autorizada": "invoice_key"})
    batch.refresh_from_db()
    assert [c for c in batch.columns if c["header"] == "Chave Autorizada"] == [
        {"header": "Chave Autorizada", "field": "invoice_key", "how": "mapped"}
    ]
    assert "read as invoice_key (your choice)" in batch_page(client, batch)
    confirm(client, batch, checked=True)
    [command] = VtexCommand.objects.filter(kind="invoice")
    assert command.payload["key"] == "35261112345678000190550010000123451000123456"


def test_a_required_column_under_an_unknown_header_is_chosen_on_the_preview(
    client, login, import_orders
):
    login("Finance")
    content = b"pedido;Doc. Fiscal;valor;data_emissao\n1500000001-01;12345;1.234,56;27/11/2026\n"
    batch = batch_of(upload(client, "erp.csv", content))
    assert refusals(batch) == {
        2: "invoice_number: no column of the file is read as it: choose one in the file's columns."
    }
    assert "No column of the file is read as invoice_number, which is required." in (
        batch_page(client, batch)
    )
    columns(client, batch, {"Doc. Fiscal": "invoice_number"})
    batch.refresh_from_db()
    assert (batch.valid_rows, refusals(batch)) == (1, {})


def test_a_row_refused_for_several_reasons_lists_each_by_the_file_s_header(
    client, login, import_orders
):
    login("Finance")
    content = (
        "Pedido;Numero_Nota;Valor;Data_Emissao;Tipo\n1500000001-01;;abc;31/02/2026;Devolução\n"
    ).encode()
    batch = batch_of(upload(client, "erp.csv", content))
    assert refusals(batch) == {
        2: "Numero_Nota: the cell is empty; Valor: “abc” is not an amount of money (write "
        "1234.56, 1.234,56 or R$ 1.234,56); Data_Emissao: “31/02/2026” is not a date that "
        "exists; Tipo: “Devolução” is not one of Output, saída, Input, entrada."
    }
    assert "row 2: Numero_Nota: the cell is empty; Valor:" in batch_page(client, batch)


# --- The command line ---------------------------------------------------------------------------


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_invoices", *args, stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue(), err.getvalue() + str(error)
    return 0, out.getvalue(), err.getvalue()


@pytest.fixture
def erp_path(tmp_path, vtex_store):
    orders = mirrored_orders(vtex_store, 1, status="handling")
    path = tmp_path / "nfe-erp.csv"
    path.write_bytes(erp_file(orders))
    return path, orders[0]


def test_the_command_refuses_a_file_with_columns_it_neither_reads_maps_nor_ignores(erp_path):
    path, _order = erp_path
    status, _out, err = run(str(path))
    assert status == 2
    assert (
        "nfe-erp.csv: the column “Série” is not read by this import: read it as one of its "
        'columns with --map "Série=COLUMN" (order_id, invoice_number, invoice_value, '
        "issuance_date, invoice_key, invoice_url, type, courier, tracking_number, tracking_url, "
        'items), or leave it out with --ignore-column "Série".'
    ) in err
    assert "the column “CNPJ/CPF do Destinatário” is not read" in err
    assert "the column “Observação” is not read" in err
    assert "3 column problems: nothing imported." in err
    assert not ImportBatch.objects.exists()
    assert not VtexCommand.objects.exists()


def test_the_command_speaks_the_operator_s_language(erp_path, settings):
    path, _order = erp_path
    # As from a shell: no language active, the command speaks LANGUAGE_CODE's.
    settings.LANGUAGE_CODE = "pt-br"
    previous = translation.get_language()
    translation.deactivate()
    try:
        status, _out, err = run(str(path))
    finally:
        translation.activate(previous)
    assert status == 2
    assert "a coluna “Série” não é lida por esta importação" in err
    assert 'ou deixe-a de fora com --ignore-column "Série".' in err


def test_the_command_imports_with_ignore_column_and_map_and_the_key_reaches_vtex(
    erp_path, django_capture_on_commit_callbacks, vtex_store
):
    path, order = erp_path
    text = path.read_bytes().decode("cp1252").replace("Chave de Acesso", "Chave Autorizada")
    path.write_bytes(text.encode("cp1252"))
    arguments = [
        str(path),
        "--ignore-column",
        "serie",
        "--ignore-column",
        "CNPJ/CPF do Destinatário",
        "--ignore-column",
        "OBSERVACAO",
    ]
    status, _out, err = run(*arguments)
    assert status == 2 and "the column “Chave Autorizada” is not read" in err
    with django_capture_on_commit_callbacks(execute=True):
        status, out, err = run(*arguments, "--map", "Chave Autorizada=invoice_key")
    assert status == 0, err
    assert "1 rows, 1 valid, 0 refused; 1 imported" in out
    deliver_everything(timeout=30)
    received = sandbox_invoices(vtex_store, order)["1000"]
    assert (received["invoiceKey"], received["trackingNumber"]) == (nfe_key(1000), "BR1000BR")
    batch = ImportBatch.objects.get()
    assert batch.column_mapping["chave_autorizada"] == "invoice_key"
    assert CPF not in str(list(batch.rows.values_list("cells", flat=True)))
    # The command never leaves a mapping behind for the admin.
    assert not ColumnMapping.objects.exists()


def test_a_map_to_no_column_of_the_import_exits_2(erp_path):
    path, _order = erp_path
    status, _out, err = run(str(path), "--map", "Chave de Acesso=chave")
    assert status == 2
    assert '--map “Chave de Acesso=chave”: write --map "HEADER=COLUMN", COLUMN one of' in err
