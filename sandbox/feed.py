"""Orders feed v3: an at-least-once queue with visibility timeout, like the SQS queue behind it.

A GET hands out at most `maxlot` visible messages and hides them for the
visibility timeout; a message that is not committed becomes visible again.
Every delivery gets a fresh handle (SQS receipt handles change per receive);
any handle a message was delivered with commits it. Messages older than the
retention period are dropped, committed or not.
"""

from __future__ import annotations

import base64
import itertools
import json
import uuid
from dataclasses import dataclass

from sandbox.filters import EventFilter

MAX_LOT = 10


@dataclass
class Message:
    number: int
    item: dict
    enqueued: float
    visible_at: float
    deliveries: int = 0


def _b64(data: dict) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class FeedQueue:
    def __init__(
        self,
        *,
        event_filter: EventFilter,
        visibility_timeout: float,
        retention: float,
        account: str,
        app_key: str,
    ):
        self.filter = event_filter
        self.visibility_timeout = visibility_timeout
        self.retention = retention
        self.account = account
        self.app_key = app_key
        self.messages: dict[int, Message] = {}
        self.handles: dict[str, int] = {}
        self._numbers = itertools.count(1)

    def adopt_messages(self, previous: FeedQueue) -> None:
        """Keep another configuration's queued events (VTEX keeps them on reconfiguration)."""
        self.messages = previous.messages
        self.handles = previous.handles
        self._numbers = previous._numbers

    def push(self, item: dict, now: float) -> None:
        number = next(self._numbers)
        self.messages[number] = Message(number=number, item=item, enqueued=now, visible_at=now)

    def _expire(self, now: float) -> None:
        expired = [n for n, m in self.messages.items() if now - m.enqueued >= self.retention]
        for number in expired:
            del self.messages[number]

    def _handle(self, message: Message) -> str:
        # Shaped like VTEX's JWT handles; opaque to clients, unique per delivery.
        header = _b64({"alg": "HS256", "typ": "JWT"})
        payload = _b64(
            {
                "Account": self.account,
                "AppKey": self.app_key,
                "OrderId": message.item["orderId"],
                "MessageId": message.number,
                "Delivery": message.deliveries,
                "Nonce": uuid.uuid4().hex,
            }
        )
        return f"{header}.{payload}.{uuid.uuid4().hex}"

    def receive(self, max_lot: int, now: float) -> list[dict]:
        self._expire(now)
        batch: list[dict] = []
        for message in self.messages.values():
            if len(batch) == max_lot:
                break
            if message.visible_at > now:
                continue
            message.deliveries += 1
            message.visible_at = now + self.visibility_timeout
            handle = self._handle(message)
            self.handles[handle] = message.number
            batch.append({**message.item, "handle": handle})
        return batch

    def commit(self, handles: list[str]) -> int:
        committed = 0
        for handle in handles:
            number = self.handles.pop(handle, None)
            if number is not None and self.messages.pop(number, None) is not None:
                committed += 1
        if committed:
            live = set(self.messages)
            self.handles = {h: n for h, n in self.handles.items() if n in live}
        return committed

    def describe(self, now: float) -> dict:
        self._expire(now)
        oldest = min((m.enqueued for m in self.messages.values()), default=None)
        return {
            "filter": self.filter.raw,
            "queue": {
                "visibilityTimeoutInSeconds": self.visibility_timeout,
                "MessageRetentionPeriodInSeconds": self.retention,
            },
            "quantity": len(self.messages),
            "approximateAgeOfOldestMessageInSeconds": (
                round(now - oldest, 3) if oldest is not None else 0.0
            ),
        }
