"""The orders' periodic tasks (``core.beat``: declared here, synced after every
``migrate``)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from core.beat import Crontab, Every, PeriodicDeclaration
from orders import tasks

DECLARATIONS: list[PeriodicDeclaration] = [
    PeriodicDeclaration(
        name=gettext_noop("orders: drain the VTEX orders feed"),
        task=tasks.FEED_DRAIN,
        schedule=Every(seconds=60),
        description="Every minute: read the VTEX feed until it is empty and mirror the orders.",
        expire_seconds=60,
    ),
    PeriodicDeclaration(
        name=gettext_noop("orders: reconcile stale orders"),
        task=tasks.ORDERS_RECONCILE,
        schedule=Every(seconds=3600),
        description=(
            "Hourly: re-read orders not in a final status that have not changed for "
            "ORDERS_RECONCILE_AFTER_HOURS hours."
        ),
        expire_seconds=3600,
    ),
    PeriodicDeclaration(
        name=gettext_noop("orders: nightly backfill of recent orders"),
        task=tasks.ORDERS_BACKFILL_RECENT,
        schedule=Crontab(minute="30", hour="3"),
        description=(
            "Nightly at 03:30 (São Paulo): re-read every order created in the last "
            "ORDERS_BACKFILL_NIGHTLY_DAYS days."
        ),
        expire_seconds=6 * 3600,
    ),
]
