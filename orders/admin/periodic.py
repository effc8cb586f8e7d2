"""django-celery-beat's admin in the operator's language.

The project's catalog (``locale/``) translates django-celery-beat's marked strings; this module
covers what it leaves unmarked or English (the task name's filter, the crontab's description)
and the tasks this back office declares (each app's ``periodic.py``, synced by ``core.beat``),
which keep their English names as their identity and are shown translated, with one schedule
column whose title is translated too.
"""

from __future__ import annotations

from typing import Any

from cron_descriptor import ExpressionDescriptor, Options
from django.contrib import admin
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django_celery_beat.admin import CrontabScheduleAdmin, PeriodicTaskAdmin
from django_celery_beat.models import CrontabSchedule, PeriodicTask

# cron-descriptor's catalogs for the admin's languages (it has European Portuguese).
CRON_LOCALES = {"pt-br": "pt_PT", "en": "en_US"}

admin.site.unregister(PeriodicTask)
admin.site.unregister(CrontabSchedule)


class TaskNameFilter(admin.AllValuesFieldListFilter):
    """The filter by Celery task, titled in the operator's language (the field's verbose name
    is not marked for translation)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.title = _("task name")


@admin.register(PeriodicTask)
class DeclaredPeriodicTaskAdmin(PeriodicTaskAdmin):
    list_display = ("name_display", "enabled", "schedule_display", "last_run_at", "one_off")
    list_filter = ("enabled", "one_off", ("task", TaskNameFilter), "start_time", "last_run_at")

    @admin.display(description=_("name"), ordering="name")
    def name_display(self, task: PeriodicTask) -> str:
        # The declared names are in the catalogs (gettext_noop in each app's periodic.py).
        return gettext(task.name)

    @admin.display(description=_("schedule"))
    def schedule_display(self, task: PeriodicTask) -> str:
        return str(task.scheduler or "—")


@admin.register(CrontabSchedule)
class TranslatedCrontabScheduleAdmin(CrontabScheduleAdmin):
    list_display = ("__str__", "readable")
    fields = (
        "readable",
        "minute",
        "hour",
        "day_of_month",
        "month_of_year",
        "day_of_week",
        "timezone",
    )
    readonly_fields = ("readable",)

    @admin.display(description=_("in words"))
    def readable(self, crontab: CrontabSchedule) -> str:
        """The schedule in the operator's language (django-celery-beat's own description,
        ``human_readable``, is always English)."""
        options = Options()
        options.locale_code = CRON_LOCALES.get(get_language() or "", "en_US")
        options.use_24hour_time_format = True
        expression = " ".join(
            (
                crontab.minute,
                crontab.hour,
                crontab.day_of_month,
                crontab.month_of_year,
                crontab.day_of_week,
            )
        )
        try:
            return ExpressionDescriptor(expression, options).get_description()
        except Exception:  # an expression cron-descriptor cannot read: celery-beat's words
            return crontab.human_readable
