"""The catalog's admin forms: amounts in reais (``core.money.MoneyField``), and a SKU's big
price change confirmed before it is saved and sent to the marketplace."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog.models import (
    MAX_BUSINESS_DAYS,
    ShippingRule,
    Sku,
    business_days,
    business_days_display,
    business_days_estimate,
)
from catalog.services.skus import sku_price_jumps
from core.money import MoneyField

CONFIRM_PRICE_CHANGE = "confirm_price_change"


class SkuForm(forms.ModelForm):
    """A SKU as the operator edits it. A price or list price moving by more than
    ``CATALOG_PRICE_CHANGE_CONFIRM_SHARE`` is refused with what moved and a checkbox to
    confirm it (hidden until then): nothing is saved or sent before the operator ticks it."""

    price = MoneyField(label=_("Price (R$)"))
    list_price = MoneyField(
        label=_("List price (R$)"), required=False, help_text=_("Empty or 0: no list price.")
    )
    confirm_price_change = forms.BooleanField(
        label=_("Confirm the price change"), required=False, widget=forms.HiddenInput
    )

    class Meta:
        model = Sku
        # The admin gives the fields of its fieldsets.
        fields = ("price", "list_price")

    def clean_list_price(self) -> int:
        return self.cleaned_data.get("list_price") or 0

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.instance.pk is None or data.get(CONFIRM_PRICE_CHANGE):
            return data
        after = Sku(
            price=data.get("price", self.instance.price),
            list_price=data.get("list_price", self.instance.list_price),
        )
        jumps = sku_price_jumps(before=self.instance, after=after)
        if jumps:
            self.fields[CONFIRM_PRICE_CHANGE].widget = forms.CheckboxInput()
            self.add_error(
                CONFIRM_PRICE_CHANGE,
                _(
                    "This changes the %(changes)s: more than %(share)s %% at once. Check the "
                    "amount, then tick “Confirm the price change” and save again; nothing is "
                    "saved or sent to the marketplace before."
                )
                % {"changes": "; ".join(jumps), "share": _percent()},
            )
        return data


def _percent() -> str:
    return f"{settings.CATALOG_PRICE_CHANGE_CONFIRM_SHARE * 100:g}"


def _business_days_refusal() -> str:
    return gettext("Type the number of business days, from 1 to %(max)s.") % {
        "max": MAX_BUSINESS_DAYS
    }


def _business_days_field() -> forms.IntegerField:
    # Built once, at import: the message is translated when shown, in the user's language.
    refusal = lazy(_business_days_refusal, str)()
    return forms.IntegerField(
        label=_("Delivery estimate (business days)"),
        min_value=1,
        max_value=MAX_BUSINESS_DAYS,
        error_messages={"invalid": refusal, "min_value": refusal, "max_value": refusal},
        widget=forms.NumberInput(attrs={"style": "width: 6em"}),
    )


class ShippingRuleForm(forms.ModelForm):
    """A shipping rule; its delivery estimate typed in business days, kept as VTEX's "3bd"."""

    price = MoneyField(label=_("Price (R$)"))
    shipping_estimate = _business_days_field()

    class Meta:
        model = ShippingRule
        fields = ("price", "shipping_estimate")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("shipping_estimate")
        stored = self.instance.shipping_estimate
        if field is None or not stored:
            return
        # A rule of another unit ("2d", "4h") shows it, and takes business days once saved.
        self.initial["shipping_estimate"] = business_days(stored)
        field.help_text = _("Now: %(estimate)s.") % {"estimate": business_days_display(stored)}

    def clean_shipping_estimate(self) -> str:
        return business_days_estimate(self.cleaned_data["shipping_estimate"])
