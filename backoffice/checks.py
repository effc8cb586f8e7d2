"""System checks of the deployment (``manage.py check --deploy``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, register

VTEX_BASE_URL_NOT_HTTPS = "backoffice.E001"


@register(Tags.security, deploy=True)
def vtex_base_url_is_https(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """In production, every VTEX call carries the store's AppKey and AppToken: a
    ``VTEX_BASE_URL`` other than https:// would send them, and customers' data, in clear."""
    base_url = settings.VTEX_BASE_URL
    if not settings.PRODUCTION or not base_url:
        return []
    parts = urlsplit(base_url)
    if parts.scheme == "https" and parts.hostname:
        return []
    return [
        Error(
            "VTEX_BASE_URL must be an https:// address in production: every VTEX call "
            "carries the store's AppKey and AppToken.",
            hint="Set VTEX_BASE_URL to an https:// URL, or leave it empty for VTEX's own hosts.",
            id=VTEX_BASE_URL_NOT_HTTPS,
        )
    ]
