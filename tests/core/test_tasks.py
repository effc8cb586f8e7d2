"""Tasks are dispatched by name through Celery's current app (core.tasks), from any thread."""

import threading

from celery import current_app

from backoffice.celery import app


def test_every_thread_dispatches_through_the_back_offices_celery_app():
    seen = []
    thread = threading.Thread(target=lambda: seen.append(current_app._get_current_object()))
    thread.start()
    thread.join()
    assert seen == [app]
