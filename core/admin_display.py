"""The admin toolkit's display helpers: what every list uses to show a long value in a column
of a fixed width (issue 19: every list fits 1440x900 and 1280x800 with the side bar open).

The stylesheet (``backoffice/static/backoffice/admin.css``, loaded on every admin page) holds
the classes; the whole value is always in the title (shown on hover) and on the detail page.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import formats, timezone
from django.utils.html import format_html


def short_datetime(value: datetime | None) -> str:
    """``28/11/2026 17:37`` in local time: a list's dates take a third of the long form (the
    stylesheet puts the day on one line, the time under it)."""
    if value is None:
        return "-"
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def truncated(value: object, width: float, *, lines: int = 1) -> str:
    """``value`` in at most ``width`` em, on at most ``lines`` lines (words wrap, a word longer
    than the column breaks), cut with an ellipsis when longer; the whole value in the title.
    An empty value is shown as "—"."""
    text = "" if value is None else str(value)
    if not text:
        return "—"
    # The column keeps its width when the table is squeezed (a value that could break
    # anywhere would otherwise shrink to a letter a line), or the text's, when it is shorter.
    size = f"min-width:min({width}em,{len(text)}ch);max-width:{width}em"
    if lines <= 1:
        return format_html(
            '<span class="bo-truncated" style="{}" title="{}">{}</span>', size, text, text
        )
    return format_html(
        '<span class="bo-truncated bo-lines" style="{};-webkit-line-clamp:{}" title="{}">{}</span>',
        size,
        lines,
        text,
        text,
    )


def badge(kind: str, value: str, label: object, colour: str, *, attribute: str = "state") -> str:
    """A coloured pill with white words: an order's status, a command's state, a SKU's binding
    or suggestion. ``kind`` is its class (the stylesheet keeps a badge's words on one line but
    in a list's column), ``value`` the machine value in ``data-<attribute>`` for pages and tests
    to find it by, ``label`` the words the operator reads."""
    return format_html(
        '<span class="{}" data-{}="{}" style="background:{};color:#fff;padding:2px 8px;'
        'border-radius:10px">{}</span>',
        kind,
        attribute,
        value,
        colour,
        label,
    )
