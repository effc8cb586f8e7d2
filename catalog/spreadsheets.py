"""The catalog's files: the SKU import (a kind of ``imports``, registered in
``CatalogConfig.ready``) and the SKU list's export in the same columns, so an exported file
edited in a spreadsheet imports back.

An import row only parses its cells, applies them to a new or existing SKU, checks the model's
rules and calls ``sku_save``, the service the SKU page's form calls: a change of price or stock
queues the same notifications as an edit in the admin. The file reading, the value parsers,
the preview and the policies are the imports app's (docs/imports.md).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources

from catalog.models import Sku
from catalog.models.skus import SELLER_SKU_ID
from catalog.services.skus import sku_change_reason, sku_save
from core.actor import Actor
from core.money import brl
from imports.kinds import (
    Column,
    ImportContext,
    RowByRowImport,
    RowCheck,
    RowOutcome,
    RowRefused,
)
from imports.spreadsheet import cell_safe
from imports.values import decimal_number, money_cents, required, whole_number

# The file's columns that are the model's fields under another name (the others are the
# model's own names).
FIELD_OF_COLUMN = {"category": "category_path", "image_url": "images"}
COLUMN_OF_FIELD = {field: column for column, field in FIELD_OF_COLUMN.items()}
TEXT_COLUMNS = ("name", "product_name", "brand", "category", "ean")
MONEY_COLUMNS = ("price", "list_price")
MEASURE_COLUMNS = ("weight_kg", "height_cm", "width_cm", "length_cm")
# What a SKU the back office does not know yet needs (besides its sku_id).
NEW_SKU_COLUMNS = ("name", "product_name", "price")
# Several images in one cell, in the order the marketplace shows them.
IMAGE_SEPARATOR = "|"
web_address = URLValidator(schemes=["http", "https"])


def image_urls(text: str) -> list[str]:
    urls = [part.strip() for part in text.split(IMAGE_SEPARATOR) if part.strip()]
    for url in urls:
        try:
            web_address(url)
        except ValidationError:
            raise RowRefused(
                _("“%(value)s” is not a web address (https://...; several separated by |).")
                % {"value": url[:60]},
                column="image_url",
            ) from None
    return urls


def sku_values(row: dict[str, str]) -> dict[str, Any]:
    """The model's values of the row's non-empty cells, parsed (an empty cell: absent);
    RowRefused with every cell that cannot be read."""
    values: dict[str, Any] = {}
    check = RowCheck()
    for column in TEXT_COLUMNS:
        if row.get(column):
            values[FIELD_OF_COLUMN.get(column, column)] = row[column]
    for column in MONEY_COLUMNS:
        if row.get(column):
            values[column] = check.take(money_cents, row[column], column=column)
    if row.get("stock"):
        values["stock"] = check.take(whole_number, row["stock"], column="stock")
    for column in MEASURE_COLUMNS:
        if row.get(column):
            values[column] = check.take(decimal_number, row[column], column=column)
    if row.get("image_url"):
        values["images"] = check.take(image_urls, row["image_url"])
    check.done()
    return values


def sku_check(sku: Sku) -> None:
    """The model's rules (lengths, non-negative measures, EAN digits, list price not below
    price), each message prefixed with the file's column it is about."""
    try:
        sku.full_clean()
    except ValidationError as error:
        refusals = []
        for field_name, errors in error.message_dict.items():
            for message in errors:
                if field_name == NON_FIELD_ERRORS:
                    refusals.append(RowRefused(message))
                else:
                    column = COLUMN_OF_FIELD.get(field_name, field_name)
                    refusals.append(RowRefused(message, column=column))
        raise RowRefused.of(refusals) from None


class SkuImport(RowByRowImport):
    name = "skus"
    label = gettext_lazy("SKUs")
    permission = "catalog.import_sku"
    # The names ERP product exports write too (Bling, Tiny, Omie: docs/imports.md).
    columns = (
        Column(
            "sku_id", ("sku", "id_sku", "codigo_sku", "Código (SKU)", "Cód. SKU"), required=True
        ),
        Column("name", ("nome", "nome_sku", "Descrição", "Nome do SKU")),
        Column("product_name", ("nome_produto", "produto", "Descrição do Produto")),
        Column("brand", ("marca",)),
        Column("category", ("categoria", "Categoria do Produto")),
        Column("ean", ("codigo_barras", "gtin", "GTIN/EAN", "EAN", "Código de Barras (GTIN)")),
        Column("price", ("preco", "preco_por", "Preço de Venda", "Preço Venda")),
        Column("list_price", ("preco_de", "preco_lista", "Preço de Lista")),
        Column("stock", ("estoque", "Estoque Disponível", "Saldo em Estoque")),
        Column("weight_kg", ("peso_kg", "peso", "Peso Bruto (kg)", "Peso Bruto")),
        Column("height_cm", ("altura_cm", "altura", "Altura (cm)")),
        Column("width_cm", ("largura_cm", "largura", "Largura (cm)")),
        Column("length_cm", ("comprimento_cm", "comprimento", "Profundidade (cm)", "Profundidade")),
        Column("image_url", ("url_imagem", "imagem", "URL Imagens Externas", "URL da Imagem")),
    )
    description = gettext_lazy(
        "One SKU per row, by its sku_id. A SKU the back office does not have yet is created "
        "and needs name, product_name and price; an existing SKU gets the cells given, and an "
        "empty cell (or a column left out) keeps its value. Prices as 39.90, 39,90 or "
        "R$ 39,90; list_price 0 means no list price, else it cannot be below the price; stock "
        "in whole units; weight_kg, height_cm, width_cm and length_cm as 0.75 or 0,75; ean of "
        "8, 12, 13 or 14 digits; category as Department/Category; image_url one web address "
        "or several separated by |, replacing the SKU's images. A change of price or stock "
        "notifies the marketplace, as an edit on the SKU page does."
    )
    # A new SKU, and a price and stock update of one of the demo catalog's (make run).
    example_rows = (
        {
            "sku_id": "2144",
            "name": "Camiseta Básica Branca P",
            "product_name": "Camiseta Básica Branca",
            "brand": "Malhas Sul",
            "category": "Roupas/Camisetas",
            "ean": "7891000315507",
            "price": "39,90",
            "list_price": "49,90",
            "stock": "25",
            "weight_kg": "0,25",
            "height_cm": "3",
            "width_cm": "25",
            "length_cm": "30",
            "image_url": "https://cdn.example.com/2144.jpg",
        },
        {"sku_id": "2138", "price": "R$ 44,90", "stock": "45"},
    )

    def prepare(self, rows: Iterable[dict[str, str]], context: ImportContext) -> None:
        context.state["seen"] = {}

    def sku_id_of(self, row: dict[str, str], context: ImportContext) -> str:
        """The row's SKU, refused when an earlier row of the file has it."""
        sku_id = required(row, "sku_id")
        try:
            SELLER_SKU_ID(sku_id)  # before it is looked up: the SKU page's rule for the id
        except ValidationError as error:
            raise RowRefused(" ".join(error.messages)) from None
        seen: dict[str, int] = context.state["seen"]
        if sku_id in seen:
            raise RowRefused(
                _("SKU %(sku)s is repeated in the file (also on row %(row)s).")
                % {"sku": sku_id[:64], "row": seen[sku_id]}
            )
        seen[sku_id] = context.row_number
        return sku_id

    def import_row(self, row: dict[str, str], context: ImportContext) -> RowOutcome:
        check = RowCheck()
        sku_id = check.take(self.sku_id_of, row, context)
        values = check.take(sku_values, row)
        check.done()
        assert sku_id is not None and values is not None
        # Read and locked now, not in bulk before the rows: an edit made meanwhile on the SKU
        # page is not overwritten by the file's older copy of the other fields.
        before = Sku.objects.select_for_update().filter(sku_id=sku_id).first()
        if before is None:
            missing = [column for column in NEW_SKU_COLUMNS if not row.get(column)]
            if missing:
                raise RowRefused(
                    _(
                        "SKU %(sku)s is not in the back office yet: a new SKU needs name, "
                        "product_name and price (empty here: %(missing)s)."
                    )
                    % {"sku": sku_id[:64], "missing": ", ".join(missing)}
                )
            sku = Sku(sku_id=sku_id, **values)
        else:
            sku = copy.copy(before)
            for name, value in values.items():
                setattr(sku, name, value)
            if all(getattr(before, name) == value for name, value in values.items()):
                return RowOutcome(
                    _("SKU %(sku)s: nothing to change.") % {"sku": sku_id},
                    created=False,
                    reference=sku_id,
                )
        sku_check(sku)
        saved = sku_save(sku=sku, user=context.user, source=Actor.CSV)
        if saved.created:
            message = _("New SKU %(sku)s “%(name)s”: price %(price)s, stock %(stock)s.") % {
                "sku": sku_id,
                "name": sku.name,
                "price": brl(sku.price),
                "stock": sku.stock,
            }
        else:
            message = _("SKU %(sku)s: %(changes)s.") % {
                "sku": sku_id,
                "changes": sku_change_reason(before=before, after=sku, changed=saved.changed),
            }
        queued = [
            str(queued.notification.get_kind_display())
            for queued in saved.notifications
            if queued.created
        ]
        if queued:
            message += " " + _("Notifications to the marketplace: %(kinds)s.") % {
                "kinds": ", ".join(queued)
            }
        return RowOutcome(message, reference=sku_id)


# --- The SKU list's export ------------------------------------------------------------------


def reais(cents: int) -> Decimal:
    """Cents as reais for a spreadsheet cell (a number, two decimals)."""
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


class SkuExportResource(resources.ModelResource):
    """The SKUs in the import's columns: an exported file imports back unchanged."""

    category = fields.Field(attribute="category_path", column_name="category")
    price = fields.Field(column_name="price")
    list_price = fields.Field(column_name="list_price")
    image_url = fields.Field(column_name="image_url")

    class Meta:
        model = Sku
        fields = tuple(column.name for column in SkuImport.columns)
        export_order = fields

    def export_field(self, field: fields.Field, instance: Any, **kwargs: Any) -> Any:
        return cell_safe(super().export_field(field, instance, **kwargs))

    def dehydrate_price(self, sku: Sku) -> Decimal:
        return reais(sku.price)

    def dehydrate_list_price(self, sku: Sku) -> Decimal:
        return reais(sku.list_price)

    def dehydrate_image_url(self, sku: Sku) -> str:
        return IMAGE_SEPARATOR.join(str(url) for url in sku.images or [])
