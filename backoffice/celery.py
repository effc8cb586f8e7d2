"""Celery application of the back office.

The workers are started with ``celery -A backoffice worker --queues=...`` (tasks are routed
to the feed, outbox and imports queues by name: ``CELERY_TASK_ROUTES`` in settings) and beat
with ``celery -A backoffice beat``; beat reads its schedule from the database
(django-celery-beat), so operators can see and pause periodic tasks in the admin, and
schedules only while it holds the lease of ``backoffice/beat.py``.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")

app = Celery("backoffice")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
