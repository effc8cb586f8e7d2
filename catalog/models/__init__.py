"""The seller's catalog as it offers it to a VTEX marketplace: SKUs with price and stock,
their binding at the marketplace and the suggestions that ask for it, the log of change
notifications, the stock held by placed marketplace orders, and the shipping rules the
fulfillment simulation answers from. Money is integer cents."""

from catalog.models.shipping import (
    MAX_BUSINESS_DAYS,
    DeliveryChannel,
    ShippingRule,
    business_days,
    business_days_display,
    business_days_estimate,
)
from catalog.models.skus import (
    Binding,
    NotificationKind,
    NotificationOutcome,
    Sku,
    SkuChangeNotification,
    SkuSuggestion,
    StockReservation,
    SuggestionState,
)

__all__ = [
    "MAX_BUSINESS_DAYS",
    "Binding",
    "DeliveryChannel",
    "NotificationKind",
    "NotificationOutcome",
    "ShippingRule",
    "Sku",
    "SkuChangeNotification",
    "SkuSuggestion",
    "StockReservation",
    "SuggestionState",
    "business_days",
    "business_days_display",
    "business_days_estimate",
]
