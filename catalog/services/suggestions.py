"""Suggesting SKUs to the marketplace and following its decision.

A suggestion is built from the SKU as it is when asked for, after checking what VTEX
requires: a SKU that lacks something is not sent, and the operator reads which fields by
name. The marketplace approves or denies a suggestion on its own time; VTEX then removes it,
so a read of the suggestion that finds nothing is followed by a change notification whose
answer tells which (``catalog.services.outbox``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import command_kinds as kinds
from catalog.models import Binding, Sku, SkuSuggestion, SuggestionState
from catalog.selectors import sku_available, sku_latest_suggestion, skus_awaiting_decision
from catalog.suggestion_payload import suggestion_payload, suggestion_problems
from core.refusals import ActionRefused
from outbox.enqueue import command_enqueue, command_key
from outbox.models import OPEN_STATES, VtexCommand


@dataclass(frozen=True)
class SuggestionQueued:
    sku: Sku
    suggestion: SkuSuggestion
    # False: a suggestion of the SKU was already waiting to go out.
    created: bool


def suggestion_refusal(sku: Sku) -> str | None:
    """Why the SKU cannot be suggested now (None: it can); the admin's button and the
    service share it."""
    if not sku.active:
        return _("The SKU is inactive: activate it before suggesting it.")
    if sku.binding == Binding.BOUND:
        return _("The marketplace already binds this SKU: notify a change instead.")
    problems = suggestion_problems(sku)
    if problems:
        return _("Not sent to the marketplace: %(problems)s.") % {"problems": "; ".join(problems)}
    return None


def _queue(*, sku: Sku, user: User | None, source: str) -> SuggestionQueued:
    """The suggestion as a draft and its command (the caller checked the SKU, inside its
    transaction with the SKU locked)."""
    latest = sku_latest_suggestion(sku=sku)
    if latest is not None and latest.state == SuggestionState.DRAFT:
        return SuggestionQueued(sku=sku, suggestion=latest, created=False)
    payload = suggestion_payload(
        sku=sku, seller_id=settings.VTEX_SELLER_ID, available=sku_available(sku=sku)
    )
    suggestion = SkuSuggestion.objects.create(
        sku=sku, payload=payload, state=SuggestionState.DRAFT, requested_by=user
    )
    command_enqueue(
        subject=sku,
        kind=kinds.Suggestion.kind,
        key=command_key("sku", sku.sku_id, kinds.Suggestion.kind, str(suggestion.pk)),
        payload={
            "seller_id": settings.VTEX_SELLER_ID,
            "sku_id": sku.sku_id,
            "suggestion_id": suggestion.pk,
            "suggestion": payload,
        },
        requested_by=user,
        source=source,
    )
    return SuggestionQueued(sku=sku, suggestion=suggestion, created=True)


def suggestion_send(
    *, sku: Sku, user: User | None = None, source: str
) -> SuggestionQueued:
    """The operator's "send suggestion": refused (``ActionRefused``, naming every missing
    field) when the SKU cannot be suggested; nothing is written or sent then."""
    with transaction.atomic():
        sku = Sku.objects.select_for_update().get(pk=sku.pk)
        refusal = suggestion_refusal(sku)
        if refusal is not None:
            raise ActionRefused(refusal)
        return _queue(sku=sku, user=user, source=source)


def suggestion_after_not_found(*, sku: Sku, source: str) -> SkuSuggestion | None:
    """The marketplace answered a change notification with 404: suggest the SKU.

    A SKU that lacks what VTEX requires is not sent: the refusal is kept as a failed
    suggestion naming what is missing (once, while it stays the same), for the SKU page. A
    denied SKU waits for an operator. Runs in the caller's transaction with the SKU locked.
    """
    if sku.binding == Binding.DENIED:
        return None
    latest = sku_latest_suggestion(sku=sku)
    if latest is not None and latest.state in (SuggestionState.DRAFT, SuggestionState.SENT):
        return latest
    refusal = suggestion_refusal(sku)
    if refusal is None:
        return _queue(sku=sku, user=None, source=source).suggestion
    if (
        latest is not None
        and latest.state == SuggestionState.FAILED
        and latest.last_error == refusal
    ):
        return latest
    return SkuSuggestion.objects.create(
        sku=sku, state=SuggestionState.FAILED, last_error=refusal, decided_at=timezone.now()
    )


def suggestion_check_refusal(latest: SkuSuggestion | None) -> str | None:
    """Why the operator cannot ask whether the marketplace decided the SKU's ``latest``
    suggestion now (None: they can): only a sent one waits for a decision. The SKU page's
    button and the service share it."""
    if latest is None or latest.state != SuggestionState.SENT:
        return _("No suggestion of this SKU is waiting for the marketplace.")
    return None


def suggestion_check(
    *, sku: Sku, user: User | None = None, source: str
) -> tuple[SkuSuggestion, bool]:
    """Ask the marketplace whether it decided the SKU's suggestion; (suggestion, created).
    Refused when no suggestion of the SKU is waiting for a decision."""
    with transaction.atomic():
        sku = Sku.objects.select_for_update().get(pk=sku.pk)
        suggestion = sku_latest_suggestion(sku=sku)
        refusal = suggestion_check_refusal(suggestion)
        if refusal is not None:
            raise ActionRefused(refusal)
        if suggestion is None:
            raise RuntimeError("suggestion_check_refusal let through a SKU never suggested")
        waiting = VtexCommand.objects.filter(
            subject_type=ContentType.objects.get_for_model(Sku),
            subject_id=sku.pk,
            kind=kinds.SuggestionCheck.kind,
            state__in=OPEN_STATES,
        ).exists()
        if waiting:
            return suggestion, False
        command_enqueue(
            subject=sku,
            kind=kinds.SuggestionCheck.kind,
            key=command_key(
                "sku",
                sku.sku_id,
                kinds.SuggestionCheck.kind,
                str(suggestion.pk),
                timezone.now().strftime("%Y%m%dT%H%M%S.%f"),
            ),
            payload={
                "seller_id": settings.VTEX_SELLER_ID,
                "sku_id": sku.sku_id,
                "suggestion_id": suggestion.pk,
            },
            requested_by=user,
            source=source,
        )
        return suggestion, True


def suggestions_check(*, source: str, limit: int = 500) -> int:
    """Check every suggestion waiting for the marketplace's decision (beat); how many checks
    were queued."""
    queued = 0
    for sku in skus_awaiting_decision().order_by("pk")[:limit]:
        _suggestion, created = suggestion_check(sku=sku, source=source)
        queued += created
    return queued
