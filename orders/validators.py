"""What operators may type into the order operations: field validators and the bounds of
lengths, shared by the forms (which show a refusal next to the field) and the services (which
refuse the same input from any other caller). Every bound is here."""

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.functional import Promise
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


# --- Lengths --------------------------------------------------------------------------------------


@deconstructible
class TextLength:
    """At most ``limit`` characters, refused with a message that names the field."""

    message = _("%(field)s can have at most %(limit)d characters (it has %(length)d).")

    def __init__(self, field: str | Promise, limit: int) -> None:
        self.field = field
        self.limit = limit

    def __call__(self, value: str) -> None:
        if len(value) > self.limit:
            raise ValidationError(
                self.message,
                code="max_length",
                params={"field": self.field, "limit": self.limit, "length": len(value)},
            )


# VTEX's OpenAPI files and guides publish no length for any of these fields (the contract sheet,
# docs/vtex-contract.md, lists none either). So each bound is the column of the mirror that
# keeps the value once VTEX echoes it back (orders/models/invoices.py), or tighter where the
# column is far above any real value. The command key is kept within its column by
# orders.services.actions.command_key whatever these are.
INVOICE_NUMBER = TextLength(_("The invoice number"), 64)  # Invoice.number
INVOICE_URL = TextLength(_("The invoice URL"), 1000)  # Invoice.url
# An authorized NF-e is below SEFAZ's 500 KB message limit; twice that leaves room for the
# authorization protocol around it.
EMBEDDED_XML = TextLength(_("The NF-e XML"), 1_000_000)
COURIER = TextLength(_("The courier"), 200)  # Invoice.courier
# Carriers' codes are at most about 40 characters (Correios 13, UPS 18, USPS and DHL up to
# 34 and 39); the column (200) would only hold pasted text, not a tracking number.
TRACKING_NUMBER = TextLength(_("The tracking number"), 100)
TRACKING_URL = TextLength(_("The tracking URL"), 1000)  # Invoice.tracking_url
TRACKING_CITY = TextLength(_("A tracking event's city"), 200)  # TrackingEvent.city
TRACKING_STATE = TextLength(_("A tracking event's state"), 40)  # TrackingEvent.state
TRACKING_DESCRIPTION = TextLength(_("A tracking event's description"), 500)  # .description
# Sent to VTEX and kept in the command's payload and the audit; VTEX shows a change's reason
# to the shopper.
REASON = TextLength(_("The reason"), 500)
SKU_ID = TextLength(_("The SKU id"), 64)  # OrderItem.sku_id
