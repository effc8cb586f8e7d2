"""The SKU import through the admin, as an operator does it: the "Import SKUs" button on the SKU
list, the upload, the preview (which writes and sends nothing), the confirmation. Every file
variant (`,` and `;`, Windows-1252, XLSX, Portuguese headers, money as 39.90, 39,90 and
R$ 1.039,90), new SKUs and updates of existing ones (an empty cell keeps the value), the
notifications a price or stock change queues (delivered to the sandbox), every refusal with
its message and row, the two policies, and an exported list importing back unchanged.

The files are in import_files/."""

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from catalog.models import Binding, NotificationKind, Sku, SkuChangeNotification
from catalog.services.demo import catalog_demo_load
from catalog.spreadsheets import SkuExportResource
from imports.models import BatchStatus, ImportBatch
from outbox.models import VtexCommand
from tests.catalog.factories import SkuFactory
from tests.catalog.support import CHANGE, SELLER_ID, deliver_all
from tests.orders.imports import batch_of, batch_page, confirm, refusals
from tests.orders.imports import upload as upload_file

pytestmark = pytest.mark.django_db

FILES = Path(__file__).resolve().parent / "import_files"
SKU_LIST = reverse("admin:catalog_sku_changelist")
UPLOAD = reverse("admin:imports_importbatch_upload", args=["skus"])


def upload(client, name: str, content: bytes | None = None, **kwargs):
    data = content if content is not None else (FILES / name).read_bytes()
    return upload_file(client, name, data, kind="skus", **kwargs)


def stored(sku_id: str) -> tuple:
    sku = Sku.objects.get(sku_id=sku_id)
    return (sku.price, sku.list_price, sku.stock, sku.weight_kg)


def test_the_sku_list_button_leads_to_an_upload_previewed_then_imported(
    client, login, django_capture_on_commit_callbacks
):
    user = login("Operations")
    page = client.get(SKU_LIST).content.decode()
    assert f'<a href="{UPLOAD}" class="import_link">Import SKUs</a>' in page
    upload_page = client.get(UPLOAD).content.decode()
    for column in ("sku_id", "preco", "preco_de", "estoque", "url_imagem", "nome_produto"):
        assert f"<code>{column}</code>" in upload_page

    with django_capture_on_commit_callbacks() as callbacks:
        response = upload(client, "skus_comma.csv")
    assert response.status_code == 302
    batch = batch_of(response)
    assert (batch.status, batch.total_rows, batch.valid_rows, batch.refused_rows) == (
        BatchStatus.CHECKED,
        3,
        3,
        0,
    )
    preview = batch_page(client, batch)
    assert "New SKU 3001 “Caneca Azul 300 ml”: price R$ 39.90, stock 25." in preview
    assert "New SKU 3003 “Caneca Preta 300 ml”: price R$ 1,039.90, stock 7." in preview
    assert "Notifications to the marketplace: SKU change." in preview
    # The preview stored nothing and queued nothing.
    assert not Sku.objects.exists()
    assert not VtexCommand.objects.exists()
    assert callbacks == []

    with django_capture_on_commit_callbacks() as callbacks:
        response = confirm(client, batch)
    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.imported_rows) == (BatchStatus.IMPORTED, 3)
    first = Sku.objects.get(sku_id="3001")
    assert (first.name, first.product_name, first.brand, first.category_path, first.ean) == (
        "Caneca Azul 300 ml",
        "Caneca 300 ml",
        "Louças Sul",
        "Casa/Cozinha/Canecas",
        "7891000315507",
    )
    assert (first.height_cm, first.width_cm, first.length_cm) == (10, 8, 8)
    assert first.images == ["https://cdn.example.com/3001.jpg"]
    assert stored("3001") == (3990, 4990, 25, Decimal("0.35"))
    assert stored("3002") == (3990, 0, 0, Decimal("0.35"))
    assert Sku.objects.get(sku_id="3002").images == [
        "https://cdn.example.com/3002.jpg",
        "https://cdn.example.com/3002-b.jpg",
    ]
    assert stored("3003") == (103990, 0, 7, None)
    # Each new SKU is announced to the marketplace as a SKU saved in the admin is.
    commands = VtexCommand.objects.filter(kind="sku-change-notification")
    assert commands.count() == 3
    assert {(c.source, c.requested_by_id) for c in commands} == {("csv", user.pk)}
    assert len(callbacks) == 3  # each command handed to the broker after commit


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "skus_semicolon_pt.csv",
            {
                "3101": (5990, 7990, 12, Decimal("0.6")),
                "3102": (2990, 0, 30, Decimal("0.2")),
            },
        ),
        ("skus_cp1252.csv", {"3201": (89900, 109900, 3, Decimal("12.5"))}),
        (
            "skus.xlsx",
            {
                "3301": (14990, 19990, 40, Decimal("0.8")),
                "3302": (14990, 0, 0, Decimal("0.8")),
            },
        ),
    ],
)
def test_each_file_variant_is_read(client, login, name, expected):
    login("Operations")
    batch = batch_of(upload(client, name))
    assert refusals(batch) == {}
    confirm(client, batch)
    assert {sku_id: stored(sku_id) for sku_id in expected} == expected


def test_accents_survive_windows_1252_and_xlsx_numbers_are_read_as_written(client, login):
    login("Operations")
    confirm(client, batch_of(upload(client, "skus_cp1252.csv")))
    confirm(client, batch_of(upload(client, "skus.xlsx")))
    chair = Sku.objects.get(sku_id="3201")
    assert (chair.name, chair.brand) == ("Cadeira Ergonômica Açaí", "Móveis São João")
    bag = Sku.objects.get(sku_id="3301")
    # A number cell: the EAN keeps every digit, the dimensions are what the cell shows.
    assert (bag.ean, bag.height_cm, bag.category_path) == (
        "7898614255489",
        45,
        "Acessórios/Mochilas",
    )


def test_an_update_of_price_and_stock_queues_the_notifications_an_edit_does(
    vtex_store, client, login
):
    login("Operations")
    bound = SkuFactory(sku_id="2001", binding=Binding.BOUND, price=24990, list_price=0, stock=4)
    unbound = SkuFactory(sku_id="2002", price=19990, list_price=29990, stock=8)
    untouched = SkuFactory(sku_id="2003", price=9990, list_price=0, stock=2)

    batch = batch_of(upload(client, "update.csv"))
    preview = batch_page(client, batch)
    assert (
        "SKU 2001: price R$ 249.90 → R$ 199.90; stock 4 → 0. Notifications to the marketplace: "
        "Price, Inventory." in preview
    )
    assert "SKU 2002: price R$ 199.90 → R$ 189.90." in preview
    assert "SKU 2003: nothing to change." in preview
    assert not VtexCommand.objects.exists()
    assert stored("2001") == (24990, 0, 4, Decimal("0.7"))

    confirm(client, batch)
    batch.refresh_from_db()
    assert (batch.status, batch.imported_rows) == (BatchStatus.IMPORTED, 2)
    # Empty cells kept the values: 2002's stock, everything of 2003.
    assert stored("2001")[:3] == (19990, 0, 0)
    assert stored("2002")[:3] == (18990, 29990, 8)
    assert stored("2003")[:3] == (9990, 0, 2)
    assert {(c.subject_id, c.kind, c.source) for c in VtexCommand.objects.all()} == {
        (bound.pk, "sku-price-notification", "csv"),
        (bound.pk, "sku-inventory-notification", "csv"),
        (unbound.pk, "sku-change-notification", "csv"),
    }
    assert not SkuChangeNotification.objects.filter(sku=untouched).exists()

    deliver_all()
    notificator = vtex_store.calls(method="POST", path_contains="/api/notificator/")
    assert sorted((call["path"], call["status"]) for call in notificator) == [
        (f"/api/notificator/{SELLER_ID}/changenotification/2001/inventory", 202),
        (f"/api/notificator/{SELLER_ID}/changenotification/2001/price", 202),
    ]
    changed = vtex_store.calls(method="POST", path_contains=CHANGE)
    assert [call["path"].rsplit("/", 1)[-1] for call in changed] == ["2002"]
    price = SkuChangeNotification.objects.get(sku=bound, kind=NotificationKind.PRICE)
    assert price.reason == "price R$ 249.90 → R$ 199.90; stock 4 → 0"


def test_every_refusal_is_explained_with_its_row(client, login):
    login("Operations")
    for number in range(1, 11):
        SkuFactory(sku_id=str(2000 + number))
    before = {sku.sku_id: (sku.price, sku.stock, sku.ean) for sku in Sku.objects.all()}
    batch = batch_of(upload(client, "refusals.csv"))
    assert refusals(batch) == {
        2: "SKU 3901 is not in the back office yet: a new SKU needs name, product_name and "
        "price (empty here: name, product_name, price).",
        3: "price: “abc” is not an amount of money (write 1234.56, 1.234,56 or R$ 1.234,56).",
        4: "The list price cannot be below the price (0: no list price).",
        5: "stock: “-1” is not a whole number of at least 0.",
        6: "weight_kg: Ensure this value is greater than or equal to 0.",
        7: "ean: An EAN has 8, 12, 13 or 14 digits and nothing else; “78910A0315507” does not.",
        8: "ean: The EAN 7891000315508 has a wrong check digit; check it for a typo.",
        9: "name: Ensure this value has at most 200 characters (it has 201).",
        10: "weight_kg: Ensure that there are no more than 3 decimal places.",
        11: "image_url: “ftp://cdn.example.com/2008.jpg” is not a web address (https://...; "
        "several separated by |).",
        12: "SKU 2001 is repeated in the file (also on row 4).",
        13: "sku_id: the cell is empty.",
        14: "weight_kg: “abc” is not a number (write 0.75 or 0,75).",
        15: "stock: Ensure this value is less than or equal to 2147483647.",
        16: "The seller SKU id can have at most 64 characters (it has 65).",
    }
    assert "row 4: The list price cannot be below the price" in batch_page(client, batch)
    # All or nothing: the confirmation writes nothing.
    confirm(client, batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.NOTHING_IMPORTED
    assert {sku.sku_id: (sku.price, sku.stock, sku.ean) for sku in Sku.objects.all()} == before
    assert not VtexCommand.objects.exists()


def test_refusals_read_in_portuguese_for_a_portuguese_operator(client, login, settings):
    login("Operations")
    SkuFactory(sku_id="2001", price=24990, list_price=29990)
    settings.LANGUAGE_CODE = "pt-br"
    content = b"sku;preco;estoque\n2001;300,00;\n3999;19,90;1\n"
    batch = batch_of(upload(client, "precos.csv", content))
    assert refusals(batch) == {
        2: "O preço de tabela não pode ser menor que o preço (0: sem preço de tabela).",
        3: "O SKU 3999 ainda não está no back office: um SKU novo precisa de name, "
        "product_name e price (vazios aqui: name, product_name).",
    }
    assert "linha 3: O SKU 3999" in batch_page(client, batch)


@pytest.mark.parametrize(
    ("policy", "status", "price"),
    [
        ("all-or-nothing", BatchStatus.NOTHING_IMPORTED, 24990),
        ("valid-rows", BatchStatus.IMPORTED, 19990),
    ],
)
def test_the_policy_decides_what_a_refused_row_does(client, login, policy, status, price):
    login("Operations")
    SkuFactory(sku_id="2001", price=24990, list_price=0, stock=12)
    batch = batch_of(upload(client, "mixed.csv"))
    confirm(client, batch, policy=policy)
    batch.refresh_from_db()
    assert batch.status == status
    assert refusals(batch) == {
        3: "SKU 3999 is not in the back office yet: a new SKU needs name, product_name and "
        "price (empty here: name, product_name)."
    }
    assert Sku.objects.get(sku_id="2001").price == price
    assert not Sku.objects.filter(sku_id="3999").exists()
    assert VtexCommand.objects.exists() is (policy == "valid-rows")


def test_only_operations_may_import_and_others_see_no_button(client, login):
    assert Group.objects.get(name="Operations").permissions.filter(codename="import_sku")
    for group in ("Finance", "Viewer"):
        client.logout()
        login(group, username=group.lower())
        assert UPLOAD not in client.get(SKU_LIST).content.decode()
        assert client.get(UPLOAD).status_code == 403
        assert upload(client, "skus_comma.csv").status_code == 403
    assert not ImportBatch.objects.exists()
    assert not Sku.objects.exists()


def test_a_file_without_the_sku_column_is_refused_on_the_upload_page(client, login):
    login("Operations")
    response = upload(client, "precos.csv", b"produto;preco\nCaneca;10,00\n")
    assert response.status_code == 200
    assert "Missing columns: sku_id (sku / id_sku / codigo_sku)." in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_the_template_file_holds_every_column_and_imports_into_the_demo_catalog(client, login):
    login("Operations")
    catalog_demo_load()
    response = client.get(reverse("admin:imports_importbatch_template", args=["skus"]))
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert header == (
        "sku_id;name;product_name;brand;category;ean;price;list_price;stock;weight_kg;"
        "height_cm;width_cm;length_cm;image_url"
    )
    batch = batch_of(upload(client, "modelo.csv", response.content))
    assert refusals(batch) == {}
    confirm(client, batch)
    assert stored("2144") == (3990, 4990, 25, Decimal("0.25"))
    assert stored("2138")[:3] == (4490, 5990, 45)


@pytest.mark.parametrize(("file_format", "index"), [("csv", "0"), ("xlsx", "1")])
def test_the_exported_list_imports_back_unchanged(client, login, file_format, index):
    login("Operations")
    SkuFactory(sku_id="2001", price=3990, list_price=4990, stock=3, weight_kg=Decimal("0.25"))
    SkuFactory(
        sku_id="2002",
        ean="",
        weight_kg=None,
        images=["https://a.example/1.jpg", "https://a.example/2.jpg"],
    )
    fields = {
        f"{SkuExportResource.__name__.lower()}_{name}": "on"
        for name in SkuExportResource._meta.fields
    }
    exported = client.post(f"{SKU_LIST}export/", {"resource": "0", "format": index, **fields})
    assert exported.status_code == 200
    if file_format == "csv":
        rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
        assert rows[0]["price"] == "39.90"
        assert rows[1]["image_url"] == "https://a.example/1.jpg|https://a.example/2.jpg"
    batch = batch_of(upload(client, f"skus.{file_format}", exported.content))
    page = batch_page(client, batch)
    assert refusals(batch) == {}
    assert "SKU 2001: nothing to change." in page and "SKU 2002: nothing to change." in page
    confirm(client, batch)
    assert not VtexCommand.objects.exists()
