"""Mask the NF-e XML (packageAttachment.packages[].embeddedInvoice) in stored VTEX documents.

The XML names the customer (CPF, name, address); the mirror masked every other personal
value of the raw document but kept this one. New documents are masked on import
(orders.documents.PERSONAL_KEYS); this rewrites the rows already stored. Only rows that
mention the key are read, in chunks, so a large table is not loaded at once.
"""

from django.db import migrations

MASK = "***"
CHUNK = 500


def _mask_packages(document):
    packages = (document.get("packageAttachment") or {}).get("packages") or []
    changed = False
    for package in packages:
        if isinstance(package, dict) and package.get("embeddedInvoice") not in (None, "", MASK):
            package["embeddedInvoice"] = MASK
            changed = True
    return changed


def mask_embedded_invoices(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    candidates = Order.objects.filter(raw_document__icontains="embeddedInvoice").only(
        "pk", "raw_document"
    )
    changed = []
    for order in candidates.iterator(chunk_size=CHUNK):
        if isinstance(order.raw_document, dict) and _mask_packages(order.raw_document):
            changed.append(order)
        if len(changed) >= CHUNK:
            Order.objects.bulk_update(changed, ["raw_document"])
            changed = []
    if changed:
        Order.objects.bulk_update(changed, ["raw_document"])


class Migration(migrations.Migration):
    dependencies = [("orders", "0004_order_reconciled_at")]

    # The XML is gone for good: there is nothing to restore on the way back.
    operations = [migrations.RunPython(mask_embedded_invoices, migrations.RunPython.noop)]
