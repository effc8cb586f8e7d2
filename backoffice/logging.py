"""Log filters of the back office (``LOGGING`` in settings)."""

from __future__ import annotations

import logging
import re

# A query parameter's value in a logged request line: ``?q=52998224725&status=handling``.
QUERY_VALUE = re.compile(r"([?&][^=&\s]*=)[^&\s]*")


def mask_query_values(text: str) -> str:
    """``GET /admin/orders/order/?q=***&status=*** HTTP/1.1``: the parameters' names stay."""
    return QUERY_VALUE.sub(r"\1***", text)


class MaskQueryValues(logging.Filter):
    """The access log names a request's parameters, not their values: an operator searching
    the order list for a customer's CPF or e-mail (``?q=...``) or filtering by one must not
    leave it in the log (LGPD)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                mask_query_values(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        if isinstance(record.msg, str) and "?" in record.msg:
            record.msg = mask_query_values(record.msg)
        return True
