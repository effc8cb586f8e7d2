"""The operator groups' permissions are declared in code (each app's ``group_permissions``)
and given by ``migrate``: a fresh database has them, and a permission added to a declaration
reaches the group at the next ``migrate``."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import call_command

from core.groups import OPERATOR_GROUPS, PermissionMissing


def declared() -> dict[str, set[str]]:
    """Group -> every ``app.codename`` the installed apps declare for it."""
    grants: dict[str, set[str]] = {name: set() for name in OPERATOR_GROUPS}
    for app_config in apps.get_app_configs():
        for group, codenames in getattr(app_config, "group_permissions", {}).items():
            grants[group] |= {f"{app_config.label}.{codename}" for codename in codenames}
    return grants


def held(name: str) -> set[str]:
    return {
        f"{app}.{codename}"
        for app, codename in Group.objects.get(name=name).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


@pytest.mark.django_db
def test_a_fresh_migrate_gives_every_group_what_its_apps_declare():
    # pytest-django's test database was built by `migrate`.
    grants = declared()
    for name in OPERATOR_GROUPS:
        assert held(name) == grants[name], name
    assert "orders.invoice_order" in grants["Finance"]
    assert "orders.view_customer_pii" not in grants["Viewer"]
    assert "outbox.retry_vtexcommand" in grants["Operations"]
    assert "catalog.import_sku" in grants["Operations"]


@pytest.mark.django_db
def test_a_permission_added_to_a_declaration_is_given_at_the_next_migrate(monkeypatch):
    orders = apps.get_app_config("orders")
    assert "orders.view_orderchange" not in held("Viewer")
    grants = dict(orders.group_permissions)
    grants["Viewer"] = (*grants["Viewer"], "view_orderchange")
    monkeypatch.setattr(orders, "group_permissions", grants, raising=False)

    call_command("migrate", verbosity=0)

    assert "orders.view_orderchange" in held("Viewer")
    assert "orders.view_orderchange" not in held("Finance")


@pytest.mark.django_db
def test_a_declared_permission_that_does_not_exist_stops_the_migrate(monkeypatch):
    catalog = apps.get_app_config("catalog")
    grants = {**catalog.group_permissions, "Finance": ("view_sku", "view_skus")}
    monkeypatch.setattr(catalog, "group_permissions", grants, raising=False)

    with pytest.raises(PermissionMissing, match=r"catalog .* Finance .*: view_skus"):
        call_command("migrate", verbosity=0)
