"""Tracking events happen on a day: ``TrackingEvent.occurred_at`` becomes a date.

The import read a plain ``YYYY-MM-DD`` (what carriers and operators send) as midnight UTC,
which the admin showed as the evening before in Brazil. Rows stored that way (midnight UTC)
keep their day; a real moment (VTEX's ``createDate``) becomes its day in the back office's
time zone, as the import now reads it. A column is added, filled and renamed rather than
altered: SQLite would copy the datetimes as text that no longer reads as a date.
"""

from datetime import UTC, datetime, time

from django.db import migrations, models
from django.utils import timezone

CHUNK = 500


def day_of(moment):
    moment = moment.astimezone(UTC)
    if moment.time() == time(0):
        return moment.date()
    return moment.astimezone(timezone.get_default_timezone()).date()


def to_days(apps, schema_editor):
    TrackingEvent = apps.get_model("orders", "TrackingEvent")
    changed = []
    for event in TrackingEvent.objects.exclude(occurred_at=None).iterator(chunk_size=CHUNK):
        event.occurred_on = day_of(event.occurred_at)
        changed.append(event)
        if len(changed) >= CHUNK:
            TrackingEvent.objects.bulk_update(changed, ["occurred_on"])
            changed = []
    TrackingEvent.objects.bulk_update(changed, ["occurred_on"])


def to_moments(apps, schema_editor):
    TrackingEvent = apps.get_model("orders", "TrackingEvent")
    changed = []
    for event in TrackingEvent.objects.exclude(occurred_on=None).iterator(chunk_size=CHUNK):
        event.occurred_at = datetime.combine(event.occurred_on, time(0), tzinfo=UTC)
        changed.append(event)
        if len(changed) >= CHUNK:
            TrackingEvent.objects.bulk_update(changed, ["occurred_at"])
            changed = []
    TrackingEvent.objects.bulk_update(changed, ["occurred_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0006_outbox_moved"),
    ]

    operations = [
        migrations.AddField(
            model_name="trackingevent",
            name="occurred_on",
            field=models.DateField(blank=True, null=True, verbose_name="date"),
        ),
        migrations.RunPython(to_days, to_moments, elidable=False),
        migrations.RemoveField(model_name="trackingevent", name="occurred_at"),
        migrations.RenameField(
            model_name="trackingevent", old_name="occurred_on", new_name="occurred_at"
        ),
    ]
