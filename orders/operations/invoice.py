"""Invoices (NF-e): a sale (Output) invoice of some or all of the order's items, or, once the
order is invoiced in full, a return (Input) invoice.

One write path, whoever asks (the order page, a file of hundreds of invoices, a script): an
``InvoiceRequest`` given to ``invoices_submit``; ``invoice_submit`` is a batch of one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast

from django import forms
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.actor import Actor
from core.admin_operations import Operation
from core.money import brl
from core.refusals import ActionRefused
from orders import command_kinds as kinds
from orders import validators as bounds
from orders.forms import (
    NFE_KEY_INPUT,
    OperationForm,
    WallTimeField,
    bounded,
    date_in_window,
)
from orders.models import EventType, InvoiceType, Order, OrderEvent, OrderItem
from orders.operations.common import (
    ActionResult,
    ImportedFrom,
    audited,
    command_target,
    dates_check,
    lengths_check,
    refusal_raise,
    status_refusal,
    validator_check,
)
from orders.operations.permissions import INVOICE
from orders.selectors.invoicing import (
    InvoicingSummary,
    KnownInvoice,
    invoicing_summary_with,
    order_invoicing_summary,
    orders_invoicing_summaries,
)
from orders.services.audit import events_record_many
from orders.status import Action, status_allows
from orders.validators import validate_invoice_number, validate_nfe_key
from outbox.enqueue import commands_enqueue_many
from outbox.models import CommandState, VtexCommand

# What the invoice rules read of an order: its status and value, the window of its dates,
# where its commands go (``command_target``) and its key.
INVOICED_ORDER_FIELDS = (
    "id",
    "vtex_order_id",
    "status",
    "value",
    "created_at",
    "marketplace_services_endpoint",
    "seller_order_id",
)
# What the invoice rules read of an item (position, SKU, name, quantity, its invoice unit
# price): the rest of the row is not loaded for a file's thousands of items.
INVOICED_ITEM_FIELDS = (
    "order_id",
    "position",
    "sku_id",
    "name",
    "quantity",
    "unit_price",
    "selling_price",
)


@dataclass(frozen=True)
class InvoiceLine:
    position: int
    quantity: int


@dataclass(frozen=True)
class InvoiceRequest:
    """One invoice asked of ``invoices_submit``: what the operator typed, a file's row, or a
    script's arguments, as the one typed request the write path takes."""

    order: Order
    number: str
    issued_at: datetime
    invoice_type: InvoiceType | str = InvoiceType.OUTPUT
    lines: Sequence[InvoiceLine] | None = None
    key: str = ""
    url: str = ""
    embedded_xml: str = ""
    courier: str = ""
    tracking_number: str = ""
    tracking_url: str = ""
    dispatched_at: datetime | None = None
    value: int | None = None


def invoice_refusal(order: Order, summary: InvoicingSummary) -> str | None:
    """A sale (Output) invoice: a status VTEX invoices in, and something left to invoice."""
    if not status_allows(order.status, Action.INVOICE):
        return status_refusal(order, Action.INVOICE)
    if summary.change_open:
        # The other direction of orders.services.changes' refusal of a change while an
        # invoice is being sent: VTEX mixes up concurrent changes and invoices.
        return _(
            "The order has an order change still open in VTEX, which changes its items and "
            "value: invoice it once VTEX has applied or canceled the change."
        )
    left = any(quantity > 0 for quantity in summary.uninvoiced_quantities.values())
    if summary.fully_invoiced or not left:
        return _nothing_left(summary, InvoiceType.OUTPUT)
    return None


def return_invoice_refusal(order: Order, summary: InvoicingSummary) -> str | None:
    """A return (Input) invoice: VTEX takes one once the whole order value is invoiced."""
    if not summary.fully_invoiced:
        return _(
            "The order is not fully invoiced: VTEX only accepts a return (Input) "
            "invoice once the whole order value has been invoiced."
        )
    if summary.fully_returned:
        return _nothing_left(summary, InvoiceType.INPUT)
    return None


def _nothing_left(summary: InvoicingSummary, invoice_type: InvoiceType | str) -> str:
    """Why no invoice of this type can be made, as the order's invoices stand."""
    if invoice_type == InvoiceType.INPUT:
        return _(
            "Nothing left to return: return invoices already give back the %(total)s invoiced."
        ) % {"total": brl(summary.output_total)}
    if summary.fully_invoiced:
        return _(
            "Nothing left to invoice: the invoices already cover the order value %(value)s."
        ) % {"value": brl(summary.order_value)}
    if summary.output_total == 0:
        return _("Nothing to invoice: the order has no items.")
    return _(
        "Nothing left to invoice: every item is already on an invoice (%(total)s of %(value)s)."
    ) % {"total": brl(summary.output_total), "value": brl(summary.order_value)}


def invoice_submit(
    request: InvoiceRequest,
    *,
    user: User | None,
    source: Actor | str = Actor.ADMIN,
    imported_from: ImportedFrom | None = None,
) -> ActionResult:
    """Send one invoice: ``invoices_submit`` with a batch of one; its refusal raised."""
    (outcome,) = invoices_submit([request], user=user, source=source, imported_from=imported_from)
    if isinstance(outcome, ActionRefused):
        raise outcome
    return outcome


def invoice_submit_fields(*, order: Order, user: User | None, **fields: Any) -> ActionResult:
    """The operations table's service: the invoice form's ``arguments()`` as one request."""
    return invoice_submit(InvoiceRequest(order=order, **fields), user=user)


def invoices_submit(
    requests: Sequence[InvoiceRequest],
    *,
    user: User | None,
    source: Actor | str = Actor.ADMIN,
    imported_from: ImportedFrom | None = None,
) -> list[ActionResult | ActionRefused]:
    """Send invoices (Output: sale; Input: return), one or a file of thousands: the one write
    path of an invoice. Each request's own fields are checked, then, with the orders locked
    together (by pk) and the reads and writes done in bulk, the order's rules are applied
    request after request, each seeing the invoices queued before it.

    A request's ``lines`` default to what is left: not yet invoiced (Output) or not yet
    returned (Input). The value is computed from the items' selling prices; the invoice that
    completes the order takes the rest of the order value (shipping, order-level discounts,
    rounding). ``value``, when the caller's document states one (an ERP's file), must be that
    value. ``imported_from``: the import batch and file the requests came from, kept in the
    audit rows. Each request's outcome, in order: its ActionResult, or the ActionRefused
    saying why (a refused request writes nothing, and stops no other)."""
    outcomes: list[ActionResult | ActionRefused | None] = [None] * len(requests)
    checked: dict[int, InvoiceRequest] = {}
    for index, request in enumerate(requests):
        try:
            checked[index] = _invoice_request_check(request)
        except ActionRefused as refusal:
            outcomes[index] = refusal
    with transaction.atomic():
        pks = sorted({request.order.pk for request in checked.values()})
        orders = {
            order.pk: order
            # What the rules read: not the stored VTEX document (large), nor the forty other
            # columns a file's thousands of orders would be built with.
            for order in Order.objects.select_for_update()
            .filter(pk__in=pks)
            .only(*INVOICED_ORDER_FIELDS)
            .order_by("pk")
        }
        items: dict[int, list[OrderItem]] = {pk: [] for pk in pks}
        for item in (
            OrderItem.objects.filter(order_id__in=pks)
            .only(*INVOICED_ITEM_FIELDS)
            .order_by("order_id", "position")
        ):
            items[item.order_id].append(item)
        summaries = orders_invoicing_summaries(orders=orders.values(), items=items)
        taken = {
            command.key: command
            for command in VtexCommand.objects.filter(
                key__in=[
                    _invoice_key(request.order, request.number) for request in checked.values()
                ]
            )
        }
        planned: list[tuple[int, Order, VtexCommand]] = []
        subject_type = ContentType.objects.get_for_model(Order)
        user_id = user.pk if user is not None else None
        for index, request in checked.items():
            order = orders[request.order.pk]
            try:
                plan = _invoice_plan(
                    order=order,
                    items=items[order.pk],
                    summary=summaries[order.pk],
                    request=request,
                    command_for_key=taken.get,
                )
            except ActionRefused as refusal:
                outcomes[index] = refusal
                continue
            if isinstance(plan, ActionResult):
                outcomes[index] = plan
                continue
            key, invoice = plan
            payload = kinds.Invoice.payload_data(invoice)
            # By ids: a related instance given to a model's __init__ goes through its
            # descriptor's checks, a cost a file of thousands of invoices pays per row.
            command = VtexCommand(
                subject_type_id=subject_type.pk,
                subject_id=order.pk,
                kind=kinds.Invoice.kind,
                key=key,
                payload=payload,
                requested_by_id=user_id,
                source=source,
                **command_target(order),
            )
            taken[key] = command
            summaries[order.pk] = invoicing_summary_with(
                summaries[order.pk], kinds.Invoice.known_invoice(invoice)
            )
            planned.append((index, order, command))
        written = commands_enqueue_many(commands=[command for _i, _o, command in planned])
        events = []
        for (index, order, _command), (command, created) in zip(planned, written, strict=True):
            outcomes[index] = ActionResult(order=order, command=command, created=created)
            if created:
                events.append(
                    OrderEvent(
                        order_id=order.pk,
                        type=EventType.ACTION_REQUESTED,
                        source=source,
                        actor_user_id=user_id,
                        payload=audited(command.kind, command.key, command.payload, imported_from),
                    )
                )
        events_record_many(events=events)
    finished = [outcome for outcome in outcomes if outcome is not None]
    if len(finished) != len(requests):
        raise RuntimeError("invoices_submit left a request without an outcome")
    return finished


def _invoice_request_check(request: InvoiceRequest) -> InvoiceRequest:
    """The request's own fields (stripped), checked before the order is locked."""
    request = replace(
        request,
        number=request.number.strip(),
        key=request.key.strip(),
        url=request.url.strip(),
        courier=request.courier.strip(),
        tracking_number=request.tracking_number.strip(),
        tracking_url=request.tracking_url.strip(),
    )
    validator_check(validate_invoice_number, request.number)
    if request.key:
        validator_check(validate_nfe_key, request.key)
    lengths_check(
        (request.number, bounds.INVOICE_NUMBER),
        (request.url, bounds.INVOICE_URL),
        (request.embedded_xml, bounds.EMBEDDED_XML),
        (request.courier, bounds.COURIER),
        (request.tracking_number, bounds.TRACKING_NUMBER),
        (request.tracking_url, bounds.TRACKING_URL),
    )
    if request.invoice_type not in InvoiceType.values:
        raise ActionRefused(_("Unknown invoice type %(type)s.") % {"type": request.invoice_type})
    dates_check(
        request.order,
        (request.issued_at, bounds.ISSUED_AT),
        (request.dispatched_at, bounds.DISPATCHED_AT),
    )
    return request


def _invoice_plan(
    *,
    order: Order,
    items: list[OrderItem],
    summary: InvoicingSummary,
    request: InvoiceRequest,
    command_for_key: Callable[[str], VtexCommand | None],
) -> ActionResult | tuple[str, kinds.InvoicePayload]:
    """The invoice's rules on the locked order: the same invoice already queued (its
    ActionResult, nothing new), or the new command's key and payload; ActionRefused else."""
    number = request.number
    invoice_type = request.invoice_type
    lines = request.lines
    value = request.value
    wanted = {
        "type": str(invoice_type),
        "key": request.key,
        "url": request.url,
        "lines": None if lines is None else _lines_payload(lines),
        "value": value,
    }
    existing = summary.invoices.get(number)
    if existing is not None:
        return _invoice_existing(
            order=order,
            number=number,
            existing=existing,
            wanted=wanted,
            command=command_for_key(_invoice_key(order, number)),
        )

    if invoice_type == InvoiceType.OUTPUT:
        refusal_raise(invoice_refusal, order, summary)
        available = summary.uninvoiced_quantities
    else:
        refusal_raise(return_invoice_refusal, order, summary)
        available = summary.unreturned_quantities
    chosen = _invoice_lines(
        order=order,
        lines=lines,
        available=available,
        summary=summary,
        invoice_type=invoice_type,
        items=items,
    )
    computed = _invoice_value(summary=summary, invoice_type=invoice_type, chosen=chosen)
    stated = computed if value is None else value
    if invoice_type == InvoiceType.OUTPUT and summary.output_total + stated > summary.order_value:
        raise ActionRefused(
            _(
                "Invoice %(number)s would bring the order's invoices to %(total)s, "
                "more than the order value %(value)s."
            )
            % {
                "number": number,
                "total": brl(summary.output_total + stated),
                "value": brl(summary.order_value),
            }
        )
    if stated != computed:
        raise ActionRefused(
            _(
                "Invoice %(number)s is worth %(stated)s, but its items on this order "
                "come to %(computed)s (the invoice that completes an order also carries "
                "its shipping and discounts)."
            )
            % {
                "number": number,
                "stated": brl(stated),
                "computed": brl(computed),
            }
        )
    value = computed
    if invoice_type == InvoiceType.INPUT and summary.input_total + value > summary.output_total:
        raise ActionRefused(
            _("Return invoice %(number)s would return more than was invoiced (%(total)s).")
            % {"number": number, "total": brl(summary.output_total)}
        )
    payload = kinds.InvoicePayload(
        type=str(invoice_type),
        number=number,
        value=value,
        issued_at=request.issued_at.isoformat(),
        lines=[
            {"position": position, "quantity": quantity, "price": price}
            for position, (quantity, price, _sku) in sorted(chosen.items())
        ],
        items=[
            {"id": sku, "price": price, "quantity": quantity}
            for _position, (quantity, price, sku) in sorted(chosen.items())
        ],
        key=request.key,
        url=request.url,
        embedded_xml=request.embedded_xml,
        courier=request.courier,
        tracking_number=request.tracking_number,
        tracking_url=request.tracking_url,
        dispatched_at=request.dispatched_at.isoformat() if request.dispatched_at else "",
    )
    return _invoice_key(order, number), payload


def invoice_value_preview(
    *,
    order: Order,
    invoice_type: InvoiceType | str = InvoiceType.OUTPUT,
    lines: Sequence[InvoiceLine] | None = None,
) -> int:
    """The value ``invoice_submit`` would compute for these lines (default: what is left)."""
    summary = order_invoicing_summary(order=order)
    available = (
        summary.uninvoiced_quantities
        if invoice_type == InvoiceType.OUTPUT
        else summary.unreturned_quantities
    )
    chosen = _invoice_lines(
        order=order, lines=lines, available=available, summary=summary, invoice_type=invoice_type
    )
    return _invoice_value(summary=summary, invoice_type=invoice_type, chosen=chosen)


def _invoice_key(order: Order, number: str) -> str:
    return kinds.Invoice.key_for(order.vtex_order_id, number)


def _invoice_existing(
    *,
    order: Order,
    number: str,
    existing: KnownInvoice,
    wanted: dict[str, Any],
    command: VtexCommand | None,
) -> ActionResult:
    """The number is taken: the same invoice again is a no-op, other data is refused."""
    same = (
        existing.type == wanted["type"]
        and (not wanted["key"] or existing.key == wanted["key"])
        and (not wanted["url"] or existing.url == wanted["url"])
        and (wanted["lines"] is None or existing.lines == wanted["lines"])
        and (wanted["value"] is None or existing.value == wanted["value"])
    )
    if same and command is not None and command.state != CommandState.REJECTED:
        return ActionResult(order=order, command=command, created=False)
    raise ActionRefused(
        _(
            "Invoice number %(number)s is already used on this order with other data; "
            "VTEX would only refresh the first invoice's receipt. Use another number."
        )
        % {"number": number}
    )


def _lines_payload(lines: Sequence[InvoiceLine]) -> list[tuple[int, int]]:
    return sorted((line.position, line.quantity) for line in lines if line.quantity)


def _invoice_lines(
    *,
    order: Order,
    lines: Sequence[InvoiceLine] | None,
    available: dict[int, int],
    summary: InvoicingSummary,
    invoice_type: InvoiceType | str,
    items: Sequence[OrderItem] | None = None,
) -> dict[int, tuple[int, int, str]]:
    """position -> (quantity, unit price, SKU), checked against what is available.
    ``items``: the order's, already read."""
    by_position = {item.position: item for item in (order.items.all() if items is None else items)}
    requested = (
        {position: quantity for position, quantity in available.items() if quantity > 0}
        if lines is None
        else {}
    )
    for line in lines or ():
        if line.quantity < 0:
            raise ActionRefused(_("Quantities cannot be negative."))
        if line.quantity:
            requested[line.position] = requested.get(line.position, 0) + line.quantity
    if not requested and lines is None:
        raise ActionRefused(_nothing_left(summary, invoice_type))
    if not requested:
        raise ActionRefused(_("Give a quantity for at least one item."))
    chosen: dict[int, tuple[int, int, str]] = {}
    for position, quantity in requested.items():
        item = by_position.get(position)
        if item is None:
            raise ActionRefused(_("The order has no item #%(position)s.") % {"position": position})
        if quantity > available.get(position, 0):
            raise ActionRefused(
                _("Only %(available)s of %(item)s can still go on this invoice, not %(quantity)s.")
                % {"available": available.get(position, 0), "item": item.name, "quantity": quantity}
            )
        chosen[position] = (quantity, item.invoice_unit_price, item.sku_id)
    return chosen


def _invoice_value(
    *, summary: InvoicingSummary, invoice_type: str, chosen: dict[int, tuple[int, int, str]]
) -> int:
    items_value = sum(quantity * price for quantity, price, _sku in chosen.values())
    if invoice_type == InvoiceType.OUTPUT:
        remaining = summary.uninvoiced_quantities
        if all(chosen.get(pos, (0,))[0] >= qty for pos, qty in remaining.items()):
            # The last invoice carries shipping, order-level discounts and rounding.
            return summary.order_value - summary.output_total
        return items_value
    remaining = summary.unreturned_quantities
    if all(chosen.get(pos, (0,))[0] >= qty for pos, qty in remaining.items()):
        return summary.output_total - summary.input_total
    return items_value


class InvoiceIdentityForm(OperationForm):
    """The fields naming an invoice (number, NF-e key, date, URL), shared by the forms that
    send one: these fields come first, in this order. Given the order, the issue date is
    checked against its creation too (else by the service only)."""

    number = bounded(
        forms.CharField(
            label=gettext_lazy("Invoice number"),
            validators=[validate_invoice_number],
            help_text=gettext_lazy("Letters and digits only."),
        ),
        bounds.INVOICE_NUMBER,
    )
    key = forms.CharField(
        label=gettext_lazy("NF-e access key"),
        max_length=44,
        min_length=44,
        required=False,
        validators=[validate_nfe_key],
        help_text=gettext_lazy("44 digits."),
        widget=NFE_KEY_INPUT,
    )
    issued_at = WallTimeField(label=gettext_lazy("Issued at"), initial=timezone.now)
    url = bounded(
        forms.URLField(label=gettext_lazy("Invoice URL"), required=False, assume_scheme="https"),
        bounds.INVOICE_URL,
    )

    def clean_issued_at(self) -> Any:
        return date_in_window(self, "issued_at", bounds.ISSUED_AT, self.order)


class InvoiceForm(InvoiceIdentityForm):
    """An invoice for some or all of the order's items: a sale (Output) invoice of what is not
    invoiced yet; once the order is invoiced in full, a return (Input) invoice of what is not
    returned yet (the service applies the rule of the type it is given)."""

    # Given to every InvoiceForm (its __init__ requires them).
    order: Order
    summary: InvoicingSummary

    field_order = ["invoice_type"]

    invoice_type = forms.ChoiceField(label=gettext_lazy("Type"), choices=InvoiceType.choices)
    embedded_xml = bounded(
        forms.CharField(
            label=gettext_lazy("NF-e XML"), required=False, widget=forms.Textarea(attrs={"rows": 3})
        ),
        bounds.EMBEDDED_XML,
    )
    courier = bounded(
        forms.CharField(label=gettext_lazy("Courier"), required=False), bounds.COURIER
    )
    tracking_number = bounded(
        forms.CharField(label=gettext_lazy("Tracking number"), required=False),
        bounds.TRACKING_NUMBER,
    )
    tracking_url = bounded(
        forms.URLField(label=gettext_lazy("Tracking URL"), required=False, assume_scheme="https"),
        bounds.TRACKING_URL,
    )
    dispatched_at = WallTimeField(label=gettext_lazy("Dispatched at"), required=False)

    def __init__(self, *args: Any, order: Order, summary: InvoicingSummary, **kwargs: Any) -> None:
        super().__init__(*args, order=order, summary=summary, **kwargs)
        returning = summary.fully_invoiced
        self.invoice_type_sent = InvoiceType.INPUT if returning else InvoiceType.OUTPUT
        invoice_type = self.invoice_type_sent
        cast(forms.ChoiceField, self.fields["invoice_type"]).choices = [
            (invoice_type.value, invoice_type.label)
        ]
        self.fields["invoice_type"].initial = invoice_type.value
        available = summary.unreturned_quantities if returning else summary.uninvoiced_quantities
        self.item_fields: list[str] = []
        for item in order.items.all():
            name = f"quantity_{item.position}"
            left = max(available.get(item.position, 0), 0)
            self.fields[name] = forms.IntegerField(
                label=f"{item.sku_id} — {item.name}",
                min_value=0,
                max_value=left,
                initial=left,
                help_text=gettext_lazy("%(left)s left, %(price)s each")
                % {"left": left, "price": brl(item.invoice_unit_price)},
            )
            self.item_fields.append(name)

    def clean_dispatched_at(self) -> Any:
        return date_in_window(self, "dispatched_at", bounds.DISPATCHED_AT, self.order)

    def lines(self) -> list[InvoiceLine]:
        return [
            InvoiceLine(position=int(name.removeprefix("quantity_")), quantity=quantity)
            for name in self.item_fields
            if (quantity := self.cleaned_data.get(name) or 0) > 0
        ]

    def arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **{name: data[name] for name in INVOICE_ARGUMENTS},
            "lines": self.lines(),
        }

    def notes(self) -> list[str | Promise]:
        summary = self.summary
        notes: list[str | Promise] = [
            gettext_lazy("Invoiced so far: %(invoiced)s of %(value)s.")
            % {"invoiced": brl(summary.output_total), "value": brl(summary.order_value)}
        ]
        try:
            preview = invoice_value_preview(order=self.order, invoice_type=self.invoice_type_sent)
        except ActionRefused as refusal:
            notes.append(refusal.message)
        else:
            notes.append(
                gettext_lazy(
                    "Value of an invoice for everything left: %(value)s (the invoice that "
                    "completes the order also carries shipping). The value is computed from "
                    "the quantities you choose."
                )
                % {"value": brl(preview)}
            )
        return notes


# What the invoice forms send to ``invoice_submit`` as typed (the lines come from the quantities).
INVOICE_ARGUMENTS = (
    "invoice_type",
    "number",
    "issued_at",
    "key",
    "url",
    "embedded_xml",
    "courier",
    "tracking_number",
    "tracking_url",
    "dispatched_at",
)


# fmt: off
OPERATIONS = (
    Operation("invoice", gettext_lazy("Invoice"), INVOICE,
              invoice_refusal, invoice_submit_fields, InvoiceForm,
              queued=gettext_lazy("Invoice %(number)s"),
              submit_label=gettext_lazy("Send invoice")),
    Operation("return-invoice", gettext_lazy("Return invoice"), INVOICE,
              return_invoice_refusal, invoice_submit_fields, InvoiceForm,
              queued=gettext_lazy("Invoice %(number)s"),
              submit_label=gettext_lazy("Send invoice")),
)
# fmt: on
