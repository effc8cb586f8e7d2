"""Playwright driving the system Chromium (Debian's package) against Django's live server."""

import os
import shutil

import pytest

from backoffice.celery import app as celery_app
from core.actor import Actor
from orders.models import Order
from orders.services.mirror import order_sync
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
def eager_delivery(monkeypatch):
    # The live server delivers the outbox inline after its commit, as a worker would.
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


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


# --- The order page's operations box, as an operator of the Operations group uses it ----------


@pytest.fixture
def box(page, live_server, admin_login, vtex_sandbox, eager_delivery):
    admin_login("operadora", group="Operations")
    return OperationsBox(page, live_server.url, vtex_sandbox)


class OperationsBox:
    """The order page's operations box as an operator uses it."""

    def __init__(self, page, url, sandbox):
        self.page = page
        self.url = url
        self.sandbox = sandbox

    def orders(self, count, status, *, units=1):
        """Orders created in the sandbox in ``status`` (with at least ``units`` units each)
        and imported into the mirror."""
        found = []
        while len(found) < count:
            [order_id] = self.sandbox.create_orders(1, status=status)
            items = self.sandbox.order(order_id)["order"]["items"]
            if sum(item["quantity"] for item in items) >= units:
                order_sync(vtex_order_id=order_id, source=Actor.FEED)
                found.append(Order.objects.get(vtex_order_id=order_id))
        return found

    def open(self, order):
        self.page.goto(f"{self.url}/admin/orders/order/{order.pk}/change/")

    def buttons(self):
        return self.page.locator("#order-operations [data-operation]").evaluate_all(
            "buttons => buttons.map(button => button.dataset.operation)"
        )

    def click(self, name):
        """Click a button of the box; one-click buttons come back to the order page."""
        with self.page.expect_navigation() as navigation:
            self.page.locator(f'#order-operations [data-operation="{name}"]').click()
        assert navigation.value.status == 200, (name, navigation.value.status)

    def submit(self, **fields):
        """Fill the operation's form (fields by name) and send it."""
        for name, value in fields.items():
            field = self.page.locator(f'#content-main [name="{name}"]')
            if field.evaluate("field => field.tagName") == "SELECT":
                field.select_option(value)
            elif value is True:
                field.check()
            else:
                field.fill(value)
        with self.page.expect_navigation() as navigation:
            self.page.locator("#content-main input[type=submit]:not([name=confirm])").click()
        assert navigation.value.status == 200, navigation.value.status

    def confirm(self):
        """Confirm the change VTEX previewed (the order change's second step)."""
        assert self.page.locator("#change-preview").count() == 1, self.page.inner_text("#content")
        with self.page.expect_navigation() as navigation:
            self.page.locator("#content-main input[name=confirm]").click()
        assert navigation.value.status == 200, navigation.value.status

    def run(self, order, name, queued, **fields):
        """Click ``name``, send its form with ``fields`` (none: one click; an order change is
        previewed, then confirmed), and see "<queued> na fila para: <order>" on the order
        page."""
        self.click(name)
        if fields:
            self.submit(**fields)
            if self.page.locator("#change-preview").count():
                self.confirm()
        assert f"{queued} na fila para: {order.vtex_order_id}" in self.messages()

    def messages(self):
        found = self.page.locator(".messagelist")
        return found.inner_text() if found.count() else ""

    def vtex(self, order):
        return self.sandbox.order(order.vtex_order_id)

    def status(self, order):
        order.refresh_from_db()
        return order.status
