"""What the orders app does when the outbox settles an order's commands: the audit rows,
and reading the orders again from VTEX, which applies workflow changes asynchronously (the
mirror follows VTEX, never a guess). Registered with the outbox in ``OrdersConfig.ready``."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet

from core.actor import Actor
from orders.command_kinds import OrderCommand, command_order
from orders.models import EventType, Order, OrderEvent
from orders.services.audit import event_record, events_record_many
from orders.services.changes import order_changes_follow
from orders.services.marketplace import marketplace_commands_applied
from orders.services.mirror import orders_import
from orders.services.sync import fetch_pool, order_documents_fetch
from outbox.models import CommandState, CommandTarget, VtexCommand
from outbox.records import Outcome
from outbox.registry import Settled, Subject, command_type
from vtex import VtexClient, VtexError

logger = logging.getLogger(__name__)


class OrderSubject(Subject):
    model = Order

    def queryset(self) -> QuerySet[Order]:
        # Sending needs the ids; the stored VTEX document is large.
        return Order.objects.defer("raw_document")

    def settled(self, settled: Sequence[Settled], *, client: VtexClient) -> None:
        """Audit each settled command of a batch, in one INSERT; the orders a marketplace
        placed follow what their succeeded commands did (nothing reads them from VTEX)."""
        marketplace_commands_applied(
            commands=[
                entry.command
                for entry in settled
                if entry.command.target == CommandTarget.MARKETPLACE
                and entry.command.state == CommandState.SUCCEEDED
            ]
        )
        events = []
        for entry in settled:
            command = entry.command
            base = {"command": command.key, "kind": command.kind}
            _kind(command).settled(entry)
            if command.state == CommandState.SUCCEEDED:
                already = entry.result.outcome == Outcome.ALREADY_APPLIED
                events.append(
                    OrderEvent(
                        order_id=command.subject_id,
                        type=EventType.COMMAND_SENT,
                        source=Actor.OUTBOX,
                        receipt=command.receipt,
                        payload={**base, "verified_by_reread": already},
                    )
                )
            else:
                events.append(
                    OrderEvent(
                        order_id=command.subject_id,
                        type=EventType.COMMAND_REJECTED,
                        source=Actor.OUTBOX,
                        payload={
                            **base,
                            "state": command.state,
                            "code": command.last_error_code,
                            "message": command.last_error_message,
                        },
                    )
                )
        events_record_many(events=events)

    def after_settled(self, settled: Sequence[Settled], *, client: VtexClient) -> None:
        """Mirror what VTEX says now of the orders whose writes settled at the store (after
        a rejection too: the mirror was probably behind VTEX). One read per order, and one
        batched upsert; the feed brings the later changes."""
        documents: dict[str, dict[str, Any]] = {}
        to_read: list[str] = []
        # Orders whose changes may have moved in VTEX: their change history is read too.
        changing: set[str] = set()
        for entry in settled:
            command = entry.command
            if command.target != CommandTarget.STORE:
                continue
            vtex_order_id = command_order(command).vtex_order_id
            kind = _kind(command)
            if kind.follows_changes:
                changing.add(vtex_order_id)
            document = kind.order_document(entry)
            if document is not None:
                documents[vtex_order_id] = document
            elif kind.reread_after(entry):
                to_read.append(vtex_order_id)
        to_read = [order_id for order_id in dict.fromkeys(to_read) if order_id not in documents]
        if to_read:
            with fetch_pool() as pool:
                for vtex_order_id, fetched in order_documents_fetch(
                    client=client, order_ids=to_read, pool=pool
                ):
                    if isinstance(fetched, VtexError):
                        logger.info(
                            "order %s: re-read after delivery failed: %s", vtex_order_id, fetched
                        )
                    else:
                        documents[vtex_order_id] = fetched
        if changing:
            order_changes_follow(vtex_order_ids=changing, client=client)
        if documents:
            orders_import(documents=list(documents.values()), source=Actor.OUTBOX)

    def operator_acted(
        self, command: VtexCommand, *, user: User, action: str, details: dict
    ) -> None:
        # (What a command resolved by hand undoes is its kind's: ``resolved_by_hand``.)
        event_record(
            order=command_order(command),
            type=EventType.NOTE if action == "command-resolved" else EventType.ACTION_REQUESTED,
            source=Actor.ADMIN,
            actor_user=user,
            payload={"action": action, "command": command.key, **details},
        )


def _kind(command: VtexCommand) -> OrderCommand:
    kind = command_type(command.kind)
    if not isinstance(kind, OrderCommand):
        raise LookupError(f"{command.kind!r} is not an order's command")
    return kind
