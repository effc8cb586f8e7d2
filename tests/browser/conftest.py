"""Playwright driving the system Chromium (Debian's package) against Django's live server."""

import os
import shutil

import pytest

from tests.conftest import service_missing
from tests.fixtures.groups import operator_group

# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# tests make around it are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not path:
        service_missing("Chromium not found: apt-get install chromium, or set CHROMIUM_PATH")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="pt-BR")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def admin_login(page, live_server, django_user_model):
    """Log a user in through the admin login form: a fresh superuser, or with ``group`` a
    staff user of that operator group (Operations, Finance, Viewer)."""

    def login(
        username: str = "ops-admin",
        password: str = "correct horse battery",
        *,
        group: str | None = None,
    ) -> None:
        if not django_user_model.objects.filter(username=username).exists():
            if group is None:
                django_user_model.objects.create_superuser(
                    username, f"{username}@example.com", password
                )
            else:
                user = django_user_model.objects.create_user(
                    username, f"{username}@example.com", password, is_staff=True
                )
                user.groups.add(operator_group(group))
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("input[type=submit]")
        page.wait_for_url(f"{live_server.url}/admin/")

    return login
