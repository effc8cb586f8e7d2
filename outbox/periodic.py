"""The outbox's periodic task (``core.beat``: declared here, synced after every
``migrate``)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_noop

from core.beat import Every, PeriodicDeclaration
from outbox.enqueue import SWEEP_TASK

DECLARATIONS: list[PeriodicDeclaration] = [
    # Named "orders: ..." from when the orders app declared it: the name is the row's
    # identity, and a new name would leave the old row sweeping beside the new one.
    PeriodicDeclaration(
        name=gettext_noop("orders: deliver due VTEX commands"),
        task=SWEEP_TASK,
        schedule=Every(seconds=settings.VTEX_COMMAND_SWEEP_SECONDS),
        description=(
            "Every VTEX_COMMAND_SWEEP_SECONDS: hand out the outbox commands that are due "
            "(retries after backoff, lost broker messages) and rescue those stuck in sending."
        ),
        expire_seconds=settings.VTEX_COMMAND_SWEEP_SECONDS,
    ),
]
