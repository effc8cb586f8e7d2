"""The orders' files: the invoice and tracking imports (kinds of ``imports``, registered in
``OrdersConfig.ready``) and the order and invoice exports (django-import-export resources).

An import row only parses its cells and calls the service the order page's operation calls
(``invoice_submit``, ``invoice_tracking_set``): the refusal rules are the operations'. The
value parsers and the file reading are the imports app's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources

from core.actor import Actor
from core.money import brl
from core.refusals import ActionRefused
from imports.kinds import (
    Column,
    ImportContext,
    ImportKind,
    RowByRowImport,
    RowCheck,
    RowOutcome,
    RowRefused,
)
from imports.spreadsheet import NativeValue
from imports.values import choice, day, money_cents, required, whole_number
from orders.models import Invoice, InvoiceType, Order, OrderItem
from orders.operations.common import ActionResult, ImportedFrom
from orders.operations.invoice import (
    INVOICED_ITEM_FIELDS,
    INVOICED_ORDER_FIELDS,
    InvoiceLine,
    InvoiceRequest,
    invoices_submit,
)
from orders.operations.tracking import invoice_tracking_set
from orders.selectors.customers import customer_display, phone_display
from orders.status import status_label

ORDER_LOOKUP_CHUNK = 500
# The columns of the invoice and tracking files, with the headers Brazil's ERPs write for them
# in their NF-e and shipping exports (Bling, Tiny, Omie, TOTVS Protheus, SAP Business One,
# Sankhya) and the NF-e's own field names (SEFAZ). ``header_key`` matches them without case,
# accents, punctuation, "de/da/do" or the ways of writing "Nº"; which ERP writes which:
# docs/imports.md, "ERP headers".
ORDER_ID = Column(
    "order_id",
    (
        "pedido",
        "Pedido VTEX",
        "Nº Pedido",
        "Número do Pedido na Loja",
        "Nº Pedido Loja",
        "Número do Pedido no E-commerce",
        "Nº Pedido E-commerce",
        "Pedido Marketplace",
        "Nº Pedido Marketplace",
        "Pedido do Cliente",
        "xPed",
        "NumAtCard",
    ),
    required=True,
)
INVOICE_NUMBER = Column(
    "invoice_number",
    (
        "numero_nota",
        "Nº NF",
        "Nº NF-e",
        "Nº Nota Fiscal",
        "Número",
        "Nota Fiscal",
        "NF",
        "NF-e",
        "nNF",
        "F2_DOC",
        "Documento",
        "Nro. Nota",
        "NUMNOTA",
        "Serial",
    ),
    required=True,
)
COURIER = Column("courier", ("transportadora", "Nome da Transportadora", "Transportador"))
TRACKING_NUMBER = Column(
    "tracking_number",
    (
        "codigo_rastreio",
        "Cód. Rastreio",
        "Código de Rastreamento",
        "Rastreio",
        "Rastreamento",
        "Nº Rastreamento",
        "Nº Rastreio",
        "Código do Objeto",
        "Objeto",
        "TrackNo",
        "tracking",
    ),
)
TRACKING_URL = Column(
    "tracking_url",
    ("url_rastreio", "URL de Rastreamento", "Link de Rastreio", "Link de Rastreamento"),
)
INVOICE_TYPES = {
    "Output": InvoiceType.OUTPUT,
    "saída": InvoiceType.OUTPUT,
    "Input": InvoiceType.INPUT,
    "entrada": InvoiceType.INPUT,
}


def imported_from(context: ImportContext) -> ImportedFrom | None:
    """The batch and file the audit rows name (none for a dry run, which is rolled back)."""
    if context.batch_id is None:
        return None
    return ImportedFrom(batch=context.batch_id, file_name=context.file_name)


def order_refused(order: Order, refusal: ActionRefused) -> RowRefused:
    """A service's refusal for a row, naming the row's order (the services' messages do not:
    on the order page the order is known)."""
    return RowRefused(
        _("Order %(order)s: %(message)s")
        % {"order": order.vtex_order_id, "message": refusal.message}
    )


class OrderRowsMixin:
    """The orders a file names, read in bulk once (with their items) before the rows."""

    def prepare(self, rows: Iterable[dict[str, str]], context: ImportContext) -> None:
        wanted = sorted({row.get("order_id", "") for row in rows} - {""})
        orders: dict[str, Order] = {}
        for start in range(0, len(wanted), ORDER_LOOKUP_CHUNK):
            chunk = wanted[start : start + ORDER_LOOKUP_CHUNK]
            found = (
                # The services lock and read the order again: a row needs its id, key and
                # dates here (and the items its lines name).
                Order.objects.filter(vtex_order_id__in=chunk)
                .only(*INVOICED_ORDER_FIELDS)
                .prefetch_related(
                    Prefetch(
                        "items",
                        queryset=OrderItem.objects.only(*INVOICED_ITEM_FIELDS).order_by("position"),
                    )
                )
            )
            for order in found:
                orders[order.vtex_order_id] = order
        context.state["orders"] = orders

    def order_of(self, row: dict[str, str], context: ImportContext) -> Order:
        order_id = required(row, "order_id")
        order = context.state["orders"].get(order_id)
        if order is None:
            raise RowRefused(
                _("Unknown order %(order)s: no order with this id in the back office.")
                % {"order": order_id}
            )
        return order


class InvoiceImport(OrderRowsMixin, ImportKind):
    name = "invoices"
    label = gettext_lazy("Invoices")
    permission = "orders.invoice_order"
    columns = (
        ORDER_ID,
        INVOICE_NUMBER,
        Column(
            "invoice_value",
            (
                "valor",
                "Valor Total da Nota",
                "Valor Total",
                "Valor da Nota",
                "Valor NF",
                "Valor Total NF-e",
                "Valor Total da NF",
                "Total da Nota",
                "vNF",
                "F2_VALBRUT",
                "Vlr. Bruto",
                "Vlr. Nota",
                "VLRNOTA",
                "DocTotal",
            ),
            required=True,
        ),
        Column(
            "issuance_date",
            (
                "data_emissao",
                "Emissão",
                "Data de Emissão da NF-e",
                "Data Emissão NF",
                "dhEmi",
                "dEmi",
                "F2_EMISSAO",
                "DocDate",
                "Data do Faturamento",
                "DTFATUR",
            ),
            required=True,
        ),
        Column(
            "invoice_key",
            (
                "chave_nfe",
                "Chave de Acesso",
                "Chave de Acesso da NF-e",
                "Chave da Nota",
                "Chave",
                "chNFe",
                "F2_CHVNFE",
                "CHAVENFE",
            ),
        ),
        Column("invoice_url", ("url_nota", "Link da DANFE", "URL da DANFE", "Link da Nota")),
        Column("type", ("tipo", "Tipo da Nota", "Tipo NF", "Tipo de Operação")),
        COURIER,
        TRACKING_NUMBER,
        TRACKING_URL,
        Column("items", ("itens",)),
    )
    description = gettext_lazy(
        "One NF-e per row, as the ERP exports them. Values as 1234.56, 1.234,56 or "
        "R$ 1.234,56; dates as YYYY-MM-DD or DD/MM/YYYY; type Output (the default) or Input "
        "(also saída / entrada). items is optional: sku:quantity[:unit price in cents] "
        "separated by |; empty means what is left to invoice on the order, and the value must "
        "then be what is left. A row with a courier and a tracking number sends the tracking "
        "number with the invoice."
    )
    example_rows = (
        {
            "order_id": "1300000000-01",
            "invoice_number": "12345",
            "invoice_value": "1.234,56",
            "issuance_date": "27/11/2026",
            "invoice_key": "35261112345678000190550010000123451000123456",
            "invoice_url": "https://erp.example.com/nfe/12345.pdf",
            "type": "Output",
            "courier": "Correios",
            "tracking_number": "BR123456789BR",
            "tracking_url": "https://rastreamento.correios.com.br/BR123456789BR",
            "items": "2000:1|2001:2:5950",
        },
    )

    def import_rows(
        self, rows: Sequence[tuple[int, dict[str, str]]], context: ImportContext
    ) -> list[RowOutcome | RowRefused]:
        """Each row parsed, then every invoice asked of ``invoices_submit`` at once
        (``invoice_submit``'s rules, in bulk)."""
        outcomes: list[RowOutcome | RowRefused | None] = [None] * len(rows)
        requests: list[tuple[int, InvoiceRequest]] = []
        for index, (number, row) in enumerate(rows):
            context.row_number = number
            try:
                requests.append((index, self.request_of(row, context)))
            except RowRefused as refusal:
                outcomes[index] = refusal
        results = invoices_submit(
            [request for _index, request in requests],
            user=context.user,
            source=Actor.CSV,
            imported_from=imported_from(context),
        )
        for (index, request), result in zip(requests, results, strict=True):
            if isinstance(result, ActionRefused):
                outcomes[index] = order_refused(request.order, result)
            else:
                outcomes[index] = self.outcome(request, result)
        finished = [outcome for outcome in outcomes if outcome is not None]
        if len(finished) != len(rows):
            raise RuntimeError("a row was left without an outcome")
        return finished

    def request_of(self, row: dict[str, str], context: ImportContext) -> InvoiceRequest:
        """The row as an invoice request; RowRefused with every reason when cells cannot be
        read."""
        check = RowCheck()
        order = check.take(self.order_of, row, context)
        number = check.take(self.number_of, row, context)
        value = check.take(money_cents_of, row, "invoice_value")
        issued = check.take(lambda: day(required(row, "issuance_date"), column="issuance_date"))
        invoice_type = check.take(
            choice,
            row.get("type", ""),
            column="type",
            choices=INVOICE_TYPES,
            default=InvoiceType.OUTPUT,
        )
        lines = check.take(invoice_lines, row.get("items", ""), order) if order else None
        check.done()
        assert order is not None and number is not None and value is not None
        assert issued is not None and invoice_type is not None
        return InvoiceRequest(
            order=order,
            number=number,
            issued_at=timezone.make_aware(datetime.combine(issued, time.min)),
            invoice_type=invoice_type,
            lines=lines,
            key=row.get("invoice_key", ""),
            url=row.get("invoice_url", ""),
            courier=row.get("courier", ""),
            tracking_number=row.get("tracking_number", ""),
            tracking_url=row.get("tracking_url", ""),
            value=value,
        )

    def number_of(self, row: dict[str, str], context: ImportContext) -> str:
        """The row's invoice number, refused when an earlier row of the file has it."""
        number = required(row, "invoice_number")
        seen = context.state.setdefault("numbers", {})
        if number in seen:
            raise RowRefused(
                _("Invoice number %(number)s is repeated in the file (also on row %(row)s).")
                % {"number": number, "row": seen[number]}
            )
        seen[number] = context.row_number
        return number

    def outcome(self, request: InvoiceRequest, result: ActionResult) -> RowOutcome:
        order_id = request.order.vtex_order_id
        if not result.created:
            return RowOutcome(
                _("Invoice %(number)s of order %(order)s was already sent: nothing new.")
                % {"number": request.number, "order": order_id},
                created=False,
                reference=order_id,
            )
        message = _("Invoice %(number)s of %(value)s (%(type)s) for order %(order)s.") % {
            "number": request.number,
            "value": brl(result.command.payload["value"]),
            "type": InvoiceType(request.invoice_type).label,
            "order": order_id,
        }
        if request.tracking_number:
            message += " " + _("With tracking number %(tracking)s.") % {
                "tracking": request.tracking_number
            }
        return RowOutcome(message, reference=order_id)


def money_cents_of(row: dict[str, str], column: str) -> int:
    return money_cents(required(row, column), column=column)


def invoice_lines(text: str, order: Order) -> list[InvoiceLine] | None:
    """``sku:quantity[:unit price in cents]`` separated by ``|``, as the order's item lines;
    None when empty (what is left on the order)."""
    if not text.strip():
        return None
    items = list(order.items.all())
    lines: list[InvoiceLine] = []
    for part in text.split("|"):
        part = part.strip()
        if not part:
            continue
        pieces = [piece.strip() for piece in part.split(":")]
        if len(pieces) not in (2, 3) or not pieces[0]:
            raise RowRefused(
                _("“%(part)s” is not sku:quantity or sku:quantity:unit price in cents.")
                % {"part": part[:40]},
                column="items",
            )
        sku = pieces[0]
        quantity = whole_number(pieces[1], column="items", minimum=1)
        matching = [item for item in items if item.sku_id == sku]
        if not matching:
            raise RowRefused(
                _("Order %(order)s has no SKU %(sku)s.")
                % {"order": order.vtex_order_id, "sku": sku[:64]}
            )
        if len(pieces) == 3:
            price = whole_number(pieces[2], column="items")
            if price != matching[0].invoice_unit_price:
                raise RowRefused(
                    _(
                        "SKU %(sku)s costs %(price)s on order %(order)s, not %(given)s as the "
                        "file says."
                    )
                    % {
                        "sku": sku,
                        "price": brl(matching[0].invoice_unit_price),
                        "order": order.vtex_order_id,
                        "given": brl(price),
                    }
                )
        # A SKU on several lines of the order: fill them in order, the rest on the last.
        left = quantity
        for index, item in enumerate(matching):
            take = left if index == len(matching) - 1 else min(left, item.quantity)
            if take:
                lines.append(InvoiceLine(position=item.position, quantity=take))
            left -= take
    return lines or None


class TrackingImport(OrderRowsMixin, RowByRowImport):
    name = "tracking"
    label = gettext_lazy("Tracking numbers")
    permission = "orders.track_order"
    columns = (
        ORDER_ID,
        INVOICE_NUMBER,
        COURIER,
        Column(TRACKING_NUMBER.name, TRACKING_NUMBER.aliases, required=True),
        TRACKING_URL,
    )
    description = gettext_lazy(
        "One tracking number per row, for an invoice already sent (its number as on the "
        "order page)."
    )
    example_rows = (
        {
            "order_id": "1300000000-01",
            "invoice_number": "12345",
            "courier": "Correios",
            "tracking_number": "BR123456789BR",
            "tracking_url": "https://rastreamento.correios.com.br/BR123456789BR",
        },
    )

    def import_row(self, row: dict[str, str], context: ImportContext) -> RowOutcome:
        check = RowCheck()
        order = check.take(self.order_of, row, context)
        number = check.take(required, row, "invoice_number")
        tracking = check.take(required, row, "tracking_number")
        check.done()
        assert order is not None and number is not None and tracking is not None
        try:
            result = invoice_tracking_set(
                order=order,
                user=context.user,
                invoice_number=number,
                tracking_number=tracking,
                tracking_url=row.get("tracking_url", ""),
                courier=row.get("courier", ""),
                source=Actor.CSV,
                imported_from=imported_from(context),
            )
        except ActionRefused as refusal:
            raise order_refused(order, refusal) from None
        if not result.created:
            return RowOutcome(
                _(
                    "Tracking number %(tracking)s of invoice %(number)s was already sent: "
                    "nothing new."
                )
                % {"tracking": tracking, "number": number},
                created=False,
                reference=order.vtex_order_id,
            )
        return RowOutcome(
            _("Tracking number %(tracking)s on invoice %(number)s of order %(order)s.")
            % {"tracking": tracking, "number": number, "order": order.vtex_order_id},
            reference=order.vtex_order_id,
        )


# --- Exports ----------------------------------------------------------------------------------


class MaskedExportResource(resources.ModelResource):
    """An export for ``user``: customer data as ``customer_display`` shows it to them. Values
    keep their types (Decimal reais, aware datetimes): the file format writes them
    (``imports.spreadsheet``), formula neutralisation included."""

    def __init__(self, user: User | AnonymousUser | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.user = user if user is not None else AnonymousUser()
        self._customer: tuple[Order, Any] | None = None

    def customer(self, order: Order) -> Any:
        # Several columns of one row read the same customer: shown once per order.
        if self._customer is None or self._customer[0] is not order:
            self._customer = (order, customer_display(order=order, user=self.user))
        return self._customer[1]


def reais(cents: int) -> Decimal:
    """Cents as reais for a spreadsheet cell (a number, not text)."""
    return Decimal(cents) / 100


def column(label: str | Promise, attribute: str | None = None) -> fields.Field:
    """An export column: its header is ``label`` in the language of the export."""
    return fields.Field(attribute=attribute, column_name=label, widget=NativeValue())


class OrderExportResource(MaskedExportResource):
    order_id = column(gettext_lazy("Order"), "vtex_order_id")
    sequence = column(gettext_lazy("Sequence"), "sequence")
    created_at = column(gettext_lazy("Created at"), "created_at")
    status = column(gettext_lazy("Status"))
    value = column(gettext_lazy("Value"))
    customer_name = column(gettext_lazy("Customer"))
    customer_email = column(gettext_lazy("E-mail"))
    customer_document = column(gettext_lazy("Document"))
    customer_phone = column(gettext_lazy("Phone"))
    shipping_city = column(gettext_lazy("City"), "shipping_city")
    shipping_state = column(gettext_lazy("State"), "shipping_state")
    carrier = column(gettext_lazy("Carrier"), "carrier")
    sales_channel = column(gettext_lazy("Sales channel"), "sales_channel")
    origin = column(gettext_lazy("Origin"), "origin")

    class Meta:
        model = Order
        fields = (
            "order_id",
            "sequence",
            "created_at",
            "status",
            "value",
            "customer_name",
            "customer_email",
            "customer_document",
            "customer_phone",
            "shipping_city",
            "shipping_state",
            "carrier",
            "sales_channel",
            "origin",
        )
        export_order = fields

    def dehydrate_status(self, order: Order) -> str:
        return str(status_label(order.status))

    def dehydrate_value(self, order: Order) -> Any:
        return reais(order.value)

    def dehydrate_customer_name(self, order: Order) -> str:
        return self.customer(order).name

    def dehydrate_customer_email(self, order: Order) -> str:
        return self.customer(order).email

    def dehydrate_customer_document(self, order: Order) -> str:
        return self.customer(order).document

    def dehydrate_customer_phone(self, order: Order) -> str:
        return phone_display(self.customer(order).phone)


class InvoiceExportResource(MaskedExportResource):
    order_id = column(gettext_lazy("Order"), "order__vtex_order_id")
    invoice_number = column(gettext_lazy("Invoice number"), "number")
    type = column(gettext_lazy("Type"), "type")
    invoice_value = column(gettext_lazy("Invoice value"))
    issuance_date = column(gettext_lazy("Issuance date"))
    invoice_key = column(gettext_lazy("Invoice key"), "key")
    invoice_url = column(gettext_lazy("Invoice URL"), "url")
    courier = column(gettext_lazy("Carrier"), "courier")
    tracking_number = column(gettext_lazy("Tracking number"), "tracking_number")
    tracking_url = column(gettext_lazy("Tracking URL"), "tracking_url")
    customer_name = column(gettext_lazy("Customer"))
    customer_document = column(gettext_lazy("Document"))

    class Meta:
        model = Invoice
        fields = (
            "order_id",
            "invoice_number",
            "type",
            "invoice_value",
            "issuance_date",
            "invoice_key",
            "invoice_url",
            "courier",
            "tracking_number",
            "tracking_url",
            "customer_name",
            "customer_document",
        )
        export_order = fields

    def dehydrate_invoice_value(self, invoice: Invoice) -> Any:
        return reais(invoice.value)

    def dehydrate_issuance_date(self, invoice: Invoice) -> date | None:
        if invoice.issued_at is None:
            return None
        return timezone.localdate(invoice.issued_at)

    def dehydrate_customer_name(self, invoice: Invoice) -> str:
        return self.customer(invoice.order).name

    def dehydrate_customer_document(self, invoice: Invoice) -> str:
        return self.customer(invoice.order).document
