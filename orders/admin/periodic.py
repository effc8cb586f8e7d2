"""django-celery-beat's periodic tasks in the operator's language: the tasks this back office
declares (``orders.periodic``) keep their English names as their identity, and the list shows
them translated, with one schedule column whose title is translated too."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_celery_beat.admin import PeriodicTaskAdmin
from django_celery_beat.models import PeriodicTask

admin.site.unregister(PeriodicTask)


@admin.register(PeriodicTask)
class DeclaredPeriodicTaskAdmin(PeriodicTaskAdmin):
    list_display = ("name_display", "enabled", "schedule_display", "last_run_at", "one_off")

    @admin.display(description=_("name"), ordering="name")
    def name_display(self, task: PeriodicTask) -> str:
        # The declared names are in the catalog (gettext_noop in orders/periodic.py).
        return gettext(task.name)

    @admin.display(description=_("schedule"))
    def schedule_display(self, task: PeriodicTask) -> str:
        return str(task.scheduler or "—")
