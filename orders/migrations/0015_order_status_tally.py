from django.db import migrations, models

# orders.models.tallies: one appended row per status a statement on orders_order moved.
TRIGGERS = """
CREATE FUNCTION orders_status_tally_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO orders_orderstatustally (status, delta)
    SELECT status, count(*) FROM new_rows GROUP BY status;
    RETURN NULL;
END $$;
CREATE FUNCTION orders_status_tally_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO orders_orderstatustally (status, delta)
    SELECT status, -count(*) FROM old_rows GROUP BY status;
    RETURN NULL;
END $$;
CREATE FUNCTION orders_status_tally_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO orders_orderstatustally (status, delta)
    SELECT status, sum(delta) FROM (
        SELECT status, 1 AS delta FROM new_rows
        UNION ALL SELECT status, -1 AS delta FROM old_rows
    ) AS moved GROUP BY status HAVING sum(delta) <> 0;
    RETURN NULL;
END $$;
CREATE FUNCTION orders_status_tally_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM orders_orderstatustally;
    RETURN NULL;
END $$;
CREATE TRIGGER orders_status_tally_inserted AFTER INSERT ON orders_order
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION orders_status_tally_inserted();
CREATE TRIGGER orders_status_tally_deleted AFTER DELETE ON orders_order
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION orders_status_tally_deleted();
CREATE TRIGGER orders_status_tally_updated AFTER UPDATE ON orders_order
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION orders_status_tally_updated();
CREATE TRIGGER orders_status_tally_truncated AFTER TRUNCATE ON orders_order
    FOR EACH STATEMENT EXECUTE FUNCTION orders_status_tally_truncated();
DELETE FROM orders_orderstatustally;
INSERT INTO orders_orderstatustally (status, delta)
    SELECT status, count(*) FROM orders_order GROUP BY status;
"""
DROP_TRIGGERS = """
DROP TRIGGER orders_status_tally_inserted ON orders_order;
DROP TRIGGER orders_status_tally_deleted ON orders_order;
DROP TRIGGER orders_status_tally_updated ON orders_order;
DROP TRIGGER orders_status_tally_truncated ON orders_order;
DROP FUNCTION orders_status_tally_inserted();
DROP FUNCTION orders_status_tally_deleted();
DROP FUNCTION orders_status_tally_updated();
DROP FUNCTION orders_status_tally_truncated();
"""


def _on_postgresql(sql):
    # SQLite (make run) has no statement triggers with transition tables: its counts are a
    # GROUP BY (orders.selectors.order_status_totals).
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            # No parameters: several statements in one (psycopg's simple query protocol).
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0014_order_delivered_awaiting_delivery"),
    ]

    operations = [
        migrations.CreateModel(
            name="OrderStatusTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("status", models.CharField(max_length=64, verbose_name="status")),
                ("delta", models.BigIntegerField(verbose_name="change in the count")),
            ],
            options={
                "verbose_name": "order status tally",
                "verbose_name_plural": "order status tallies",
            },
        ),
        migrations.RunPython(_on_postgresql(TRIGGERS), _on_postgresql(DROP_TRIGGERS)),
    ]
