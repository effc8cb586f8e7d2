"""Dispatching a Celery task by its name, from any floor.

The Celery app lives in ``backoffice.celery``, the top floor; the apps below it never import
it. The app is Celery's current one as soon as Django's settings package is loaded
(``backoffice/__init__.py``), so a task is sent through ``current_app`` by the name it was
registered under, and eager runs (tests, ``CELERY_TASK_ALWAYS_EAGER``) still find it.
"""

from __future__ import annotations

from typing import Any

from celery import current_app


def task_dispatch(name: str, *, kwargs: dict[str, Any]) -> None:
    """Send the task registered as ``name`` with ``kwargs`` to the broker (or run it, eager)."""
    current_app.signature(name, kwargs=kwargs).delay()
