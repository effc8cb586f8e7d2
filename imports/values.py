"""The values of an import's cells as operators and ERPs write them: money in integer cents,
dates, whole numbers, decimals. Each parser raises ``RowRefused`` quoting the value, with its
column (the run names it as the file spells it)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.utils.translation import gettext as _

from core.money import MONEY_MAX_CENTS, reais_cents
from imports.kinds import RowRefused, header_key

# The day of an ISO date or date and time, with its offset as the NF-e's dhEmi writes it
# (2026-11-27T10:15:00-03:00: the day where it was issued).
ISO_DATE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?", re.ASCII
)
# 0.7 | 0,7 | 30 | -1,5 (the sign left to the model's rules to refuse, in their words).
DECIMAL = re.compile(r"-?\d{1,15}(?:[.,]\d{1,6})?", re.ASCII)
BR_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)


def money_cents(value: str, *, column: str) -> int:
    """``1234.56``, ``1.234,56``, ``R$ 1.234,56`` -> 123456 (``reais_cents``)."""
    try:
        cents = reais_cents(value)
    except ValueError:
        cents = None
    if cents is None or cents >= MONEY_MAX_CENTS:
        raise RowRefused(
            _("“%(value)s” is not an amount of money (write 1234.56, 1.234,56 or R$ 1.234,56).")
            % {"value": _shown(value)},
            column=column,
        )
    return cents


def day(value: str, *, column: str) -> datetime.date:
    """``2026-11-27`` or ``27/11/2026``; an impossible day (31/02) is refused."""
    text = value.strip()
    iso = ISO_DATE.fullmatch(text)
    brazilian = BR_DATE.fullmatch(text)
    try:
        if iso:
            return datetime.date(int(iso[1]), int(iso[2]), int(iso[3]))
        if brazilian:
            return datetime.date(int(brazilian[3]), int(brazilian[2]), int(brazilian[1]))
    except ValueError:
        raise RowRefused(
            _("“%(value)s” is not a date that exists.") % {"value": _shown(value)},
            column=column,
        ) from None
    raise RowRefused(
        _("“%(value)s” is not a date (write YYYY-MM-DD or DD/MM/YYYY).") % {"value": _shown(value)},
        column=column,
    )


def whole_number(value: str, *, column: str, minimum: int = 0) -> int:
    text = value.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 12 or int(text) < minimum:
        raise RowRefused(
            _("“%(value)s” is not a whole number of at least %(minimum)s.")
            % {"value": _shown(value), "minimum": minimum},
            column=column,
        )
    return int(text)


def decimal_number(value: str, *, column: str) -> Decimal:
    """A measure as spreadsheets write it: ``0.7`` or ``0,7`` (no thousands separator)."""
    text = value.strip()
    if not DECIMAL.fullmatch(text):
        raise RowRefused(
            _("“%(value)s” is not a number (write 0.75 or 0,75).") % {"value": _shown(value)},
            column=column,
        )
    return Decimal(text.replace(",", "."))


def choice(value: str, *, column: str, choices: dict[str, str], default: str) -> str:
    """One of ``choices`` (accepted spelling -> value), matched without case or accents."""
    if not value.strip():
        return default
    by_key = {header_key(name): chosen for name, chosen in choices.items()}
    chosen = by_key.get(header_key(value))
    if chosen is None:
        raise RowRefused(
            _("“%(value)s” is not one of %(choices)s.")
            % {"value": _shown(value), "choices": ", ".join(choices)},
            column=column,
        )
    return chosen


def required(row: dict[str, str], column: str) -> str:
    """The row's cell of ``column``; refused when it is empty."""
    value = row.get(column, "")
    if not value:
        raise RowRefused(_("the cell is empty."), column=column)
    return value


def _shown(value: str, limit: int = 40) -> str:
    """A value as quoted back in a message: at most ``limit`` characters."""
    value = value.strip()
    return value if len(value) <= limit else value[: limit - 1] + "…"
