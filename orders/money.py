"""Money is integer cents everywhere; this turns cents into what an operator reads, and what
an operator types into cents.

Every money field an operator types (a SKU's prices, a shipping rule's price, an order
change's discount, increment and added item's price) is a ``MoneyField``: it takes reais as
Brazilians write them (``55``, ``55,90``, ``1.055,90``, ``R$ 55,90``; ``55.90`` too, see
``imports.values.reais_cents``, the one parser shared with the file imports), cleans them to
cents, and shows a stored amount the same way (``1.055,90`` in pt-BR, ``1,055.90`` in
English), so that what the page shows saves back unchanged.
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from imports.values import MONEY_MAX_CENTS, reais_cents


def reais(cents: int) -> str:
    """``105590`` -> ``1.055,90`` (pt-BR) or ``1,055.90`` (en): the amount without ``R$``."""
    return number_format(
        Decimal(abs(cents)) / 100, decimal_pos=2, use_l10n=True, force_grouping=True
    )


def brl(cents: int | None) -> str:
    """``123456`` -> ``R$ 1.234,56`` (pt-BR) or ``R$ 1,234.56`` (en), per the active language."""
    if cents is None:
        return ""
    return f"-R$ {reais(cents)}" if cents < 0 else f"R$ {reais(cents)}"


class MoneyInput(forms.TextInput):
    """A text box showing a stored amount (cents) in reais; what the operator typed, as typed."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, int) and not isinstance(value, bool):
            return reais(value)
        return super().format_value(value)


class MoneyField(forms.Field):
    """An amount in reais typed by an operator, cleaned to integer cents (0 or more)."""

    widget = MoneyInput
    default_error_messages = {
        "invalid": _(
            "“%(value)s” is not an amount in reais: write it as 55, 55,90, 1.055,90 or "
            "R$ 55,90."
        ),
        "too_large": _("The largest amount taken is %(largest)s."),
    }

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = "" if value in self.empty_values else str(value)
        if not text.strip():
            return None
        try:
            cents = reais_cents(text)
        except ValueError:
            # Quoted back as typed, within reason: no control character, at most 40.
            shown = "".join(c if c.isprintable() else "\ufffd" for c in text.strip()[:40])
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": shown}
            ) from None
        return cents

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None and value >= MONEY_MAX_CENTS:
            raise ValidationError(
                self.error_messages["too_large"],
                code="too_large",
                params={"largest": brl(MONEY_MAX_CENTS - 1)},
            )
