"""Start-up configuration: what an engineer deploying the back office sees."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def django_check(**env_overrides: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("VTEX_", "DJANGO_"))
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_nothing_configured_runs_on_the_sandbox_store():
    result = django_check()
    assert result.returncode == 0, result.stderr


def test_half_configured_vtex_stops_the_start_naming_what_is_missing():
    result = django_check(VTEX_ACCOUNT_NAME="mystore", VTEX_APP_KEY="vtexappkey-mystore-X")
    assert result.returncode != 0
    assert "VTEX is half-configured: set VTEX_APP_TOKEN" in result.stderr
    assert "vtexappkey-mystore-X" not in result.stderr


def test_an_unknown_order_changes_api_stops_the_start():
    result = django_check(VTEX_ORDER_CHANGES_API="v2")
    assert result.returncode != 0
    assert "VTEX_ORDER_CHANGES_API must be 'modifications' or 'legacy', not 'v2'" in result.stderr
    assert django_check(VTEX_ORDER_CHANGES_API="legacy").returncode == 0


def test_production_requires_a_secret_key():
    result = django_check(DJANGO_ENV="production")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_requires_vtex_credentials():
    result = django_check(
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="x" * 60,
        DJANGO_ALLOWED_HOSTS="backoffice.example.com",
    )
    assert result.returncode != 0
    assert "VTEX_ACCOUNT_NAME, VTEX_APP_KEY, VTEX_APP_TOKEN" in result.stderr


def test_production_settings_pass_the_deployment_checklist():
    env = {
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": "k3y-" + "x9Z" * 20,
        "DJANGO_ALLOWED_HOSTS": "backoffice.example.com",
        "VTEX_ACCOUNT_NAME": "mystore",
        "VTEX_APP_KEY": "key",
        "VTEX_APP_TOKEN": "token",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if not k.startswith(("VTEX_", "DJANGO_"))},
             **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
