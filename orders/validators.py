"""Field validators shared by the invoice services and forms."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

NFE_KEY_LENGTH = 44
INVOICE_NUMBER_RE = re.compile(r"[A-Za-z0-9]+")


def nfe_key_check_digit(first_43_digits: str) -> int:
    """The NF-e access key's check digit: modulo 11 with weights 2..9 from the right."""
    total = 0
    weight = 2
    for digit in reversed(first_43_digits):
        total += int(digit) * weight
        weight = 2 if weight == 9 else weight + 1
    remainder = total % 11
    return 0 if remainder < 2 else 11 - remainder


def validate_nfe_key(value: str) -> None:
    """An NF-e access key is 44 digits whose last one is the modulo-11 check digit."""
    if len(value) != NFE_KEY_LENGTH or not value.isascii() or not value.isdigit():
        raise ValidationError(
            _("The NF-e access key must have exactly 44 digits."), code="nfe_key_length"
        )
    if nfe_key_check_digit(value[:-1]) != int(value[-1]):
        raise ValidationError(
            _("The NF-e access key's check digit is wrong; check the key for a typo."),
            code="nfe_key_check_digit",
        )


def validate_invoice_number(value: str) -> None:
    """VTEX breaks on '/', '#', spaces and other symbols in invoice numbers (known issues)."""
    if not INVOICE_NUMBER_RE.fullmatch(value) or not value.isascii():
        raise ValidationError(
            _(
                "The invoice number must contain only letters and digits "
                "(VTEX fails on '/', '#', spaces and other symbols)."
            ),
            code="invoice_number_characters",
        )
