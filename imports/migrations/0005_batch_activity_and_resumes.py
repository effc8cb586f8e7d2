"""A batch's last sign of life (``active_at``, from which the sweeper measures how long it is
stuck) and how many times the sweeper resumed it. A batch recorded before counts from its
last timestamp, not from this migration."""

import django.utils.timezone
from django.db import migrations, models
from django.db.models.functions import Coalesce


def activity_fill(apps, schema_editor):
    ImportBatch = apps.get_model("imports", "ImportBatch")
    ImportBatch.objects.update(
        active_at=Coalesce("finished_at", "confirmed_at", "checked_at", "created_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0004_column_mappings"),
    ]

    operations = [
        migrations.AddField(
            model_name="importbatch",
            name="active_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, verbose_name="last activity at"
            ),
        ),
        migrations.AddField(
            model_name="importbatch",
            name="resumes",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="resumed"),
        ),
        migrations.AlterField(
            model_name="importbatch",
            name="content",
            field=models.BinaryField(blank=True, verbose_name="file content"),
        ),
        migrations.RunPython(activity_fill, migrations.RunPython.noop),
    ]
