"""The SKU import's permission (``catalog.import_sku``), given to the Operations group as
catalog/0003 gives the catalog's others; the EAN's digits and check digit validated."""

import django.core.validators
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

import catalog.models.skus

GROUPS = {"Operations": ["import_sku"], "Finance": [], "Viewer": []}


def permissions_grant(apps, schema_editor):
    app_config = apps.get_app_config("catalog")
    # A migration's app config is a stub without models_module (see catalog/0003).
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        if not codenames:
            continue
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
            *Permission.objects.filter(content_type__app_label="catalog", codename="import_sku")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("catalog", "0004_constraint_messages"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="sku",
            options={
                "ordering": ["sku_id"],
                "permissions": [
                    ("notify_sku_change", "Can notify the marketplace of SKU changes"),
                    ("send_sku_suggestion", "Can send SKU suggestions to the marketplace"),
                    ("import_sku", "Can import SKUs, prices and stock from files"),
                ],
                "verbose_name": "SKU",
                "verbose_name_plural": "SKUs",
            },
        ),
        migrations.AlterField(
            model_name="sku",
            name="ean",
            field=models.CharField(
                blank=True,
                max_length=14,
                validators=[catalog.models.skus.ean_validate],
                verbose_name="EAN",
            ),
        ),
        migrations.AlterField(
            model_name="sku",
            name="stock",
            field=models.PositiveIntegerField(
                default=0,
                validators=[django.core.validators.MaxValueValidator(2147483647)],
                verbose_name="stock",
            ),
        ),
        migrations.RunPython(permissions_grant, permissions_revoke),
    ]
