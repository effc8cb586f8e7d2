"""The catalog's permissions for the three operator groups (orders/migrations/0003).

Operations: edits SKUs and shipping rules, notifies the marketplace, sends suggestions;
Finance and Viewer: read only. Permissions are created here (they normally appear after the
first ``migrate``).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW = [
    "view_sku",
    "view_skusuggestion",
    "view_skuchangenotification",
    "view_stockreservation",
    "view_shippingrule",
]
GROUPS = {
    "Operations": [
        *VIEW,
        "add_sku",
        "change_sku",
        "notify_sku_change",
        "send_sku_suggestion",
        "add_shippingrule",
        "change_shippingrule",
        "delete_shippingrule",
    ],
    "Finance": VIEW,
    "Viewer": VIEW,
}


def permissions_grant(apps, schema_editor):
    app_config = apps.get_app_config("catalog")
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
            content_type__app_label="catalog", codename__in=codenames
        )
        missing = set(codenames) - {p.codename for p in permissions}
        if missing:
            raise RuntimeError(f"permissions missing for group {name}: {sorted(missing)}")
        group.permissions.add(*permissions)


def permissions_revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="catalog")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("orders", "0003_operations_groups"),
        ("catalog", "0002_sku_product_id_permissions"),
    ]

    operations = [migrations.RunPython(permissions_grant, permissions_revoke)]
