"""Every operator group sees the import batches (uploading one needs the kind's own
permission, e.g. orders.invoice_order)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Group -> the codenames it gets (the shape of orders/0003 and catalog/0003).
GROUPS = {name: ("view_importbatch",) for name in ("Operations", "Finance", "Viewer")}


def permissions_grant(apps, schema_editor):
    app_config = apps.get_app_config("imports")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    view = Permission.objects.get(content_type__app_label="imports", codename="view_importbatch")
    for name in GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(view)


def permissions_revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="imports", codename="view_importbatch").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0001_initial"),
        ("orders", "0003_operations_groups"),
    ]

    operations = [migrations.RunPython(permissions_grant, permissions_revoke)]
