"""The three operator groups and their permissions.

Operations: every action; Finance: invoices and tracking; Viewer: read only, customers'
e-mail, document and phone masked (no ``view_customer_pii``). Every group sees the orders
app. Permissions are created here (they normally appear after the first ``migrate``).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW = [
    "view_order",
    "view_orderitem",
    "view_orderevent",
    "view_invoice",
    "view_invoiceitem",
    "view_trackingevent",
    "view_vtexcommand",
    "view_commandattempt",
]
GROUPS = {
    "Operations": [
        *VIEW,
        "start_handling_order",
        "invoice_order",
        "track_order",
        "cancel_order",
        "register_order_change",
        "refresh_order",
        "retry_vtexcommand",
        "resolve_vtexcommand",
        "view_customer_pii",
    ],
    "Finance": [*VIEW, "invoice_order", "track_order", "view_customer_pii"],
    "Viewer": VIEW,
}


def groups_create(apps, schema_editor):
    app_config = apps.get_app_config("orders")
    # A migration's app config is a stub without models_module, which create_permissions
    # reads only to skip apps that have no models.
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(
            content_type__app_label="orders", codename__in=codenames
        )
        missing = set(codenames) - {p.codename for p in permissions}
        if missing:
            raise RuntimeError(f"permissions missing for group {name}: {sorted(missing)}")
        group.permissions.add(*permissions)


def groups_delete(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("orders", "0002_outbox"),
    ]

    operations = [migrations.RunPython(groups_create, groups_delete)]
