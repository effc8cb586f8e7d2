"""The one place where Django settings become a VTEX client."""

from dataclasses import replace
from typing import Any

from django.conf import settings

from vtex import VtexClient, VtexConfig


def vtex_config() -> VtexConfig:
    return VtexConfig(
        account_name=settings.VTEX_ACCOUNT_NAME,
        app_key=settings.VTEX_APP_KEY,
        app_token=settings.VTEX_APP_TOKEN,
        environment=settings.VTEX_ENVIRONMENT,
        base_url=settings.VTEX_BASE_URL or None,
        timeout=settings.VTEX_TIMEOUT_SECONDS,
    )


def vtex_client(**overrides: Any) -> VtexClient:
    """A client built from the current settings (cheap: the HTTP pool is per process);
    ``overrides`` replace fields of its config (``timeout=3, get_retries=0``)."""
    return VtexClient(replace(vtex_config(), **overrides) if overrides else vtex_config())
