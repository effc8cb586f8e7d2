"""Hook (push) notifications: VTEX POSTs order events to a configured URL.

Saving a hook config pings the URL with `{"hookConfig": "ping"}` and fails unless
it answers 200. Notifications go out from one background thread (so no request
or store lock ever waits on the hook endpoint), with the configured headers, a
5 s budget per attempt and a few retries with geometric back-off, as VTEX does.
Every attempt is recorded for `GET /_sandbox/hook/deliveries`.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
from dataclasses import dataclass, field

import requests

from sandbox.clock import utcnow, vtex_datetime
from sandbox.filters import EventFilter

HOOK_TIMEOUT = 5.0
HOOK_ATTEMPTS = 3
HOOK_BACKOFF = 0.2


@dataclass
class HookConfig:
    event_filter: EventFilter
    url: str
    headers: dict[str, str] = field(default_factory=dict)

    def describe(self) -> dict:
        return {"filter": self.event_filter.raw, "hook": {"url": self.url, "headers": self.headers}}


def ping(url: str, headers: dict[str, str]) -> tuple[bool, str]:
    """POST VTEX's ping; (accepted, explanation)."""
    try:
        response = requests.post(
            url, json={"hookConfig": "ping"}, headers=headers, timeout=HOOK_TIMEOUT
        )
    except requests.RequestException as error:
        return False, f"Unable to check address: {type(error).__name__}"
    if response.status_code != 200:
        return False, f"Unable to check address: ping answered {response.status_code}"
    return True, "ok"


class HookDispatcher:
    def __init__(self):
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.generation = 0
        self.deliveries: deque[dict] = deque(maxlen=10_000)

    def reset(self) -> None:
        """Forget pending notifications of the previous store and the delivery log."""
        self.generation += 1
        self.deliveries.clear()

    def notify(self, config: HookConfig, body: dict) -> None:
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="sandbox-hook", daemon=True)
                self._thread.start()
        self._queue.put((self.generation, config.url, dict(config.headers), body))

    def _run(self) -> None:
        session = requests.Session()
        while True:
            generation, url, headers, body = self._queue.get()
            try:
                if generation == self.generation:
                    self._deliver(session, generation, url, headers, body)
            finally:
                self._queue.task_done()

    def _deliver(self, session, generation, url, headers, body) -> None:
        for attempt in range(1, HOOK_ATTEMPTS + 1):
            record = {
                "at": vtex_datetime(utcnow()),
                "url": url,
                "body": body,
                "attempt": attempt,
                "status": None,
                "error": None,
            }
            try:
                response = session.post(url, json=body, headers=headers, timeout=HOOK_TIMEOUT)
                record["status"] = response.status_code
            except requests.RequestException as error:
                record["error"] = type(error).__name__
            if generation != self.generation:
                return
            self.deliveries.append(record)
            if record["status"] == 200:
                return
            time.sleep(HOOK_BACKOFF * 2 ** (attempt - 1))
