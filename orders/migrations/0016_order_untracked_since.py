from django.db import migrations, models

# orders.models.order.untracked_since, from the mirror's invoices (the sync and the marketplace
# services keep the column current from then on). Only the orders with an untracked sales
# invoice are written: a few among a million.
UNTRACKED_SINCE_FROM_INVOICES = """
UPDATE orders_order SET untracked_since = COALESCE(
    (
        SELECT MIN(orders_invoice.issued_at) FROM orders_invoice
        WHERE orders_invoice.order_id = orders_order.id
          AND orders_invoice.type = 'Output' AND orders_invoice.tracking_number = ''
    ),
    orders_order.invoiced_at,
    orders_order.created_at
)
WHERE EXISTS (
    SELECT 1 FROM orders_invoice
    WHERE orders_invoice.order_id = orders_order.id
      AND orders_invoice.type = 'Output' AND orders_invoice.tracking_number = ''
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0015_order_status_tally"),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="untracked_since",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="waiting for tracking since"
            ),
        ),
        migrations.RunSQL(UNTRACKED_SINCE_FROM_INVOICES, reverse_sql=migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(
                    ("untracked_since__isnull", False),
                    models.Q(("status__in", ("cancel", "canceled", "replaced")), _negated=True),
                ),
                fields=["untracked_since"],
                include=("id",),
                name="order_awaiting_tracking_idx",
            ),
        ),
    ]
