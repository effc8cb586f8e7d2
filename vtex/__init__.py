"""VTEX HTTP client: plain Python, never imports Django."""

from vtex.client import MAX_FEED_LOT, MAX_LIST_PAGES, VtexClient
from vtex.config import VtexConfig
from vtex.errors import (
    VtexAuthError,
    VtexError,
    VtexNotFound,
    VtexRateLimited,
    VtexRejected,
    VtexTransientError,
)
from vtex.order_ref import OrderRef
from vtex.process import rate_limit_pause

__all__ = [
    "MAX_FEED_LOT",
    "MAX_LIST_PAGES",
    "OrderRef",
    "VtexAuthError",
    "VtexClient",
    "VtexConfig",
    "VtexError",
    "VtexNotFound",
    "VtexRateLimited",
    "VtexRejected",
    "VtexTransientError",
    "rate_limit_pause",
]
