"""Characters nobody types, in one place: the rule every boundary applies (the admin's
requests and forms, the files an import reads, the seller endpoints' requests).

PostgreSQL refuses NUL in text and in jsonb, and a lone surrogate (JSON's ``"\\ud800"``, a
broken XLSX escape ``_xD800_``) is no text at all: UTF-8 cannot encode it."""

from __future__ import annotations

import re

# In no text at all.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Typed text (a name, a street, a cell, a search): the C0 and C1 controls and DEL but tab,
# line feed and carriage return (a textarea holds them), and the lone surrogates.
TYPED_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# An id (a SKU, an order, a seller): no control character at all.
ID_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def has_control_characters(text: str) -> bool:
    """Whether ``text`` holds a character ``TYPED_CONTROL`` refuses."""
    return TYPED_CONTROL.search(text) is not None


def code_point(character: str) -> str:
    """``U+0000``: how a message names a character it cannot show."""
    return f"U+{ord(character):04X}"
