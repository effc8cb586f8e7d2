"""What operators may type into the order operations: field validators and the bounds of
lengths, characters, dates and values, shared by the forms (which show a refusal next to the
field) and the services (which refuse the same input from any other caller: a file's row goes
through the service the form calls). Every bound is here: each field's rule is declared once
below (``INVOICE_URL``, ``TRACKING_NUMBER``, ``SKU_ID``...) and used by both."""

import re
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.money import brl
from core.validators import Identifier, SkuId, TextLength, WebAddress

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


# --- Characters ---------------------------------------------------------------------------------

# Control characters: core.text; invisible ones and each field's rule: core.validators.


# --- Fields ---------------------------------------------------------------------------------------


# VTEX's OpenAPI files and guides publish no length for any of these fields (the contract sheet,
# docs/vtex-contract.md, lists none either). So each bound is the column of the mirror that
# keeps the value once VTEX echoes it back (orders/models/invoices.py), or tighter where the
# column is far above any real value. The command key is kept within its column by
# outbox.enqueue.command_key whatever these are.
INVOICE_NUMBER = Identifier(_("The invoice number"), 64)  # Invoice.number
INVOICE_URL = WebAddress(_("The invoice URL"), 1000)  # Invoice.url
# An authorized NF-e is below SEFAZ's 500 KB message limit; twice that leaves room for the
# authorization protocol around it.
EMBEDDED_XML = TextLength(_("The NF-e XML"), 1_000_000)
COURIER = TextLength(_("The courier"), 200)  # Invoice.courier
# Carriers' codes are at most about 40 characters (Correios 13, UPS 18, USPS and DHL up to
# 34 and 39); the column (200) would only hold pasted text, not a tracking number.
TRACKING_NUMBER = Identifier(_("The tracking number"), 100)
TRACKING_URL = WebAddress(_("The tracking URL"), 1000)  # Invoice.tracking_url
TRACKING_CITY = TextLength(_("A tracking event's city"), 200)  # TrackingEvent.city
TRACKING_STATE = TextLength(_("A tracking event's state"), 40)  # TrackingEvent.state
TRACKING_DESCRIPTION = TextLength(_("A tracking event's description"), 500)  # .description
# Sent to VTEX and kept in the command's payload and the audit; VTEX shows a change's reason
# to the shopper.
REASON = TextLength(_("The reason"), 500)
SKU_ID = SkuId(_("The SKU id"), 64)  # OrderItem.sku_id


# --- Dates ----------------------------------------------------------------------------------------

# Dates typed for an order (invoice issuance, dispatch, delivery, tracking events) fall within
# [the order's creation - OPERATION_DATE_PAST_MARGIN, now + OPERATION_DATE_FUTURE_MARGIN].
# Nothing of an order happens before it exists, nor in the future; a day on either side absorbs
# time zones (a date typed in Brazil against a creation time in UTC, an ERP's clock) and a date
# typed late at night. Year 0001 or 9999 is a typo VTEX would store and show the shopper.
# (The refusals below say "a day": change them with these.)
OPERATION_DATE_PAST_MARGIN = timedelta(days=1)
OPERATION_DATE_FUTURE_MARGIN = timedelta(days=1)

ISSUED_AT = _("The issue date")
DISPATCHED_AT = _("The dispatch date")
DELIVERED_AT = _("The delivery date")
EVENT_DATE = _("A tracking event's date")


def validate_operation_date(
    value: date | datetime,
    *,
    field: str | Promise,
    order_created_at: datetime | None,
    now: datetime | None = None,
) -> None:
    """``value`` within the window above. Without ``order_created_at`` (a form that does not
    know the order), only the upper bound; the service checks both."""
    now = now or timezone.now()
    if isinstance(value, datetime) and timezone.is_naive(value):
        value = timezone.make_aware(value)
    latest = now + OPERATION_DATE_FUTURE_MARGIN
    earliest = None if order_created_at is None else order_created_at - OPERATION_DATE_PAST_MARGIN
    if isinstance(value, datetime):
        too_late = value > latest
        too_early = earliest is not None and value < earliest
        shown = _datetime_shown
    else:
        too_late = value > timezone.localdate(latest)
        too_early = earliest is not None and value < timezone.localdate(earliest)
        shown = _date_shown
    if earliest is not None and (too_early or too_late):
        raise ValidationError(
            _(
                "%(field)s must be between %(earliest)s and %(latest)s: from a day before the "
                "order was created to a day from now."
            ),
            code="date_out_of_window",
            params={"field": field, "earliest": shown(earliest), "latest": shown(latest)},
        )
    if too_late:
        raise ValidationError(
            _("%(field)s cannot be later than %(latest)s (a day from now)."),
            code="date_in_future",
            params={"field": field, "latest": shown(latest)},
        )


def _datetime_shown(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _date_shown(moment: datetime) -> str:
    return formats.date_format(timezone.localdate(moment), "SHORT_DATE_FORMAT")


# --- Values ---------------------------------------------------------------------------------------

# An order change may at most double the order's value: the value after it (the order's,
# less the items removed and the discount, plus the items added and the increment) is at most
# ORDER_CHANGE_MAX_VALUE_RATIO times the value before. The customer paid, or had authorized,
# the order's value; an increase is a new payment transaction (with some connectors not even
# captured automatically: help.vtex.com known issue "change order to higher value not
# captured automatically in Braspag"). More than the order's value again is a typo or a new
# sale, not a correction: R$ 9.999.999.999,99 on a R$ 100 order is refused, and so is a
# discount larger than the order.
ORDER_CHANGE_MAX_VALUE_RATIO = 2


def validate_order_change_values(
    *,
    order_value: int,
    discount: int,
    increment: int,
    removed: int = 0,
    added: int = 0,
) -> None:
    """A change's values against the order's (integer cents): a discount up to the order's
    value, and a value after the change up to ``ORDER_CHANGE_MAX_VALUE_RATIO`` times it.

    A form that does not see the added items calls it without them: adding items only raises
    the value, so what it refuses the service refuses too. Errors name the form field.
    """
    errors: dict[str, ValidationError] = {}
    if discount > order_value:
        errors["discount_value"] = ValidationError(
            _("A discount of %(discount)s is more than the order's value, %(value)s."),
            code="change_discount_above_value",
            params={"discount": brl(discount), "value": brl(order_value)},
        )
    after = order_value - removed - discount + added + increment
    ceiling = order_value * ORDER_CHANGE_MAX_VALUE_RATIO
    if after > ceiling:
        errors["increment_value"] = ValidationError(
            _(
                "This change would take the order from %(value)s to %(after)s; a change cannot "
                "take an order above %(ratio)s times its value (%(ceiling)s). A bigger sale is "
                "a new order."
            ),
            code="change_above_ceiling",
            params={
                "value": brl(order_value),
                "after": brl(after),
                "ratio": ORDER_CHANGE_MAX_VALUE_RATIO,
                "ceiling": brl(ceiling),
            },
        )
    if errors:
        raise ValidationError(errors)


def validate_order_change_remainder(
    *,
    order_value: int,
    invoiced: int,
    discount: int,
    increment: int,
    removed: int,
    added: int,
    removes_every_item: bool,
    adds_items: bool,
) -> None:
    """What VTEX refuses of a change that leaves too little (RegisterChange, the sandbox's
    workflow): every item removed and none added, a value after the change of nothing or
    less, or below what is already invoiced (``invoiced``, sale invoices queued included).

    Unlike ``validate_order_change_values`` it needs the added items: a swap removes every
    item and adds others."""
    if removes_every_item and not adds_items:
        raise ValidationError(
            _("This change removes every item of the order; to drop them all, cancel the order."),
            code="change_removes_everything",
        )
    after = order_value - removed - discount + added + increment
    params = {"value": brl(order_value), "after": brl(after), "invoiced": brl(invoiced)}
    if after < 1:
        raise ValidationError(
            _(
                "This change would take the order from %(value)s to %(after)s: an order cannot "
                "be worth nothing. To drop everything, cancel the order."
            ),
            code="change_below_zero",
            params=params,
        )
    if after < invoiced:
        raise ValidationError(
            _(
                "This change would take the order from %(value)s to %(after)s, below what is "
                "already invoiced (%(invoiced)s)."
            ),
            code="change_below_invoiced",
            params=params,
        )
