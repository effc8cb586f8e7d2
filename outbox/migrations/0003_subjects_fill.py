"""The outbox on its own (2/3): every command's order becomes its subject, and every command's
failed attempts its failure count. Every row is kept."""

from django.db import migrations, models

FAILED = "failed"


def subjects_fill(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    VtexCommand = apps.get_model("outbox", "VtexCommand")
    CommandAttempt = apps.get_model("outbox", "CommandAttempt")
    order_type, _ = ContentType.objects.get_or_create(app_label="orders", model="order")
    VtexCommand.objects.update(subject_type=order_type, subject_id=models.F("order_id"))
    failures = (
        CommandAttempt.objects.filter(command=models.OuterRef("pk"), outcome=FAILED)
        .order_by()
        .values("command")
        .annotate(count=models.Count("pk"))
        .values("count")
    )
    VtexCommand.objects.update(failures=models.functions.Coalesce(models.Subquery(failures), 0))


def orders_fill(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    VtexCommand = apps.get_model("outbox", "VtexCommand")
    order_type = ContentType.objects.get(app_label="orders", model="order")
    if VtexCommand.objects.exclude(subject_type=order_type).exists():
        raise RuntimeError("commands of other subjects than orders cannot go back")
    VtexCommand.objects.update(order_id=models.F("subject_id"))


class Migration(migrations.Migration):
    dependencies = [("outbox", "0002_subjects")]

    operations = [migrations.RunPython(subjects_fill, orders_fill)]
