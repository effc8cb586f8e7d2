"""Where else customer data could leak (docs/personal-data.md): the admin's autocomplete and
history, and the logs at DEBUG level through an order's whole life, hook included."""

import logging

import pytest
from django.urls import reverse

from tests.orders.factories import OrderFactory
from tests.orders.operations import (
    mirrored_orders,
    refresh_then_invoice_with_lost_answer,
)

pytestmark = pytest.mark.django_db

AUTOCOMPLETE = reverse("admin:autocomplete")


def autocomplete(client, term: str) -> list[str]:
    # Audit events point at orders: their "order" field is an autocomplete source.
    response = client.get(
        AUTOCOMPLETE,
        {"app_label": "orders", "model_name": "orderevent", "field_name": "order", "term": term},
    )
    assert response.status_code == 200
    return [result["text"] for result in response.json()["results"]]


@pytest.mark.parametrize(
    ("group", "finds"), [("Viewer", False), ("Finance", True), ("Operations", True)]
)
def test_autocomplete_finds_customers_only_for_who_may_see_them(login, client, group, finds):
    order = OrderFactory(customer_email="joana.silva@example.com", customer_document="52998224725")
    login(group)
    for term in ("joana.silva@example.com", "52998224725"):
        assert autocomplete(client, term) == ([order.vtex_order_id] if finds else []), term
    assert autocomplete(client, order.vtex_order_id) == [order.vtex_order_id]


def test_order_history_page_shows_no_customer_data(login, client):
    order = OrderFactory(customer_email="joana.silva@example.com", customer_document="52998224725")
    login("Viewer")
    page = client.get(reverse("admin:orders_order_history", args=[order.pk])).content.decode()
    assert "joana.silva" not in page and "52998224725" not in page


def test_debug_logs_of_an_order_life_carry_no_customer_data(
    vtex_store, settings, client, caplog, django_capture_on_commit_callbacks
):
    """Import, refresh, an invoice with its NF-e XML whose answer is lost (retried after a
    re-read), and a hook notification, all logged at DEBUG: no personal value in any line."""
    settings.ORDERS_HOOK_SECRET = "a-shared-secret-of-some-length"
    caplog.set_level(logging.DEBUG)
    [order] = mirrored_orders(vtex_store, 1, status="handling")
    document = vtex_store.order(order.vtex_order_id)["order"]
    profile = document["clientProfileData"]
    address = document["shippingData"]["address"]
    secrets = {
        "e-mail": profile["email"],
        "document": profile["document"],
        "phone": profile["phone"],
        "first name": profile["firstName"],
        "last name": profile["lastName"],
        "street": address["street"],
        "postal code": address["postalCode"],
    }
    xml = f"<nfeProc><dest><CPF>{profile['document']}</CPF></dest></nfeProc>"
    refresh_then_invoice_with_lost_answer(
        vtex_store, order, xml=xml, on_commit=django_capture_on_commit_callbacks
    )
    hook = client.post(
        reverse("orders:order-hook"),
        {"OrderId": order.vtex_order_id, "State": "invoiced"},
        content_type="application/json",
        headers={settings.ORDERS_HOOK_SECRET_HEADER: settings.ORDERS_HOOK_SECRET},
    )
    assert hook.status_code in (200, 503)

    assert any(record.levelno == logging.DEBUG for record in caplog.records)
    logged = caplog.text
    assert order.vtex_order_id in logged
    for name, secret in secrets.items():
        assert secret not in logged, name
