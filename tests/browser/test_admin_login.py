import pytest

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
