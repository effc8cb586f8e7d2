"""Settings of the back office, read from the environment (django-environ).

``DJANGO_ENV`` picks the profile: ``development`` (default) runs on one machine
with nothing installed (SQLite file, filesystem Celery broker, the sandbox VTEX
store on 127.0.0.1:$SANDBOX_PORT, 8001 by default); ``production`` requires a secret
key, allowed hosts and complete VTEX credentials, and turns on every HTTPS protection.
Every setting is documented in ``.env.example``.
"""

import sys
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from vtex.governor import default_limits as _vtex_default_limits
from vtex.governor import parse_limits as _vtex_parse_limits

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"DJANGO_ENV must be 'development' or 'production', not {DJANGO_ENV!r}."
    )
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION)

if PRODUCTION:
    try:
        SECRET_KEY = env.str("DJANGO_SECRET_KEY")
    except ImproperlyConfigured:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_ENV=production."
        ) from None
else:
    SECRET_KEY = env.str(
        "DJANGO_SECRET_KEY", default="development-only-key-never-used-in-production"
    )

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_ENV=production.")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "backoffice.admin_site.BackofficeAdminConfig",  # django.contrib.admin, our site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_celery_beat",
    "import_export",
    "backoffice",
    "core",
    "outbox",
    "imports",
    "orders",
    "catalog",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "backoffice.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "backoffice.wsgi.application"

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
# A persistent connection belongs to its thread. gunicorn's workers and Celery's reuse theirs;
# runserver (make run) starts a thread per request, and each would leave its connection open
# (CONN_MAX_AGE closes a connection at the start of its thread's next request, which never
# comes): a few minutes of traffic used up PostgreSQL's max_connections. Under runserver every
# request closes its connection. docs/deployment.md counts the connections of a deployment.
if sys.argv[1:2] == ["runserver"]:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL compiles a statement it estimates costly (JIT): on the admin's lists at a
    # million orders the compiling took 0.6-1.2 s of statements that run in milliseconds.
    # No statement of the back office runs long enough to win it back.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The worker, beat and web server share the file: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "pt-br"
LANGUAGES = [("pt-br", _("Brazilian Portuguese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# pt-BR dates with the month in lower case (backoffice/formats/pt_BR/formats.py).
FORMAT_MODULE_PATH = "backoffice.formats"
TIME_ZONE = env.str("TIME_ZONE", default="America/Sao_Paulo")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Security (production turns everything on; check --deploy stays clean) ---
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=PRODUCTION)
# Load balancers and supervisors probe /healthz over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("DJANGO_BEHIND_PROXY", default=False) else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Celery ------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _broker_dir = BASE_DIR / "var" / "celery-broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# The schedule lives in the database (django-celery-beat); the scheduler takes a lease first,
# so a second beat started by mistake schedules nothing (backoffice/beat.py).
CELERY_BEAT_SCHEDULER = "backoffice.beat:SingleBeatScheduler"
# How long a beat's lease lasts without renewal: a standby beat takes over this long after the
# active one died. Beat renews it on every tick (at least every 5 s).
BEAT_LEASE_SECONDS = env.int("BEAT_LEASE_SECONDS", default=60)
if BEAT_LEASE_SECONDS < 15:
    # Shorter than a few of beat's ticks (5 s apart, longer while it sends), the lease would
    # lapse between two renewals and two beats would take turns scheduling.
    raise ImproperlyConfigured("BEAT_LEASE_SECONDS must be at least 15.")
# One queue per kind of work, so each can get its own workers and machines
# (docs/deployment.md): routed by task name, which every app declares as "<app>.<task>".
TASK_QUEUE_FEED = "feed"  # the orders feed, hook syncs, reconciliation, the catalog's checks
TASK_QUEUE_OUTBOX = "outbox"  # deliveries of commands to VTEX and their sweeper
TASK_QUEUE_IMPORTS = "imports"  # big file imports and their sweeper
CELERY_TASK_ROUTES = {
    "orders.*": {"queue": TASK_QUEUE_FEED},
    "catalog.*": {"queue": TASK_QUEUE_FEED},
    "outbox.*": {"queue": TASK_QUEUE_OUTBOX},
    "imports.*": {"queue": TASK_QUEUE_IMPORTS},
}
# No result backend (results are ignored): without this, beat would schedule Celery's daily
# result cleanup on the default queue, which no worker of the deployment consumes.
CELERY_RESULT_EXPIRES = None
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker waits for its broker however long the outage: the default gives up after 100
# reconnection attempts (about 45 minutes) and exits.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# When the broker connection drops, a delivery in flight finishes and records its outcome;
# should its message come back later, the command is no longer due and nothing goes out again.
# Cancelling it (Celery 6's default) would leave the command "sending" until the sweeper
# rescues it after VTEX_COMMAND_STUCK_SECONDS.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False

# --- VTEX ----------------------------------------------------------------------
# With no credentials at all, development talks to the sandbox store that
# `make run` starts on 127.0.0.1:$SANDBOX_PORT (python -m sandbox serve; 8001 by default).
SANDBOX_PORT = env.int("SANDBOX_PORT", default=8001)
SANDBOX_APP_KEY = "sandbox-appkey"
SANDBOX_APP_TOKEN = "sandbox-apptoken"  # noqa: S105 - the sandbox's public default, not a secret
_vtex_required = ("VTEX_ACCOUNT_NAME", "VTEX_APP_KEY", "VTEX_APP_TOKEN")
_vtex_given = [name for name in _vtex_required if env.str(name, default="")]
if _vtex_given or PRODUCTION:
    _missing = [name for name in _vtex_required if name not in _vtex_given]
    if _missing:
        raise ImproperlyConfigured(
            "VTEX is half-configured: set "
            + ", ".join(_missing)
            + " (or unset every VTEX_* variable to use the sandbox store in development)."
        )
    VTEX_ACCOUNT_NAME = env.str("VTEX_ACCOUNT_NAME")
    VTEX_APP_KEY = env.str("VTEX_APP_KEY")
    VTEX_APP_TOKEN = env.str("VTEX_APP_TOKEN")
    VTEX_BASE_URL = env.str("VTEX_BASE_URL", default="")
    VTEX_USES_SANDBOX = False
else:
    VTEX_ACCOUNT_NAME = "sandbox"
    VTEX_APP_KEY = SANDBOX_APP_KEY
    VTEX_APP_TOKEN = SANDBOX_APP_TOKEN
    VTEX_BASE_URL = env.str("VTEX_BASE_URL", default=f"http://127.0.0.1:{SANDBOX_PORT}")
    VTEX_USES_SANDBOX = True
VTEX_ENVIRONMENT = env.str("VTEX_ENVIRONMENT", default="vtexcommercestable")
VTEX_TIMEOUT_SECONDS = env.float("VTEX_TIMEOUT_SECONDS", default=20.0)
# Rate governor (vtex/governor.py): every process together stays below VTEX's limits, by
# resource family. Defaults are VTEX's published figures (orders_read 6,000 a minute, catalog
# 15,000); "family=requests[/seconds]" or "family=off" override them, comma-separated.
VTEX_RATE_LIMITS = {
    **_vtex_default_limits(),
    **_vtex_parse_limits(env.str("VTEX_RATE_LIMITS", default="")),
}
# Where the shared schedule lives: defaults to the broker when it is Redis. Without Redis (or
# while it does not answer) each process keeps 1/VTEX_RATE_LIMIT_PROCESSES of every limit:
# set it to the number of processes that call VTEX (web, worker pool, beat's tasks).
VTEX_RATE_LIMIT_REDIS_URL = env.str(
    "VTEX_RATE_LIMIT_REDIS_URL",
    default=CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else "",
)
VTEX_RATE_LIMIT_PROCESSES = env.int("VTEX_RATE_LIMIT_PROCESSES", default=3)
# Share of each limit the governor uses; the rest absorbs the network's jitter.
VTEX_RATE_LIMIT_HEADROOM = env.float("VTEX_RATE_LIMIT_HEADROOM", default=0.97)

# --- Catalog (the seller side of a VTEX marketplace) ---
# The seller's id at the marketplace (suggestions and price/stock notifications name it);
# "1" is the sandbox marketplace's.
VTEX_SELLER_ID = env.str("VTEX_SELLER_ID", default="1")
# How often beat asks the marketplace about suggestions waiting for its approval.
CATALOG_SUGGESTION_CHECK_SECONDS = env.int("CATALOG_SUGGESTION_CHECK_SECONDS", default=900)
# An edit of a SKU's price or list price moving it by more than this share of its value
# (0.5: 50 %) is saved and sent to the marketplace only once the operator confirms it.
CATALOG_PRICE_CHANGE_CONFIRM_SHARE = env.float("CATALOG_PRICE_CHANGE_CONFIRM_SHARE", default=0.5)
# The credentials a marketplace must send to the seller endpoints (/seller/pvt/...): the AppKey
# and AppToken registered with the seller at the marketplace. Both or neither; with neither the
# endpoints refuse every call, except in sandbox mode, where they take the sandbox's.
SELLER_APP_KEY = env.str("SELLER_APP_KEY", default="")
SELLER_APP_TOKEN = env.str("SELLER_APP_TOKEN", default="")
if bool(SELLER_APP_KEY) != bool(SELLER_APP_TOKEN):
    raise ImproperlyConfigured("Set both SELLER_APP_KEY and SELLER_APP_TOKEN, or neither.")
if not SELLER_APP_KEY and VTEX_USES_SANDBOX:
    SELLER_APP_KEY, SELLER_APP_TOKEN = SANDBOX_APP_KEY, SANDBOX_APP_TOKEN

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # The access log (runserver's request lines) names query parameters, not their values.
    "filters": {"mask_query_values": {"()": "backoffice.logging.MaskQueryValues"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.server": {
            "handlers": ["console"],
            "level": "INFO",
            "propagate": False,
            "filters": ["mask_query_values"],
        },
    },
}

# --- Order operations ---
# Start handling every order imported in ready-for-handling, without an operator.
VTEX_AUTO_START_HANDLING = env.bool("VTEX_AUTO_START_HANDLING", default=False)
# Outbox delivery: capped exponential backoff (with jitter) between attempts of a command.
VTEX_COMMAND_BACKOFF_SECONDS = env.float("VTEX_COMMAND_BACKOFF_SECONDS", default=10.0)
VTEX_COMMAND_BACKOFF_MAX_SECONDS = env.float("VTEX_COMMAND_BACKOFF_MAX_SECONDS", default=900.0)
# Failures that may have reached VTEX (5xx, timeouts) before a command is given up ("dead").
# Attempts that never reached VTEX (connection refused) do not count: an outage loses nothing.
VTEX_COMMAND_MAX_ATTEMPTS = env.int("VTEX_COMMAND_MAX_ATTEMPTS", default=10)
# A command "sending" for longer than this lost its worker: the sweeper retries it, re-reading
# the order first. Keep it well above VTEX_TIMEOUT_SECONDS.
VTEX_COMMAND_STUCK_SECONDS = env.float("VTEX_COMMAND_STUCK_SECONDS", default=300.0)
# How often beat runs the sweeper, and how many commands one sweep hands out.
VTEX_COMMAND_SWEEP_SECONDS = env.int("VTEX_COMMAND_SWEEP_SECONDS", default=30)
VTEX_COMMAND_SWEEP_LIMIT = env.int("VTEX_COMMAND_SWEEP_LIMIT", default=500)
# Commands of a claimed batch a delivery task sends at once (threads that only talk to VTEX;
# 1: one after the other). The rate governor paces them; each needs a pooled HTTP connection.
VTEX_COMMAND_DELIVERY_THREADS = env.int("VTEX_COMMAND_DELIVERY_THREADS", default=8)
if VTEX_COMMAND_DELIVERY_THREADS < 1:
    raise ImproperlyConfigured("VTEX_COMMAND_DELIVERY_THREADS must be 1 or more.")
# Order changes: VTEX's Order Modifications API (preview, then the change), or "legacy" for a
# store still on RegisterChange (deprecated by VTEX on 2026-03-01; no VTEX preview there).
VTEX_ORDER_CHANGES_API = env.str("VTEX_ORDER_CHANGES_API", default="modifications")
if VTEX_ORDER_CHANGES_API not in ("modifications", "legacy"):
    raise ImproperlyConfigured(
        f"VTEX_ORDER_CHANGES_API must be 'modifications' or 'legacy', not "
        f"{VTEX_ORDER_CHANGES_API!r}."
    )

# --- Order import ---
# Workflow statuses the VTEX feed reports (FromWorkflow); empty = every status in orders/status.py.
ORDERS_FEED_STATUSES = env.list("ORDERS_FEED_STATUSES", default=[])
# Feed queue settings sent by `manage.py vtex_feed_configure`. An item read and not committed
# comes back after the visibility timeout; events are dropped after the retention (VTEX: 4-14 d).
ORDERS_FEED_VISIBILITY_TIMEOUT_SECONDS = env.int(
    "ORDERS_FEED_VISIBILITY_TIMEOUT_SECONDS", default=240
)
ORDERS_FEED_RETENTION_SECONDS = env.int("ORDERS_FEED_RETENTION_SECONDS", default=345600)
# How long one drain keeps fetching batches; capped at half the visibility timeout.
ORDERS_FEED_DRAIN_BUDGET_SECONDS = env.int("ORDERS_FEED_DRAIN_BUDGET_SECONDS", default=50)
# A drain batch is this many feed lots (10 items each): its orders are read by the fetch pool
# while the previous batch is written, and written in one transaction.
ORDERS_FEED_LOTS_PER_BATCH = env.int("ORDERS_FEED_LOTS_PER_BATCH", default=4)
# Shared secret VTEX sends in the hook's header (set in the hook config); empty = hook disabled.
ORDERS_HOOK_SECRET = env.str("ORDERS_HOOK_SECRET", default="")
ORDERS_HOOK_SECRET_HEADER = env.str("ORDERS_HOOK_SECRET_HEADER", default="X-Backoffice-Hook-Secret")
if ORDERS_HOOK_SECRET and len(ORDERS_HOOK_SECRET) < 16:
    raise ImproperlyConfigured("ORDERS_HOOK_SECRET must be at least 16 characters long.")
# A hook notification for an order read from VTEX less than this many seconds ago queues its
# sync for that long after the read: a burst of notifications costs one read. (A notification
# of a change the mirror already holds queues nothing at all.)
ORDERS_HOOK_COALESCE_SECONDS = env.int("ORDERS_HOOK_COALESCE_SECONDS", default=10)
# Reconciliation re-reads open orders unchanged for this many hours, at most LIMIT per run.
ORDERS_RECONCILE_AFTER_HOURS = env.int("ORDERS_RECONCILE_AFTER_HOURS", default=6)
ORDERS_RECONCILE_LIMIT = env.int("ORDERS_RECONCILE_LIMIT", default=500)
# The nightly backfill re-reads orders created in the last N days.
ORDERS_BACKFILL_NIGHTLY_DAYS = env.int("ORDERS_BACKFILL_NIGHTLY_DAYS", default=2)
# Backfill and reconcile read this many orders from VTEX at once (threads; writes stay serial).
# Mind VTEX's GetOrder limit of 6,000 requests a minute per account.
ORDERS_SYNC_FETCH_WORKERS = env.int("ORDERS_SYNC_FETCH_WORKERS", default=4)

# --- Operator dashboard and health -----------------------------------------------------------
# How long an order or a command may wait in each queue of the dashboard before it counts as
# late (highlighted there, and flagged "late" in the order list). Hours.
QUEUE_READY_FOR_HANDLING_HOURS = env.float("QUEUE_READY_FOR_HANDLING_HOURS", default=24)
QUEUE_HANDLING_NOT_INVOICED_HOURS = env.float("QUEUE_HANDLING_NOT_INVOICED_HOURS", default=48)
QUEUE_INVOICED_WITHOUT_TRACKING_HOURS = env.float(
    "QUEUE_INVOICED_WITHOUT_TRACKING_HOURS", default=24
)
# Past the estimated delivery date: late from this many hours after it (0: at once).
QUEUE_PAST_DELIVERY_HOURS = env.float("QUEUE_PAST_DELIVERY_HOURS", default=0)
QUEUE_COMMANDS_FAILED_HOURS = env.float("QUEUE_COMMANDS_FAILED_HOURS", default=1)
# Import batches whose rows were refused: late this long after the upload; shown for
# IMPORTS_ATTENTION_DAYS days (older ones stay on the batch list).
QUEUE_IMPORT_REFUSED_HOURS = env.float("QUEUE_IMPORT_REFUSED_HOURS", default=4)
IMPORTS_ATTENTION_DAYS = env.int("IMPORTS_ATTENTION_DAYS", default=7)
# The import is behind (dashboard warning, /healthz non-200) when the orders feed has not been
# drained successfully for this long. Beat drains it every minute.
FEED_STALE_MINUTES = env.float("FEED_STALE_MINUTES", default=10)
# /healthz asks VTEX (a GET of the feed configuration) with this timeout, no retry.
HEALTHZ_VTEX_TIMEOUT_SECONDS = env.float("HEALTHZ_VTEX_TIMEOUT_SECONDS", default=5)
# ...and keeps VTEX's answer this long (anyone may call /healthz; VTEX counts each probe).
HEALTHZ_VTEX_CACHE_SECONDS = env.int("HEALTHZ_VTEX_CACHE_SECONDS", default=30)

# --- File imports (imports app) ---
# A file with more rows than this is checked and imported by a Celery worker (progress on the
# batch page); smaller ones in the request.
IMPORTS_ASYNC_ROWS = env.int("IMPORTS_ASYNC_ROWS", default=2000)
IMPORTS_MAX_FILE_MB = env.int("IMPORTS_MAX_FILE_MB", default=20)
# A file (CSV or XLSX) with more rows than this is refused; the reading stops there.
IMPORTS_MAX_ROWS = env.int("IMPORTS_MAX_ROWS", default=100_000)
# The sweeper (every IMPORTS_SWEEP_SECONDS) hands a batch to a worker again once it showed no
# sign of life (a change of status; on PostgreSQL, its progress) for this many minutes in
# each status, IMPORTS_STUCK_RESUMES times at most; then it ends it failed, with the reason.
IMPORTS_SWEEP_SECONDS = env.int("IMPORTS_SWEEP_SECONDS", default=300)
IMPORTS_STUCK_WAITING_MINUTES = env.int("IMPORTS_STUCK_WAITING_MINUTES", default=15)
IMPORTS_STUCK_CHECKING_MINUTES = env.int("IMPORTS_STUCK_CHECKING_MINUTES", default=30)
IMPORTS_STUCK_IMPORTING_MINUTES = env.int("IMPORTS_STUCK_IMPORTING_MINUTES", default=30)
IMPORTS_STUCK_RESUMES = env.int("IMPORTS_STUCK_RESUMES", default=3)
# A checked batch nobody confirmed for this many days is discarded (and its file dropped).
IMPORTS_UNCONFIRMED_DAYS = env.int("IMPORTS_UNCONFIRMED_DAYS", default=7)
