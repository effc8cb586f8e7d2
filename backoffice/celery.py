"""Celery application of the back office.

The worker and beat are started with ``celery -A backoffice worker`` and
``celery -A backoffice beat``; beat reads its schedule from the database
(django-celery-beat), so operators can see and pause periodic tasks in the admin.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")

app = Celery("backoffice")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
