"""The rules of what people type into a text field, each refused with a message naming the
field: at most so many characters and no control character (``TextLength``), no invisible
character in an identifier (``Identifier``), a web address (``WebAddress``), a SKU id VTEX can
put in its addresses (``SkuId``). Each app declares its fields' rules with them once
(``orders.validators``, ``catalog.models.skus``), used by its forms and its services alike.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.deconstruct import deconstructible
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.text import TYPED_CONTROL, code_point


def invisible_character(text: str) -> str | None:
    """The first control (Cc) or format (Cf) character of ``text``: NUL, a tab, a
    bidirectional override (U+202E shows ``gpj.exe`` as ``exe.jpg``), a zero-width space, a
    byte order mark. An identifier holding one looks like another and matches nothing."""
    for character in text:
        if unicodedata.category(character) in ("Cc", "Cf"):
            return character
    return None


@deconstructible
class TextLength:
    """The rule of a text field: at most ``limit`` characters and no control character,
    refused with a message that names the field. An empty value passes (required is the
    form's and the service's)."""

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
        self.check_characters(value)

    def check_characters(self, value: str) -> None:
        found = TYPED_CONTROL.search(value)
        if found:
            raise ValidationError(
                _("%(field)s holds a control character (%(character)s); remove it."),
                code="control_character",
                params={"field": self.field, "character": code_point(found.group())},
            )


@deconstructible
class Identifier(TextLength):
    """An identifier (a tracking number, a SKU id): besides the length, no control, format or
    bidirectional character at all, which would make it look like another."""

    def check_characters(self, value: str) -> None:
        character = invisible_character(value)
        if character is not None:
            raise ValidationError(
                _(
                    "%(field)s holds an invisible character (%(character)s), which would make "
                    "it look like another; remove it."
                ),
                code="invisible_character",
                params={"field": self.field, "character": code_point(character)},
            )


@deconstructible
class WebAddress(TextLength):
    """A web address VTEX shows the shopper or a browser opens: http or https, with a host
    (``javascript:``, ``data:``, ``file:`` and ``ftp:`` are refused)."""

    schemes = ("http", "https")

    def __call__(self, value: str) -> None:
        super().__call__(value)
        if not value:
            return
        try:
            URLValidator(schemes=list(self.schemes))(value)
        except ValidationError:
            raise ValidationError(
                _("%(field)s must be a web address starting with https:// (or http://)."),
                code="web_address",
                params={"field": self.field},
            ) from None


# VTEX puts a SKU id in its addresses (/changenotification/{skuId}, /suggestions/{sellerId}/
# {sellerSkuId}): letters, digits, '.', '-' and '_' only, beginning with a letter or a digit,
# so that neither '..', '/' nor a %-escape can walk to another address.
SKU_ID_CHARACTERS = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@deconstructible
class SkuId(Identifier):
    def __call__(self, value: str) -> None:
        super().__call__(value)
        if value and not SKU_ID_CHARACTERS.fullmatch(value):
            raise ValidationError(
                _(
                    "%(field)s can hold only letters, digits, '.', '-' and '_', and must "
                    "begin with a letter or a digit (VTEX puts it in its addresses)."
                ),
                code="sku_id_characters",
                params={"field": self.field},
            )
