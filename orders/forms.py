"""What the forms of the operator operations share: the date pickers, the bounds of a text
field, the operation date window, and ``OperationForm``. Each operation's own form lives in
its module (``orders.operations.<name>``): it parses what the operator typed; the service
decides.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.validators import TextLength
from orders.models import Order
from orders.selectors.invoicing import InvoicingSummary
from orders.validators import validate_operation_date

FieldT = TypeVar("FieldT", bound=forms.CharField)


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
            if getattr(error, "code", None) != "ambiguous_timezone" or not error.params:
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


class CaptionedFormSet(forms.BaseFormSet):
    """A formset of an operation's form; its table shows ``caption`` (operation_form.html).
    Each declares its caption in a subclass given to ``formset_factory``."""

    caption: str | Promise = ""


class OperationForm(forms.Form):
    """What the operator fills in for one operation on one order. ``order`` and ``summary``
    (``orders.selectors.invoicing.order_invoicing_summary``) are given on the order page; a
    changelist action (several orders) builds its form without them."""

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

    def notes(self) -> list[str | Promise]:
        """Lines the form's page shows above it."""
        return []
