"""The one place where Django settings become a VTEX client."""

import os
import threading
from dataclasses import replace
from typing import Any

from django.conf import settings

from vtex import VtexClient, VtexConfig
from vtex.governor import LocalStore, RateGovernor, RedisStore

_governors: dict[tuple, RateGovernor] = {}
_governors_lock = threading.Lock()


def _governors_after_fork() -> None:
    # A forked worker builds its own (its key names its pid); a lock some parent thread
    # held at fork time would never be released in the child.
    global _governors_lock
    _governors_lock = threading.Lock()
    _governors.clear()


os.register_at_fork(after_in_child=_governors_after_fork)


def vtex_config() -> VtexConfig:
    return VtexConfig(
        account_name=settings.VTEX_ACCOUNT_NAME,
        app_key=settings.VTEX_APP_KEY,
        app_token=settings.VTEX_APP_TOKEN,
        environment=settings.VTEX_ENVIRONMENT,
        base_url=settings.VTEX_BASE_URL or None,
        timeout=settings.VTEX_TIMEOUT_SECONDS,
    )


def vtex_governor() -> RateGovernor:
    """This process's rate governor for the configured account (one per process and settings).

    With ``VTEX_RATE_LIMIT_REDIS_URL`` its schedule lives in Redis, shared by every process;
    without it each process keeps 1/``VTEX_RATE_LIMIT_PROCESSES`` of every limit.
    """
    limits = settings.VTEX_RATE_LIMITS
    key = (
        os.getpid(),
        settings.VTEX_ACCOUNT_NAME,
        tuple(sorted((family, limit) for family, limit in limits.items() if limit is not None)),
        settings.VTEX_RATE_LIMIT_REDIS_URL,
        settings.VTEX_RATE_LIMIT_PROCESSES,
        settings.VTEX_RATE_LIMIT_HEADROOM,
    )
    with _governors_lock:
        governor = _governors.get(key)
        if governor is None:
            url = settings.VTEX_RATE_LIMIT_REDIS_URL
            governor = RateGovernor(
                limits,
                store=RedisStore(url) if url else LocalStore(),
                scope=settings.VTEX_ACCOUNT_NAME,
                headroom=settings.VTEX_RATE_LIMIT_HEADROOM,
                processes=settings.VTEX_RATE_LIMIT_PROCESSES,
                divide_local=True,
            )
            _governors.clear()
            _governors[key] = governor
        return governor


def vtex_client(**overrides: Any) -> VtexClient:
    """A client built from the current settings (cheap: the HTTP pool is per process);
    ``overrides`` replace fields of its config (``timeout=3, get_retries=0``)."""
    config = replace(vtex_config(), **overrides) if overrides else vtex_config()
    return VtexClient(config, governor=vtex_governor())
