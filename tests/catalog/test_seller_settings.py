"""The seller endpoints' credentials as an engineer configures them."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRINT = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SELLER_APP_KEY, s.SELLER_APP_TOKEN)"
)


def settings_of(**env_overrides: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("VTEX_", "DJANGO_", "SELLER_"))
    }
    env.update(DJANGO_SETTINGS_MODULE="backoffice.settings", **env_overrides)
    return subprocess.run(
        [sys.executable, "-c", PRINT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_sandbox_mode_takes_the_sandboxs_credentials():
    result = settings_of()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["sandbox-appkey", "sandbox-apptoken"]


def test_a_real_store_without_seller_credentials_refuses_every_marketplace_call():
    store = {"VTEX_ACCOUNT_NAME": "loja", "VTEX_APP_KEY": "k", "VTEX_APP_TOKEN": "t"}
    result = settings_of(**store)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
    result = settings_of(**store, SELLER_APP_KEY="mkp-key", SELLER_APP_TOKEN="mkp-token")
    assert result.stdout.split() == ["mkp-key", "mkp-token"]


def test_half_configured_seller_credentials_stop_the_start():
    result = settings_of(SELLER_APP_KEY="mkp-key-secret")
    assert result.returncode != 0
    assert "Set both SELLER_APP_KEY and SELLER_APP_TOKEN, or neither." in result.stderr
    assert "mkp-key-secret" not in result.stderr
