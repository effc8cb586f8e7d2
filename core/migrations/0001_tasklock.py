"""The task lock, moved here from the orders app without touching a row.

State only: the table stays ``orders_tasklock``; orders/0013 removes the model from the
orders app's state and moves its content type and permissions.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("orders", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="TaskLock",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=100, unique=True, verbose_name="name")),
                        ("owner", models.CharField(max_length=100, verbose_name="owner")),
                        ("acquired_at", models.DateTimeField(verbose_name="acquired at")),
                        ("expires_at", models.DateTimeField(verbose_name="expires at")),
                    ],
                    options={
                        "db_table": "orders_tasklock",
                        "verbose_name": "task lock",
                        "verbose_name_plural": "task locks",
                    },
                ),
            ],
        ),
    ]
