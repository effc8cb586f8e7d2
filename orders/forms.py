"""Forms of the order operations: they parse what the operator typed; the services decide.

Each form of the operations table (``orders.operations``) is an ``OperationForm``: built for
one order, it gives its service the keyword arguments (``arguments()``), with the formsets it
owns and the notes its page shows.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, TypeVar

from django import forms
from django.core import signing
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.money import MoneyField, brl
from core.refusals import ActionRefused
from core.validators import TextLength
from orders import validators as bounds
from orders.models import InvoiceType, Order
from orders.selectors import InvoicingSummary, KnownInvoice
from orders.services.actions import (
    CHANGE_REQUEST_ID,
    ChangeLine,
    InvoiceLine,
    TrackingEventInput,
    invoice_value_preview,
    sale_invoices,
)
from orders.services.changes import (
    ChangePreview,
    Replacement,
    change_items_left,
    change_request,
)
from orders.validators import validate_invoice_number, validate_nfe_key, validate_operation_date

FieldT = TypeVar("FieldT", bound=forms.CharField)
CONFIRMATION_SALT = "orders.change-confirmation"
# A preview older than this is shown again before anything is sent.
CONFIRMATION_MAX_AGE = 30 * 60


class DateTimePicker(forms.DateTimeInput):
    """The browser's date and time picker; it sends ``2026-11-28T14:30`` (local time), which
    the field reads as ISO 8601 whatever the language."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class WallTimeField(forms.DateTimeField):
    """A date and time typed on the operator's clock (``TIME_ZONE``), picked to the minute.

    A wall time the zone skipped or repeated (the daylight saving time changes Brazil had
    until 2019) names no single instant: it is refused, saying why (Django's own message
    does not say what to do)."""

    widget = DateTimePicker

    def to_python(self, value: Any) -> Any:
        try:
            return super().to_python(value)
        except forms.ValidationError as error:
            if getattr(error, "code", None) != "ambiguous_timezone":
                raise
            raise forms.ValidationError(
                _(
                    "%(datetime)s did not happen, or happened twice, in the time zone "
                    "%(zone)s (a daylight saving time change). Type another time."
                ),
                code="ambiguous_timezone",
                params={
                    "datetime": formats.localize(error.params["datetime"]),
                    "zone": timezone.get_current_timezone_name(),
                },
            ) from None


class DatePicker(forms.DateInput):
    """The browser's date picker; it sends ``2026-11-28``."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


# The 44 digits of an NF-e access key, readable in one line.
NFE_KEY_INPUT = forms.TextInput(
    attrs={
        "inputmode": "numeric",
        "autocomplete": "off",
        "spellcheck": "false",
        "style": "width: 46ch; font-family: var(--font-family-monospace, monospace)",
    }
)


def bounded(field: FieldT, limit: TextLength) -> FieldT:
    """``field`` refusing more than ``limit`` characters with the message the services give
    (Django's own max_length message does not name the field). No ``maxlength`` in the page:
    the browser would cut a pasted 200-character tracking number to its first 100 without a
    word, and that wrong number would be sent."""
    field.validators.insert(0, limit)
    return field


def date_in_window(form: forms.Form, name: str, field: str | Promise, order: Order | None) -> Any:
    """The cleaned date ``name``, checked against the operation date window (see
    ``orders.validators``); without the order only its upper bound, the service checks both."""
    value = form.cleaned_data.get(name)
    if value is not None:
        validate_operation_date(
            value, field=field, order_created_at=order.created_at if order else None
        )
    return value


class OperationForm(forms.Form):
    """What the operator fills in for one operation on one order. ``order`` and ``summary``
    (``orders.selectors.order_invoicing_summary``) are given on the order page; a changelist
    action (several orders) builds its form without them."""

    def __init__(
        self,
        data: Any = None,
        *,
        order: Order | None = None,
        summary: InvoicingSummary | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.order = order
        self.summary = summary
        self.formsets: list[forms.BaseFormSet] = []

    def is_valid(self) -> bool:
        # Every formset validated, so that each shows its errors.
        return all([super().is_valid(), *(formset.is_valid() for formset in self.formsets)])

    def arguments(self) -> dict[str, Any]:
        """The service's keyword arguments besides the order and the user."""
        return dict(self.cleaned_data)

    def notes(self) -> list[str]:
        """Lines the form's page shows above it."""
        return []


class InvoiceIdentityForm(OperationForm):
    """The fields naming an invoice (number, NF-e key, date, URL), shared by the forms that
    send one: these fields come first, in this order. Given the order, the issue date is
    checked against its creation too (else by the service only)."""

    number = bounded(
        forms.CharField(
            label=_("Invoice number"),
            validators=[validate_invoice_number],
            help_text=_("Letters and digits only."),
        ),
        bounds.INVOICE_NUMBER,
    )
    key = forms.CharField(
        label=_("NF-e access key"),
        max_length=44,
        min_length=44,
        required=False,
        validators=[validate_nfe_key],
        help_text=_("44 digits."),
        widget=NFE_KEY_INPUT,
    )
    issued_at = WallTimeField(label=_("Issued at"), initial=timezone.now)
    url = bounded(
        forms.URLField(label=_("Invoice URL"), required=False, assume_scheme="https"),
        bounds.INVOICE_URL,
    )

    def clean_issued_at(self) -> Any:
        return date_in_window(self, "issued_at", bounds.ISSUED_AT, self.order)


class InvoiceForm(InvoiceIdentityForm):
    """An invoice for some or all of the order's items: a sale (Output) invoice of what is not
    invoiced yet; once the order is invoiced in full, a return (Input) invoice of what is not
    returned yet (the service applies the rule of the type it is given)."""

    field_order = ["invoice_type"]

    invoice_type = forms.ChoiceField(label=_("Type"), choices=InvoiceType.choices)
    embedded_xml = bounded(
        forms.CharField(
            label=_("NF-e XML"), required=False, widget=forms.Textarea(attrs={"rows": 3})
        ),
        bounds.EMBEDDED_XML,
    )
    courier = bounded(forms.CharField(label=_("Courier"), required=False), bounds.COURIER)
    tracking_number = bounded(
        forms.CharField(label=_("Tracking number"), required=False), bounds.TRACKING_NUMBER
    )
    tracking_url = bounded(
        forms.URLField(label=_("Tracking URL"), required=False, assume_scheme="https"),
        bounds.TRACKING_URL,
    )
    dispatched_at = WallTimeField(label=_("Dispatched at"), required=False)

    def __init__(self, *args: Any, order: Order, summary: InvoicingSummary, **kwargs: Any) -> None:
        super().__init__(*args, order=order, summary=summary, **kwargs)
        returning = summary.fully_invoiced
        self.invoice_type_sent = InvoiceType.INPUT if returning else InvoiceType.OUTPUT
        invoice_type = self.invoice_type_sent
        self.fields["invoice_type"].choices = [(invoice_type.value, invoice_type.label)]
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
                help_text=_("%(left)s left, %(price)s each")
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

    def notes(self) -> list[str]:
        summary = self.summary
        notes = [
            _("Invoiced so far: %(invoiced)s of %(value)s.")
            % {"invoiced": brl(summary.output_total), "value": brl(summary.order_value)}
        ]
        try:
            preview = invoice_value_preview(order=self.order, invoice_type=self.invoice_type_sent)
        except ActionRefused as refusal:
            notes.append(refusal.message)
        else:
            notes.append(
                _(
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


class SaleInvoiceForm(OperationForm):
    """About one of the order's sale invoices, chosen first."""

    invoice_number = forms.ChoiceField(label=_("Invoice"))

    def __init__(self, *args: Any, summary: InvoicingSummary, **kwargs: Any) -> None:
        super().__init__(*args, summary=summary, **kwargs)
        self.fields["invoice_number"].choices = self.invoice_choices(sale_invoices(summary))

    def invoice_choices(self, invoices: list[KnownInvoice]) -> list[tuple[str, str]]:
        return [(i.number, f"{i.number} ({brl(i.value)})") for i in invoices]


class TrackingNumberForm(SaleInvoiceForm):
    tracking_number = bounded(forms.CharField(label=_("Tracking number")), bounds.TRACKING_NUMBER)
    tracking_url = bounded(
        forms.URLField(label=_("Tracking URL"), required=False, assume_scheme="https"),
        bounds.TRACKING_URL,
    )
    courier = bounded(forms.CharField(label=_("Courier"), required=False), bounds.COURIER)
    dispatched_at = WallTimeField(label=_("Dispatched at"), required=False)

    def clean_dispatched_at(self) -> Any:
        return date_in_window(self, "dispatched_at", bounds.DISPATCHED_AT, None)


class TrackingEventForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DatePicker)
    city = bounded(forms.CharField(label=_("City")), bounds.TRACKING_CITY)
    state = bounded(forms.CharField(label=_("State")), bounds.TRACKING_STATE)
    description = bounded(forms.CharField(label=_("Description")), bounds.TRACKING_DESCRIPTION)

    def clean_date(self) -> Any:
        return date_in_window(self, "date", bounds.EVENT_DATE, None)

    def event(self) -> TrackingEventInput:
        return TrackingEventInput(**self.cleaned_data)


TrackingEventFormSet = forms.formset_factory(TrackingEventForm, extra=3)
TrackingEventFormSet.caption = _("Tracking events")


class TrackingEventsForm(SaleInvoiceForm):
    """The events of a sale invoice that has a tracking number, in the ``events`` formset."""

    is_delivered = forms.BooleanField(label=_("Delivered"), required=False)
    delivered_at = WallTimeField(label=_("Delivered at"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.events = TrackingEventFormSet(self.data if self.is_bound else None, prefix="events")
        self.formsets.append(self.events)

    def invoice_choices(self, invoices: list[KnownInvoice]) -> list[tuple[str, str]]:
        return [
            (invoice.number, f"{invoice.number} — {invoice.tracking_number}")
            for invoice in invoices
            if invoice.tracking_number
        ]

    def clean_delivered_at(self) -> Any:
        return date_in_window(self, "delivered_at", bounds.DELIVERED_AT, None)

    def arguments(self) -> dict[str, Any]:
        return {
            **self.cleaned_data,
            "events": [f.event() for f in self.events.forms if f.has_changed() and f.cleaned_data],
        }


class CancelForm(OperationForm):
    reason = bounded(
        forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2})),
        bounds.REASON,
    )


class ReturnAndCancelForm(InvoiceIdentityForm):
    reason = bounded(
        forms.CharField(label=_("Cancellation reason"), widget=forms.Textarea(attrs={"rows": 2})),
        bounds.REASON,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["number"].label = _("Return invoice number")
        self.fields["key"].help_text = ""

    def clean_issued_at(self) -> Any:
        # As the tracking forms: the upper bound here, the whole window in the service.
        return date_in_window(self, "issued_at", bounds.ISSUED_AT, None)

    def notes(self) -> list[str]:
        summary = self.summary
        return [
            _(
                "VTEX only cancels an invoiced order after a return invoice of its whole "
                "value (%(value)s). Both are sent, in this order."
            )
            % {"value": brl(summary.output_total - summary.input_total)}
        ]


def typed_count(value: Any) -> int:
    """A quantity as typed, for a count shown while the form is filled: digits are a number,
    anything else (empty, a typo) counts 0 until the form says what is wrong with it."""
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else 0


@dataclass(frozen=True)
class ItemQuantities:
    """Shown beside an item of the change form: what the order has, and what is left of it
    after the change as typed (``orders.services.changes.change_items_left``)."""

    sku_id: str
    ordered: int
    left: int


class AddedItemForm(forms.Form):
    sku_id = bounded(forms.CharField(label=_("SKU id")), bounds.SKU_ID)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    # VTEX's catalog prices an added item (seen in the preview); RegisterChange needs it.
    price = MoneyField(label=_("Unit price (R$), legacy API only"), required=False)

    def line(self) -> ChangeLine:
        return ChangeLine(
            sku_id=self.cleaned_data["sku_id"].strip(),
            quantity=self.cleaned_data["quantity"],
            price=self.cleaned_data["price"] or 0,
        )


AddedItemFormSet = forms.formset_factory(AddedItemForm, extra=2)
AddedItemFormSet.caption = _("Items added")


class ReplacementForm(forms.Form):
    """Some of an order's item replaced by another SKU, or by the same with a new quantity."""

    sku_id = forms.ChoiceField(label=_("Item"))
    quantity = forms.IntegerField(label=_("Quantity replaced"), min_value=1)
    new_sku_id = bounded(forms.CharField(label=_("New SKU id")), bounds.SKU_ID)
    new_quantity = forms.IntegerField(label=_("New quantity"), min_value=1)

    def __init__(self, *args: Any, skus: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sku_id"].choices = [("", "—"), *skus]

    def replacement(self) -> Replacement:
        data = self.cleaned_data
        return Replacement(
            sku_id=data["sku_id"],
            quantity=data["quantity"],
            new_sku_id=data["new_sku_id"].strip(),
            new_quantity=data["new_quantity"],
        )


ReplacementFormSet = forms.formset_factory(ReplacementForm, extra=1)
ReplacementFormSet.caption = _("Items replaced by another SKU, or by a new quantity")


class OrderChangeForm(OperationForm):
    """A change as the operator builds it: quantities removed, replacements, items added, a
    manual discount or increment, a reason. Submitted, VTEX previews it; confirmed (the
    ``confirm`` button, with the preview's signed ``confirmation``), it is queued."""

    reason = bounded(
        forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2})),
        bounds.REASON,
    )
    discount_value = MoneyField(label=_("Discount (R$)"), required=False)
    increment_value = MoneyField(label=_("Increment (R$)"), required=False)
    # One per form shown: the command's key, so confirming the same form twice (a double
    # click, the browser's back button) sends the change once.
    request_id = forms.RegexField(
        regex=CHANGE_REQUEST_ID,
        widget=forms.HiddenInput,
        initial=lambda: uuid.uuid4().hex,
        error_messages={
            "required": _("This form has expired; open the order change again."),
            "invalid": _("This form has expired; open the order change again."),
        },
    )
    # The preview the operator saw, signed: a confirmation is for that very change.
    confirmation = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, order: Order, **kwargs: Any) -> None:
        super().__init__(*args, order=order, **kwargs)
        self.items = list(order.items.all())
        data = self.data if self.is_bound else None
        skus = list(
            dict.fromkeys((item.sku_id, f"{item.sku_id} — {item.name}") for item in self.items)
        )
        self.replaced = ReplacementFormSet(data, prefix="replaced", form_kwargs={"skus": skus})
        self.added = AddedItemFormSet(data, prefix="added")
        self.formsets.extend([self.replaced, self.added])
        self.remove_fields: list[tuple[str, Any]] = []
        for item in self.items:
            name = f"remove_{item.position}"
            self.fields[name] = forms.IntegerField(
                label=_("Remove of %(sku)s — %(name)s") % {"sku": item.sku_id, "name": item.name},
                min_value=0,
                max_value=item.quantity,
                initial=0,
                required=False,
                error_messages={
                    "max_value": _(
                        "The order has %(limit_value)s of this item: no more can be removed."
                    )
                },
            )
            self.remove_fields.append((name, item))
        self._show_items_left()

    def _show_items_left(self) -> None:
        """Beside each item, what the order has and what the change as typed leaves of it;
        the page's script recounts as the operator types."""
        removed: dict[int, int] = {}
        for name, item in self.remove_fields:
            typed = self[name].value() if self.is_bound else 0
            removed[item.position] = removed.get(item.position, 0) + typed_count(typed)
        replaced = []
        for form in self.replaced.forms if self.is_bound else ():
            sku_id = form["sku_id"].value()
            if sku_id:
                replaced.append(
                    Replacement(
                        sku_id=sku_id,
                        quantity=typed_count(form["quantity"].value()),
                        new_sku_id=str(form["new_sku_id"].value() or "").strip(),
                        new_quantity=typed_count(form["new_quantity"].value()),
                    )
                )
        left = change_items_left(items=self.items, removed=removed, replaced=replaced)
        for name, item in self.remove_fields:
            self.fields[name].item_quantities = ItemQuantities(
                sku_id=item.sku_id, ordered=item.quantity, left=left[item.position]
            )

    def items_removed(self) -> list[ChangeLine]:
        return [
            ChangeLine(sku_id=item.sku_id, quantity=quantity, price=item.invoice_unit_price)
            for name, item in self.remove_fields
            if (quantity := self.cleaned_data.get(name) or 0) > 0
        ]

    def items_added(self) -> list[ChangeLine]:
        return [f.line() for f in self.added.forms if f.has_changed() and f.cleaned_data]

    def replacements(self) -> list[Replacement]:
        return [f.replacement() for f in self.replaced.forms if f.has_changed() and f.cleaned_data]

    def arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "reason": data["reason"],
            "items_removed": self.items_removed(),
            "items_added": self.items_added(),
            "replaced": self.replacements(),
            "discount_value": data["discount_value"] or 0,
            "increment_value": data["increment_value"] or 0,
            "request_id": data["request_id"],
        }

    def _digest(self) -> str:
        arguments = self.arguments()
        request_id = arguments.pop("request_id")
        return f"{request_id}:{change_request(**arguments).digest()}"

    def confirmation_for(self, preview: ChangePreview) -> str:
        return signing.dumps(
            {"change": self._digest(), "preview": preview.as_payload()}, salt=CONFIRMATION_SALT
        )

    def confirmed_preview(self) -> ChangePreview | None:
        """The preview this very change was confirmed on; None if it was not, or was for
        another change (the form was edited after its preview)."""
        try:
            signed = signing.loads(
                self.cleaned_data.get("confirmation") or "",
                salt=CONFIRMATION_SALT,
                max_age=CONFIRMATION_MAX_AGE,
            )
        except signing.BadSignature:
            return None
        if signed.get("change") != self._digest():
            return None
        preview = signed["preview"]
        return ChangePreview(
            order_value=preview["order_value"],
            total_change_value=preview["total_change_value"],
            totals=preview["totals"],
        )

    def notes(self) -> list[str]:
        return [
            _(
                "VTEX previews the change first (nothing changes yet); you then confirm it. "
                "Prices of added and new items come from the store's catalog."
            )
        ]
