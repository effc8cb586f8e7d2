"""Money is integer cents everywhere; this turns cents into what an operator reads."""

from decimal import Decimal

from django.utils.formats import number_format


def brl(cents: int | None) -> str:
    """``123456`` -> ``R$ 1.234,56`` (pt-BR) or ``R$ 1,234.56`` (en), per the active language."""
    if cents is None:
        return ""
    amount = number_format(
        Decimal(abs(cents)) / 100, decimal_pos=2, use_l10n=True, force_grouping=True
    )
    return f"-R$ {amount}" if cents < 0 else f"R$ {amount}"
