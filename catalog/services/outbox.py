"""What the catalog does when the outbox settles a SKU's commands: with the SKUs locked, each
command's kind applies VTEX's answer (``catalog.command_kinds``: the notification log and the
suggestions take it, and the SKU's binding follows it), and may queue what comes next through
``_FollowUps``. Registered with the outbox in ``CatalogConfig.ready``; runs inside the
transaction that records the batch. What resolving a command by hand stops is its kind's
too (``resolved_by_hand``, called by the outbox)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.command_kinds import SkuCommand
from catalog.models import NotificationKind, Sku, SkuSuggestion
from catalog.services.notifications import sku_notify
from catalog.services.suggestions import suggestion_after_not_found
from core.actor import Actor
from outbox.registry import Settled, Subject, command_type
from vtex import VtexClient


class _FollowUps:
    """What a settled command queues next, for the kinds (``catalog.command_kinds.FollowUps``)."""

    def suggestion_after_not_found(self, sku: Sku) -> SkuSuggestion | None:
        return suggestion_after_not_found(sku=sku, source=Actor.OUTBOX)

    def decided_suggestion_notify(self, sku: Sku) -> None:
        sku_notify(
            sku=sku,
            kind=NotificationKind.CHANGE,
            reason=_("The marketplace decided the suggestion."),
            source=Actor.OUTBOX,
            after_suggestion=True,
        )


class SkuSubject(Subject):
    model = Sku

    def settled(self, settled: Sequence[Settled], *, client: VtexClient) -> None:
        """Each command's kind says what its answer does (``SkuCommand.settled``), in the
        order they were queued, with their SKUs locked; the SKUs' binding is saved once."""
        now = timezone.now()
        follow_ups = _FollowUps()
        locked = Sku.objects.select_for_update().in_bulk(
            sorted({entry.command.subject_id for entry in settled})
        )
        for entry in sorted(settled, key=lambda entry: entry.command.pk):
            sku = locked.get(entry.command.subject_id)
            kind = command_type(entry.command.kind)
            if sku is not None and isinstance(kind, SkuCommand):
                kind.settled(sku, entry, now=now, follow_ups=follow_ups)
        for sku in locked.values():
            # updated_at stays: it tells when the SKU's data changed, not its binding.
            sku.save(update_fields=["binding", "binding_checked_at"])
