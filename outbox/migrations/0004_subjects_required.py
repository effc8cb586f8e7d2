"""The outbox on its own (3/3): the subject columns required, indexed and constrained under the
outbox's names; the order column gone; kinds and sources are what the apps register."""

import django.db.models.deletion
from django.db import migrations, models

import outbox.choices


class Migration(migrations.Migration):
    dependencies = [("outbox", "0003_subjects_fill")]

    operations = [
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
