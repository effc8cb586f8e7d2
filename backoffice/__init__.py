from .celery import app as celery_app

# Celery's current app is per thread: the thread that imported this module gets it, and any
# other (a threaded web server's request threads) would get Celery's unconfigured fallback.
# The apps below dispatch tasks through the current app (core.tasks), so it is every thread's.
celery_app.set_default()

__all__ = ("celery_app",)
