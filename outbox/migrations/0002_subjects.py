"""The outbox on its own (1/3): its tables renamed, and the columns that tie a command to any
subject (an order today, a SKU next) and count its failures, still optional. The rows are
filled by 0003 and the columns made required by 0004: PostgreSQL cannot alter a table in the
transaction that updated its rows, so data and schema go in separate migrations.
"""

import django.db.models.deletion
from django.db import migrations, models


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
    ]
