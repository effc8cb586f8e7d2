"""Who may call the seller endpoints: the marketplace, with the AppKey and AppToken set in
``SELLER_APP_KEY`` and ``SELLER_APP_TOKEN``, sent as ``X-VTEX-API-AppKey`` and
``X-VTEX-API-AppToken`` or as ``authorization: VTEX key=... token=...`` (order placement).
Both are compared in constant time; nothing of what was sent is logged."""

from __future__ import annotations

import hmac
import re

from django.conf import settings
from django.http import HttpRequest

# `VTEX key=K token=T`, the values optionally quoted and the pair optionally comma-separated.
AUTHORIZATION = re.compile(
    r'\A\s*VTEX\s+key="?(?P<key>[^",\s]+)"?\s*,?\s*token="?(?P<token>[^",\s]+)"?\s*\Z',
    re.IGNORECASE,
)


def credentials_sent(request: HttpRequest) -> tuple[str, str]:
    """The (app key, app token) the request carries; empty strings when it carries none."""
    key = request.headers.get("X-VTEX-API-AppKey", "")
    token = request.headers.get("X-VTEX-API-AppToken", "")
    if key and token:
        return key, token
    match = AUTHORIZATION.match(request.headers.get("Authorization", ""))
    if match:
        return match["key"], match["token"]
    return "", ""


def marketplace_authenticated(request: HttpRequest) -> bool:
    expected_key, expected_token = settings.SELLER_APP_KEY, settings.SELLER_APP_TOKEN
    if not expected_key or not expected_token:
        return False
    key, token = credentials_sent(request)
    # Both compared whatever the first says: the time taken tells nothing.
    key_ok = hmac.compare_digest(key.encode(), expected_key.encode())
    token_ok = hmac.compare_digest(token.encode(), expected_token.encode())
    return key_ok and token_ok
