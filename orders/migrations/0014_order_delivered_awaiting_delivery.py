from django.db import migrations, models

# Orders with a delivered sales invoice, from the mirror's invoices (the sync keeps the column
# current from then on).
DELIVERED_FROM_INVOICES = """
UPDATE orders_order SET delivered = TRUE
WHERE EXISTS (
    SELECT 1 FROM orders_invoice
    WHERE orders_invoice.order_id = orders_order.id
      AND orders_invoice.type = 'Output' AND orders_invoice.delivered
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0013_tasklock_moved_to_core"),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="delivered",
            field=models.BooleanField(default=False, verbose_name="delivered"),
        ),
        migrations.RunSQL(DELIVERED_FROM_INVOICES, reverse_sql=migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(
                    ("delivered", False),
                    models.Q(("status__in", ("cancel", "canceled", "replaced")), _negated=True),
                ),
                fields=["estimated_delivery_at"],
                include=["id"],
                name="order_awaiting_delivery_idx",
            ),
        ),
    ]
