"""The task lock now lives in the ``core`` app (core/0001): remove it from this app's state,
and move its content type with it, so its permissions (and any group holding one) are kept."""

from django.db import migrations


def content_type_move(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    old = ContentType.objects.filter(app_label="orders", model="tasklock").first()
    if old is None:
        return
    new = ContentType.objects.filter(app_label="core", model="tasklock").first()
    if new is None:
        old.app_label = "core"
        old.save(update_fields=["app_label"])
        return
    # Both exist (a post_migrate ran in between): keep the new one, with the old rights.
    for permission in Permission.objects.filter(content_type=old):
        if not Permission.objects.filter(content_type=new, codename=permission.codename).exists():
            permission.content_type = new
            permission.save(update_fields=["content_type"])
    old.delete()


def content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="orders", model="tasklock").exists():
        ContentType.objects.filter(app_label="core", model="tasklock").update(app_label="orders")


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0012_order_search_trigram_indexes"),
        ("core", "0001_tasklock"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(content_type_move, content_type_back),
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="TaskLock")],
        ),
    ]
