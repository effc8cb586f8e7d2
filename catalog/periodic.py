"""The catalog's periodic tasks (``core.beat``: declared here, synced after every
``migrate``)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_noop

from catalog import tasks
from core.beat import Every, PeriodicDeclaration

DECLARATIONS: list[PeriodicDeclaration] = [
    PeriodicDeclaration(
        name=gettext_noop("catalog: check SKU suggestions waiting for the marketplace"),
        task=tasks.SUGGESTIONS_CHECK,
        schedule=Every(seconds=settings.CATALOG_SUGGESTION_CHECK_SECONDS),
        description=(
            "Every CATALOG_SUGGESTION_CHECK_SECONDS: ask the marketplace about the SKU "
            "suggestions it has not decided yet; approved ones bind the SKU, denied ones show "
            "on its page."
        ),
        expire_seconds=settings.CATALOG_SUGGESTION_CHECK_SECONDS,
    ),
    PeriodicDeclaration(
        name=gettext_noop("catalog: cancel marketplace orders past their lockTTL"),
        task=tasks.SELLER_ORDERS_EXPIRE,
        schedule=Every(seconds=tasks.SELLER_ORDERS_EXPIRE_SECONDS),
        description=(
            "Every 5 minutes: cancel the marketplace orders still waiting for the "
            "marketplace's authorization once their lockTTL has passed since the placement, "
            "releasing the units they held."
        ),
        expire_seconds=tasks.SELLER_ORDERS_EXPIRE_SECONDS,
    ),
]
