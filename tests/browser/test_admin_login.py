import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from tests.fixtures.groups import operator_group

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_login_page_is_in_portuguese_and_logs_in(page, live_server, admin_login):
    page.goto(f"{live_server.url}/admin/login/")
    assert "Usuário" in page.inner_text("body")

    admin_login()

    assert "Back office VTEX" in page.title()
    assert page.locator("#user-tools").inner_text().upper().startswith("BEM-VINDO")


def test_wrong_password_gets_a_message_and_no_session(page, live_server, django_user_model):
    django_user_model.objects.create_superuser("ana", "ana@example.com", "right password 123")
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "ana")
    page.fill("#id_password", "wrong")
    page.click("input[type=submit]")
    assert page.locator(".errornote").is_visible()
    assert "/admin/login/" in page.url


def test_a_user_the_admin_adds_to_operations_logs_in(page, live_server, admin_login):
    for name in ("Operations", "Finance", "Viewer"):
        operator_group(name)
    admin_login()
    page.goto(f"{live_server.url}/admin/auth/user/add/")
    page.fill("#id_username", "maria")
    page.fill("#id_password1", "senha boa de verdade 42")
    page.fill("#id_password2", "senha boa de verdade 42")
    with page.expect_navigation():
        page.click("input[name=_save]")
    # The user's page: Operations chosen in the groups' picker, "staff" left unticked.
    expect(page.locator("#id_is_staff")).not_to_be_checked()
    page.select_option("#id_groups_from", label="Operações")
    page.click("#id_groups_add")
    with page.expect_navigation():
        page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("maria")
    maria = User.objects.get(username="maria")
    assert maria.is_staff and not maria.is_superuser
    assert [group.name for group in maria.groups.all()] == ["Operations"]

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "maria")
    page.fill("#id_password", "senha boa de verdade 42")
    with page.expect_navigation():
        page.click("input[type=submit]")
    assert page.url == f"{live_server.url}/admin/"
    expect(page.locator("#user-tools")).to_contain_text("maria")


def test_the_right_password_of_an_account_without_access_is_told_so(
    page, live_server, django_user_model
):
    django_user_model.objects.create_user("joao", "joao@example.com", "senha certa 123")

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "joao")
    page.fill("#id_password", "senha certa 123")
    page.click("input[type=submit]")

    expect(page.locator(".errornote")).to_contain_text(
        "Esta conta ainda não tem acesso ao back office: um administrador a inclui em um grupo"
    )
    assert "/admin/login/" in page.url
    # A wrong password says nothing of the account.
    page.fill("#id_password", "senha errada")
    page.click("input[type=submit]")
    expect(page.locator(".errornote")).not_to_contain_text("não tem acesso")
    expect(page.locator(".errornote")).to_contain_text("senha")
