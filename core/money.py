"""Money is integer cents everywhere; this turns cents into what an operator reads, and what
an operator types into cents.

Every money field an operator types (a SKU's prices, a shipping rule's price, an order
change's discount, increment and added item's price) is a ``MoneyField``: it takes reais as
Brazilians write them (``55``, ``55,90``, ``1.055,90``, ``R$ 55,90``; ``55.90`` too, see
``reais_cents``, the one parser, shared with the file imports' ``imports.values``), cleans them to
cents, and shows a stored amount the same way (``1.055,90`` in pt-BR, ``1,055.90`` in
English), so that what the page shows saves back unchanged.
"""

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

# 1234 | 1234.56 | 1234,56 | 1.234 | 1.234,56 | 1,234.56 (at most two decimals), after "R$".
# Each form with its thousands separator; what separator is left after removing it is the
# decimal one.
MONEY_PATTERNS = (
    (re.compile(r"\d+(?:[.,]\d{1,2})?", re.ASCII), ""),
    (re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?", re.ASCII), "."),
    # 1,234 alone would be ambiguous (R$ 1,23 typed with three decimals?): not accepted.
    (re.compile(r"\d{1,3}(?:,\d{3})+\.\d{1,2}", re.ASCII), ","),
)
# Below a billion reais: a larger amount is a typo (or a number read as money).
MONEY_MAX_CENTS = 100_000_000_000


def reais_cents(value: str) -> int:
    """An amount in reais as Brazilians (and ERPs) write it, in cents: ``55`` -> 5500,
    ``55,9`` -> 5590, ``1.055,90`` and ``R$ 1.055,90`` -> 105590, ``55.90`` -> 5590.

    A ``.`` followed by exactly three digits groups thousands (``1.055`` is R$ 1.055,00, as a
    Brazilian reads it); followed by one or two it is the decimal point (``55.90``, as an ERP
    or an English keyboard writes it). ``1,055`` alone is refused (three decimals). Raises
    ``ValueError`` for anything else or a negative amount; each caller bounds the amount
    (``MONEY_MAX_CENTS``). The one parser of money typed by people: the imports' cells and
    the operators' forms (``MoneyField``)."""
    text = value.strip().replace("\u00a0", " ")
    if text.upper().startswith("R$"):
        text = text[2:]
    text = text.strip()
    for pattern, thousands in MONEY_PATTERNS:
        if pattern.fullmatch(text):
            plain = text.replace(thousands, "") if thousands else text
            units, _sep, fraction = plain.replace(",", ".").partition(".")
            return int(units) * 100 + int(fraction.ljust(2, "0"))
    raise ValueError(value)


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
            "“%(value)s” is not an amount in reais: write it as 55, 55,90, 1.055,90 or R$ 55,90."
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
