"""State shared by every VTEX client of a process: the pooled session and the 429 pause.

VTEX limits requests per account and asks integrators to stop everything after a 429, so the
pause belongs to the process, not to one client object. Celery's prefork pool forks workers
after import: a forked child must neither reuse its parent's pooled sockets nor inherit a
lock some parent thread held at fork time.
"""

from __future__ import annotations

import os
import threading
import time

import requests
from requests.adapters import HTTPAdapter

# Enough connections for a threaded worker; urllib3 retries are off because the client owns
# the retry policy (only GETs are retried, and 429s pause instead).
POOL_SIZE = 20

_session: requests.Session | None = None
_session_pid: int | None = None
_session_lock = threading.Lock()


def process_session() -> requests.Session:
    """The process's pooled session, created anew when the process id has changed (fork)."""
    global _session, _session_pid
    pid = os.getpid()
    if _session is None or _session_pid != pid:
        with _session_lock:
            if _session is None or _session_pid != pid:
                _session = _new_session()
                _session_pid = pid
    return _session


def _new_session() -> requests.Session:
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=POOL_SIZE, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    # Environment proxies and .netrc credentials have no business on calls to VTEX.
    session.trust_env = False
    return session


class RateLimitPause:
    """Monotonic deadline before which no client of this process may call VTEX."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._until = 0.0

    def extend(self, seconds: float) -> None:
        with self._lock:
            self._until = max(self._until, time.monotonic() + seconds)

    def remaining(self) -> float:
        with self._lock:
            return max(0.0, self._until - time.monotonic())

    def clear(self) -> None:
        with self._lock:
            self._until = 0.0

    def _after_fork(self) -> None:
        self._lock = threading.Lock()


rate_limit_pause = RateLimitPause()


def _reinit_locks_in_child() -> None:
    global _session_lock
    _session_lock = threading.Lock()
    rate_limit_pause._after_fork()


os.register_at_fork(after_in_child=_reinit_locks_in_child)
