"""The imports' periodic task (``core.beat``: declared here, synced after every
``migrate``)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_noop

from core.beat import Every, PeriodicDeclaration
from imports.services import SWEEP_TASK

DECLARATIONS: list[PeriodicDeclaration] = [
    PeriodicDeclaration(
        name=gettext_noop("imports: end or resume stuck import batches"),
        task=SWEEP_TASK,
        schedule=Every(seconds=settings.IMPORTS_SWEEP_SECONDS),
        description=(
            "Every IMPORTS_SWEEP_SECONDS: hand the import batches stuck waiting, checking or "
            "importing (a lost message, a dead worker) to a worker again, or end them failed "
            "with the reason; discard the checked batches nobody confirmed for "
            "IMPORTS_UNCONFIRMED_DAYS days."
        ),
        expire_seconds=settings.IMPORTS_SWEEP_SECONDS,
    ),
]
