"""The admin toolkit (core/admin_*.py) as the operators meet it on every app's pages: each
operation of both tables (orders, catalog) answers only the users its permissions allow, and
every admin of what the back office records stays read-only, superusers included."""

import pytest
from django.contrib import admin
from django.urls import reverse

from catalog.operations import OPERATIONS as SKU_OPERATIONS
from core.admin_operations import Operation
from core.admin_permissions import ReadOnlyAdminMixin
from orders.operations.table import OPERATIONS as ORDER_OPERATIONS
from outbox.models import VtexCommand
from tests.catalog.factories import SkuFactory
from tests.orders.factories import OrderFactory

pytestmark = pytest.mark.django_db

TABLES = [
    *(("order", operation) for operation in ORDER_OPERATIONS.values()),
    *(("sku", operation) for operation in SKU_OPERATIONS.values()),
]


def operation_url(kind: str, operation: Operation) -> str:
    record = OrderFactory(status="ready-for-handling") if kind == "order" else SkuFactory()
    app = "orders" if kind == "order" else "catalog"
    name = operation.name.replace("-", "_")
    return reverse(f"admin:{app}_{kind}_op_{name}", args=[record.pk])


def open_operation(client, operation: Operation, url: str):
    # A one-click operation is a POST; one with a form opens with a GET.
    return client.post(url) if operation.one_click else client.get(url)


@pytest.mark.parametrize(
    ("kind", "operation"), TABLES, ids=lambda value: getattr(value, "name", value)
)
def test_a_viewer_is_refused_every_operation_and_nothing_is_queued(login, client, kind, operation):
    login("Viewer")

    assert open_operation(client, operation, operation_url(kind, operation)).status_code == 403
    assert not VtexCommand.objects.exists()


@pytest.mark.parametrize(
    ("kind", "operation"), TABLES, ids=lambda value: getattr(value, "name", value)
)
def test_the_operations_group_reaches_what_its_permissions_allow(login, client, kind, operation):
    user = login("Operations")

    response = open_operation(client, operation, operation_url(kind, operation))

    # Allowed: the form, or back to the record's page with what was queued or why not.
    expected = {200, 302} if operation.allowed_to(user) else {403}
    assert response.status_code in expected


def test_every_admin_of_what_is_recorded_is_read_only_even_for_a_superuser(admin_client):
    read_only = sorted(
        f"{model._meta.app_label}.{model._meta.model_name}"
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, ReadOnlyAdminMixin)
    )

    assert read_only == [
        "catalog.skuchangenotification",
        "catalog.skusuggestion",
        "imports.importbatch",
        "orders.invoice",
        "orders.order",
        "orders.orderevent",
        "outbox.vtexcommand",
    ]
    for name in read_only:
        app_label, model_name = name.split(".")
        assert admin_client.get(reverse(f"admin:{app_label}_{model_name}_add")).status_code == 403
