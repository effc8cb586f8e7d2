"""The order list's search: what an operator types, as people write it."""

from __future__ import annotations

import re

from django.db.models import (
    Q,
)
from django.utils.text import smart_split, unescape_string_literal

# What an operator types in the order list's search box, as people write it: a CPF/CNPJ with
# its dots, dash and slash, a phone with its parentheses, an order id without its ``-01``.
SEARCH_TYPED_NUMBER = re.compile(r"^[\d\s.\-/()+]+$")
SEARCH_ORDER_NUMBER = re.compile(r"^\d{6,}$")
# An order id's suffixes VTEX gives the orders of one purchase (split by seller or package).
ORDER_ID_SUFFIXES = tuple(f"-{number:02d}" for number in range(1, 10))


def order_search_matches(term: str, *, personal: bool) -> Q | None:
    """The orders a search ``term`` means beyond the admin's own search: the digits of a
    typed document or phone (only for staff who may see them: ``personal``) and the order ids
    of a number typed without its suffix. Exact matches, so each one is an index lookup."""
    term = term.strip()
    if not SEARCH_TYPED_NUMBER.match(term):
        return None
    digits = re.sub(r"\D", "", term)
    matches = Q()
    if SEARCH_ORDER_NUMBER.match(term):
        matches |= Q(vtex_order_id__in=[term + suffix for suffix in ORDER_ID_SUFFIXES])
    if personal and len(digits) in (11, 14):  # a CPF or a CNPJ
        matches |= Q(customer_document=digits) | Q(customer_corporate_document=digits)
    if personal and digits:
        national = digits[2:] if len(digits) in (12, 13) and digits.startswith("55") else digits
        if len(national) in (10, 11):  # area code and number
            phones = [f"+55{national}", national, f"55{national}"]
            matches |= Q(customer_phone__in=phones) | Q(customer_corporate_phone__in=phones)
    return matches or None


# A word that could be a name or an e-mail (a letter in it); the rest (an id, a sequence, a
# document typed as digits) only ever match exactly.
SEARCH_WORDY = re.compile(r"[^\W\d_]")


def order_search(term: str, *, personal: bool) -> Q | None:
    """The orders the order list's search box means by ``term`` (None: every order).

    Each word (quotes keep words together) matches an order id, a sequence or (``personal``)
    a document exactly, each a B-tree lookup; a word with a letter also matches inside the
    first or last name or (``personal``) the e-mail, served on PostgreSQL by trigram indexes
    (migration orders.0012); an order must match every word. Plus ``order_search_matches``:
    an id without its suffix, a document or phone as people type them.
    Only staff who may see customers' data (``personal``) search by it.
    """
    words = []
    for word in smart_split(term.strip()):
        if len(word) > 1 and word[0] in "\"'" and word[-1] == word[0]:
            word = unescape_string_literal(word)
        if word:
            words.append(word)
    if not words:
        return None
    found = Q()
    for word in words:
        exact = [word] if word == word.lower() else [word, word.lower()]
        matches = Q(vtex_order_id__in=exact) | Q(sequence=word)
        if personal:
            matches |= Q(customer_document=word)
        if "@" in word:  # an e-mail, not a name
            matches |= Q(customer_email__icontains=word) if personal else Q()
        elif SEARCH_WORDY.search(word):
            matches |= Q(customer_first_name__icontains=word)
            matches |= Q(customer_last_name__icontains=word)
            if personal:
                matches |= Q(customer_email__icontains=word)
        found &= matches
    typed = order_search_matches(term, personal=personal)
    return found | typed if typed is not None else found
