"""Order changes: the operator's form and the three entries (register a change, with VTEX's
preview first; retry or cancel a stopped one). The services, the rules and the follow-up of
a change through VTEX's history live in ``orders.services.changes``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.core import signing
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.admin_operations import Operation
from core.money import MoneyField
from orders import validators as bounds
from orders.forms import CaptionedFormSet, OperationForm, bounded
from orders.models import Order
from orders.operations.cancel import CancelForm
from orders.operations.permissions import CHANGE
from orders.services.changes import (
    CHANGE_REQUEST_ID,
    ChangeLine,
    ChangePreview,
    Replacement,
    change_items_left,
    change_preview_operation,
    change_refusal,
    change_request,
    change_stopped_refusal,
    order_change,
    order_change_cancel,
    order_change_retry,
)

CONFIRMATION_SALT = "orders.change-confirmation"


# A preview older than this is shown again before anything is sent.
CONFIRMATION_MAX_AGE = 30 * 60


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


class _AddedItems(CaptionedFormSet):
    caption = _("Items added")


AddedItemFormSet = forms.formset_factory(AddedItemForm, formset=_AddedItems, extra=2)


class ReplacementForm(forms.Form):
    """Some of an order's item replaced by another SKU, or by the same with a new quantity."""

    sku_id = forms.ChoiceField(label=_("Item"))
    quantity = forms.IntegerField(label=_("Quantity replaced"), min_value=1)
    new_sku_id = bounded(forms.CharField(label=_("New SKU id")), bounds.SKU_ID)
    new_quantity = forms.IntegerField(label=_("New quantity"), min_value=1)

    def __init__(self, *args: Any, skus: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["sku_id"]).choices = [("", "—"), *skus]

    def replacement(self) -> Replacement:
        data = self.cleaned_data
        return Replacement(
            sku_id=data["sku_id"],
            quantity=data["quantity"],
            new_sku_id=data["new_sku_id"].strip(),
            new_quantity=data["new_quantity"],
        )


class _Replacements(CaptionedFormSet):
    caption = _("Items replaced by another SKU, or by a new quantity")


ReplacementFormSet = forms.formset_factory(ReplacementForm, formset=_Replacements, extra=1)


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
            # Read from the field by operation_form.html, beside the quantity removed.
            self.fields[name].item_quantities = ItemQuantities(  # type: ignore[attr-defined]
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

    def notes(self) -> list[str | Promise]:
        return [
            _(
                "VTEX previews the change first (nothing changes yet); you then confirm it. "
                "Prices of added and new items come from the store's catalog."
            )
        ]


# fmt: off
OPERATIONS = (
    Operation("change", _("Order change"), CHANGE,
              change_refusal, order_change, OrderChangeForm,
              submit_label=_("Preview change"), preview=change_preview_operation,
              confirm_label=_("Confirm change")),
    Operation("change-retry", _("Retry order change"), CHANGE,
              change_stopped_refusal, order_change_retry,
              queued=_("Order change retry"), listed_when_unavailable=False),
    Operation("change-cancel", _("Cancel order change"), CHANGE,
              change_stopped_refusal, order_change_cancel, CancelForm,
              queued=_("Order change cancellation"), submit_label=_("Cancel the change"),
              listed_when_unavailable=False),
)
# fmt: on
