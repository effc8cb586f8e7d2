"""The outbox's models now live in the ``outbox`` app (outbox/0001): remove them from this
app's state, and move their content types with them, so every permission and every group
that holds one is kept. The operator permissions (start handling, invoice, ...) were
declared on the command model; they belong to orders and move to ``Order``.
"""

from django.db import migrations

MOVED_MODELS = ("vtexcommand", "commandattempt", "deliverypause")
ORDER_PERMISSIONS = (
    "start_handling_order",
    "invoice_order",
    "track_order",
    "cancel_order",
    "register_order_change",
    "refresh_order",
    "view_customer_pii",
)


def content_types_move(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    order_type, _ = ContentType.objects.get_or_create(app_label="orders", model="order")
    for model in MOVED_MODELS:
        old = ContentType.objects.filter(app_label="orders", model=model).first()
        if old is None:
            continue
        Permission.objects.filter(content_type=old, codename__in=ORDER_PERMISSIONS).update(
            content_type=order_type
        )
        new = ContentType.objects.filter(app_label="outbox", model=model).first()
        if new is None:
            old.app_label = "outbox"
            old.save(update_fields=["app_label"])
            continue
        # Both exist (a post_migrate ran in between): keep the new one, with the old rights.
        for permission in Permission.objects.filter(content_type=old):
            if Permission.objects.filter(content_type=new, codename=permission.codename).exists():
                continue
            permission.content_type = new
            permission.save(update_fields=["content_type"])
        old.delete()


def content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    command_type = ContentType.objects.filter(app_label="outbox", model="vtexcommand").first()
    if command_type is not None:
        Permission.objects.filter(
            content_type__app_label="orders", codename__in=ORDER_PERMISSIONS
        ).update(content_type=command_type)
    ContentType.objects.filter(app_label="outbox", model__in=MOVED_MODELS).update(
        app_label="orders"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0005_mask_embedded_invoice"),
        ("outbox", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(content_types_move, content_types_back),
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="CommandAttempt"),
                migrations.DeleteModel(name="VtexCommand"),
                migrations.DeleteModel(name="DeliveryPause"),
            ],
        ),
        migrations.AlterModelOptions(
            name="order",
            options={
                "ordering": ["-created_at", "-pk"],
                "permissions": [
                    ("start_handling_order", "Can start handling orders"),
                    ("invoice_order", "Can send invoices"),
                    ("track_order", "Can send tracking numbers and events"),
                    ("cancel_order", "Can cancel orders"),
                    ("register_order_change", "Can register order changes"),
                    ("refresh_order", "Can refresh orders from VTEX"),
                    ("view_customer_pii", "Can see customers' full e-mail, document and phone"),
                ],
                "verbose_name": "order",
                "verbose_name_plural": "orders",
            },
        ),
    ]
