"""The outbox on its own: its tables renamed, commands tied to any subject (an order today, a
SKU next) instead of an order only, and a counter of failures. Every row is kept: each
command's order becomes its subject, each command's failed attempts its failure count.
"""

import django.db.models.deletion
from django.db import migrations, models

import outbox.choices

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
    dependencies = [
        ("outbox", "0001_initial"),
        ("orders", "0006_outbox_moved"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelTable(name="vtexcommand", table=None),
        migrations.AlterModelTable(name="commandattempt", table=None),
        migrations.AlterModelTable(name="deliverypause", table=None),
        migrations.AddField(
            model_name="vtexcommand",
            name="failures",
            field=models.PositiveIntegerField(default=0, verbose_name="failures"),
        ),
        migrations.AddField(
            model_name="vtexcommand",
            name="subject_type",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contenttypes.contenttype",
                verbose_name="subject type",
            ),
        ),
        migrations.AddField(
            model_name="vtexcommand",
            name="subject_id",
            field=models.PositiveBigIntegerField(null=True, verbose_name="subject id"),
        ),
        migrations.RunPython(subjects_fill, orders_fill),
        migrations.AlterField(
            model_name="vtexcommand",
            name="subject_type",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contenttypes.contenttype",
                verbose_name="subject type",
            ),
        ),
        migrations.AlterField(
            model_name="vtexcommand",
            name="subject_id",
            field=models.PositiveBigIntegerField(verbose_name="subject id"),
        ),
        migrations.RemoveIndex(model_name="vtexcommand", name="orders_cmd_order_state_idx"),
        migrations.RenameIndex(
            model_name="vtexcommand", new_name="outbox_cmd_due_idx", old_name="orders_cmd_due_idx"
        ),
        migrations.AddIndex(
            model_name="vtexcommand",
            index=models.Index(
                fields=["subject_type", "subject_id", "state"], name="outbox_cmd_subject_idx"
            ),
        ),
        migrations.RemoveConstraint(model_name="vtexcommand", name="orders_vtexcommand_key_unique"),
        migrations.AddConstraint(
            model_name="vtexcommand",
            constraint=models.UniqueConstraint(fields=("key",), name="outbox_vtexcommand_key_unique"),
        ),
        migrations.RemoveConstraint(
            model_name="vtexcommand", name="orders_vtexcommand_marketplace_has_endpoint"
        ),
        migrations.AddConstraint(
            model_name="vtexcommand",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("target", "marketplace"), _negated=True),
                    models.Q(("target_endpoint", ""), _negated=True),
                    _connector="OR",
                ),
                name="outbox_vtexcommand_marketplace_has_endpoint",
            ),
        ),
        migrations.RemoveField(model_name="vtexcommand", name="order"),
        migrations.AlterField(
            model_name="vtexcommand",
            name="kind",
            field=models.CharField(
                choices=outbox.choices.kind_choices, max_length=32, verbose_name="kind"
            ),
        ),
        migrations.AlterField(
            model_name="vtexcommand",
            name="source",
            field=models.CharField(
                choices=outbox.choices.source_choices, max_length=20, verbose_name="source"
            ),
        ),
        migrations.AlterField(
            model_name="vtexcommand",
            name="needs_verification",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "The last attempt may have taken effect in VTEX (timeout, 5xx): "
                    "VTEX is read again before sending again."
                ),
                verbose_name="needs verification",
            ),
        ),
        migrations.AlterModelOptions(
            name="vtexcommand",
            options={
                "ordering": ["-pk"],
                "permissions": [
                    ("retry_vtexcommand", "Can retry a VTEX command now"),
                    ("resolve_vtexcommand", "Can mark a VTEX command resolved"),
                ],
                "verbose_name": "VTEX command",
                "verbose_name_plural": "VTEX commands",
            },
        ),
    ]
