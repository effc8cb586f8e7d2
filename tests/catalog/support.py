"""Helpers of the catalog tests (fixtures: ``vtex_store``, ``login`` in tests/conftest.py)."""

from __future__ import annotations

import time

from django.db import transaction

from catalog.models import Sku
from catalog.services.skus import sku_save
from core.actor import Actor
from outbox.delivery import commands_deliver
from outbox.models import OPEN_STATES, VtexCommand
from sandbox.control import SandboxControl
from tests.contract.openapi import validate_request

SELLER_ID = "1"
# The SKU Bindings route of the change notification, naming the seller and its SKU.
CHANGE = f"/api/sku-binding/pvt/skuseller/changenotification/{SELLER_ID}/"


def deliver_all(*, timeout: float = 20.0) -> None:
    """Deliver the outbox, and what its answers queue, until nothing is left to send."""
    deadline = time.monotonic() + timeout
    while VtexCommand.objects.filter(state__in=OPEN_STATES).exists():
        if time.monotonic() > deadline:
            left = list(VtexCommand.objects.filter(state__in=OPEN_STATES).values("key", "state"))
            raise AssertionError(f"commands still open after {timeout}s: {left}")
        if not commands_deliver():
            time.sleep(0.01)


def saved(sku: Sku) -> Sku:
    """``sku`` saved the way the admin's form saves it (notifications queued)."""
    with transaction.atomic():
        sku_save(sku=sku, source=Actor.ADMIN)
    return sku


def suggestions_received(store: SandboxControl, sku: Sku) -> list[dict]:
    """The Suggestions API PUTs the sandbox received for ``sku``, each checked against the
    spec (``SaveSuggestion``)."""
    calls = store.calls(method="PUT", path_contains=f"/suggestions/{SELLER_ID}/{sku.sku_id}")
    for call in calls:
        validate_request("PUT", call["path"], call["body"], api="suggestions")
    return calls
