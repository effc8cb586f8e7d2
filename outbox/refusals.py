"""What VTEX's refusal codes mean, for operators: one table, shown beside VTEX's raw message
wherever a command's answer is (the order page's commands and timeline, the command list and
page).

The codes are VTEX's (``1``, ``OMS003``, ``OMS007``: ../shared/docs/vtex-contract.md), the
sandbox store's own ``SBX-...`` codes where VTEX's are not public (``sandbox/errors.py``,
``sandbox/README.md``), the HTTP statuses the client falls back on when VTEX's body has no
code, and the outbox's own (a command refused before sending, a VTEX that could not be
reached). A code missing here is shown raw, with VTEX's message.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

REFUSAL_EXPLANATIONS: dict[str, Promise] = {
    # VTEX's documented codes.
    "1": _("VTEX did not accept the back office's credentials (app key and token)."),
    "OMS003": _(
        "The order is no longer ready for handling in VTEX: someone or something already "
        "moved it. Refresh the order to see its status."
    ),
    "OMS007": _("VTEX does not know this order (wrong id, or another store's)."),
    # HTTP statuses, when VTEX's answer carries no code of its own.
    "400": _("VTEX refused the request as invalid."),
    "401": _("VTEX did not accept the back office's credentials (app key and token)."),
    "403": _(
        "The back office's app key lacks the permission for this (License Manager role in VTEX)."
    ),
    "404": _("VTEX does not know this order or invoice."),
    "409": _("The order's status in VTEX does not allow this now."),
    "429": _("VTEX asked to slow down (too many requests); the command is sent again later."),
    "500": _("VTEX failed on its side; the command is sent again later."),
    "502": _("VTEX could not be reached through its gateway; the command is sent again later."),
    "503": _("VTEX is unavailable for now; the command is sent again later."),
    "504": _("VTEX took too long to answer; the command is sent again later."),
    # The client's and the outbox's own.
    "VtexTransientError": _(
        "VTEX could not be reached or did not answer in time; the command is sent again later."
    ),
    "VtexAuthError": _("VTEX did not accept the back office's credentials (app key and token)."),
    "NFE_XML_DROPPED": _(
        "The NF-e XML was dropped when this command was settled: submit the invoice again, "
        "with its XML."
    ),
    # The sandbox store's (VTEX does not publish codes for these refusals).
    "SBX-BAD-REQUEST": _("VTEX refused a malformed request (a field missing or invalid)."),
    "SBX-NOT-FOUND": _("VTEX has no such address."),
    "SBX-METHOD": _("VTEX has no such address."),
    "SBX-ROUTE": _("VTEX has no such address."),
    "SBX-INTERNAL": _("VTEX failed on its side; the command is sent again later."),
    "SBX-INVOICE-STATUS": _("VTEX does not invoice an order in its current status."),
    "SBX-OVER-INVOICE": _(
        "The invoice's value is more than what is left to invoice on the order in VTEX."
    ),
    "SBX-INPUT-BEFORE-INVOICED": _(
        "VTEX only takes a return invoice once the whole order value has been invoiced."
    ),
    "SBX-OVER-RETURN": _("The return invoice gives back more than was invoiced and not returned."),
    "SBX-INVOICE-NOT-FOUND": _("VTEX has no invoice with this number on the order."),
    "SBX-NO-TRACKING-NUMBER": _(
        "VTEX only takes tracking events after the invoice's tracking number."
    ),
    "SBX-CANCEL-INVOICED": _(
        "VTEX does not cancel an invoiced order until a return invoice gave its whole value back."
    ),
    "SBX-CANCEL-STATUS": _(
        "VTEX does not cancel the order in its current status (already canceled, or moving "
        "between statuses)."
    ),
    "SBX-CHANGE-STATUS": _(
        "VTEX only modifies orders in handling, waiting for fulfillment or ready for invoicing."
    ),
    "SBX-CHANGE-TRANSACTION-FINISHED": _(
        "The order's payment is settled (invoiced in full): VTEX no longer modifies it."
    ),
    "SBX-CHANGE-EMPTY": _(
        "The change changes nothing: remove, add or replace items, or give a value."
    ),
    "SBX-CHANGE-SKU": _("VTEX's catalog has no SKU with this id."),
    "SBX-CHANGE-PAYMENT": _(
        "The change raises the order's price, and its payment method cannot be charged again."
    ),
    "SBX-CHANGE-IN-PROGRESS": _(
        "The order has another change in progress or stopped on error: retry or cancel it first."
    ),
    "SBX-CHANGE-NOT-FOUND": _("VTEX has no order change with this id."),
    "SBX-CHANGE-NOT-STOPPED": _("Only a change stopped on error can be retried or canceled."),
    "SBX-CHANGE-ITEMS": _("The change removes more of an item than the order has, or every item."),
    "SBX-CHANGE-VALUE": _(
        "The change would leave the order's value at zero or below what is already invoiced."
    ),
    "SBX-MKP-NOT-PLACED": _("The seller did not accept this marketplace order."),
    "SBX-TRANSACTION-NOT-FOUND": _("VTEX has no payment transaction with this id."),
    "SBX-LIST-PAGE-LIMIT": _("VTEX's order list stops at page 30: narrow the dates."),
    "SBX-LIST-PER-PAGE": _("VTEX's order list gives at most 100 orders a page."),
    "SBX-FEED-MAXLOT": _("VTEX's feed gives from 1 to 10 events at a time."),
    "SBX-FEED-NOT-CONFIGURED": _(
        "The orders feed is not configured in VTEX: run manage.py vtex_feed_configure."
    ),
    "SBX-FILTER-CONFLICT": _(
        "A feed or hook filter takes either a status list or an expression, not both."
    ),
    "SBX-HOOK-URL": _("The hook's address must be an http(s) URL."),
    "SBX-HOOK-PING": _("The hook's address did not answer VTEX's test call with 200."),
    "SBX-HOOK-NOT-CONFIGURED": _("No orders hook is configured in VTEX."),
    "SBX-SUGGESTION-INVALID": _("The SKU suggestion misses a required field or is too long."),
    "SBX-SUGGESTION-NOT-FOUND": _("The marketplace has no pending suggestion for this SKU."),
}


def refusal_explanation(code: str) -> str:
    """What ``code`` means, in the operator's language; empty for an unknown code."""
    explanation = REFUSAL_EXPLANATIONS.get((code or "").strip())
    return str(explanation) if explanation is not None else ""


def vtex_answer_text(code: str, message: str) -> str:
    """:func:`vtex_answer` as plain text, on one line: for a list's cut column and its hover."""
    raw = f"{code}: {message}" if code and message else code or message
    explanation = refusal_explanation(code)
    return f"{explanation} ({raw})" if explanation and raw else raw


def vtex_answer(code: str, message: str) -> str:
    """VTEX's refusal as operators see it: what the code means, above VTEX's raw words
    (``code: message``); the raw words alone for a code the table does not know."""
    if not (code or message):
        return "—"
    explanation = refusal_explanation(code)
    if not explanation:
        return format_html("{}: {}", code, message) if code else message
    return format_html(
        '<span class="vtex-refusal">{}<br><small class="vtex-raw">{}: {}</small></span>',
        explanation,
        code,
        message,
    )
