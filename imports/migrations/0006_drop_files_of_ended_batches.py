"""Batches that ended before batches dropped their file (FINAL_STATUSES) still held the ERP's
whole file, its CPF, e-mail, phone and address columns among them: emptied here, as a batch
empties it when it ends (docs/personal-data.md). Their rows, counts and refused cells (the
kind's columns only) stay."""

from django.db import migrations

ENDED = ["imported", "nothing-imported", "discarded", "failed"]


def files_drop(apps, schema_editor):
    ImportBatch = apps.get_model("imports", "ImportBatch")
    ImportBatch.objects.filter(status__in=ENDED).update(content=b"")


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0005_batch_activity_and_resumes"),
    ]

    operations = [
        # The files are gone for good: going back leaves them empty.
        migrations.RunPython(files_drop, migrations.RunPython.noop),
    ]
