"""Trigram indexes for the order list's search inside names and e-mails (PostgreSQL only:
``orders.selectors.order_search`` filters with ``icontains``, which Django writes as
``UPPER(column::text) LIKE UPPER('%word%')``, the expression these indexes hold). SQLite
(``make run``) has no trigram index: its search reads the table, slower, never wrong."""

from django.db import migrations

COLUMNS = {
    "order_first_name_trgm": "customer_first_name",
    "order_last_name_trgm": "customer_last_name",
    "order_email_trgm": "customer_email",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in COLUMNS.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON orders_order "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("orders", "0011_list_indexes_at_scale")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
