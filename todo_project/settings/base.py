"""Settings shared by every environment. Configuration comes from environment variables."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "tasks_app",
    "notifications_app",
    "todo_project.common",
    "django_celery_beat",
]

MIDDLEWARE = [
    "todo_project.common.health.ProbeMiddleware",  # before host checks and the HTTPS redirect
    "todo_project.common.middleware.BodySizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tasks_app.middleware.TimeFormatMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "todo_project.urls"
WSGI_APPLICATION = "todo_project.wsgi.application"
ASGI_APPLICATION = "todo_project.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Several processes share one SQLite file (`make run`, the test suite's fallback): wait for locks,
# write-ahead log, and take the write lock at the start of a transaction so concurrent writers
# queue instead of failing with "database is locked" on a lock upgrade.
if DATABASES["default"].get("ENGINE") == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "tasks_app.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# Everything is stored in UTC; user-facing times are converted with each user's own zone.
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# "throttle" is shared by every process (login, sign-up and chat limits); see throttling.py.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "throttle_cache",
        "OPTIONS": {"MAX_ENTRIES": 20000, "CULL_FREQUENCY": 4},
    },
}

# Request bodies: the API takes small JSON documents. A larger body is refused (413) before it
# is parsed; nginx in front refuses anything over 1 MiB before it reaches Django.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=256 * 1024)

STATIC_URL = "/static/"
# The built web app; WhiteNoise serves its files at the site root (see common/spa.py).
FRONTEND_DIST = BASE_DIR / "frontend" / "dist"
WHITENOISE_ROOT = FRONTEND_DIST if FRONTEND_DIST.is_dir() else None
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")

REST_FRAMEWORK = {
    # Token first: DRF answers an unauthenticated request with the first class's scheme,
    # so API clients get a 401 with `WWW-Authenticate: Token` instead of a bare 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": [
        "todo_project.common.throttling.UserThrottle",
        "todo_project.common.throttling.AnonIpThrottle",
    ],
    # Requests per window (second, minute, hour, day) for each throttle scope; see throttling.py.
    "DEFAULT_THROTTLE_RATES": {
        "user": env("THROTTLE_USER", default="1200/min"),
        "anon": env("THROTTLE_ANON", default="300/min"),
        "login-ip": env("THROTTLE_LOGIN_IP", default="20/min"),
        "login-username": env("THROTTLE_LOGIN_USERNAME", default="10/min"),
        "signup-ip": env("THROTTLE_SIGNUP_IP", default="10/hour"),
        "chat-user": env("THROTTLE_CHAT_USER", default="30/min"),
        "chat-ip": env("THROTTLE_CHAT_IP", default="120/min"),
    },
    # Proxies in front of Django whose X-Forwarded-For hop names the client (production: the
    # frontend's nginx). 0 means REMOTE_ADDR; never None, which would trust a forged header.
    "NUM_PROXIES": env.int("DRF_NUM_PROXIES", default=0),
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # drf-spectacular, plus the error responses and what else it leaves out (common/schema.py).
    "DEFAULT_SCHEMA_CLASS": "todo_project.common.schema.AutoSchema",
    "EXCEPTION_HANDLER": "todo_project.common.errors.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "todo_project.common.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Todo Reminders API",
    "DESCRIPTION": "Tasks with due dates, reminders and RFC 5545 recurrence.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Self-hosted: the docs page loads Swagger UI from our own static files, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Kafka-API broker (local Tansu, in-cluster Redpanda or Redpanda Cloud); see common/kafka.py.
KAFKA_BOOTSTRAP_SERVERS = env("KAFKA_BOOTSTRAP_SERVERS", default="127.0.0.1:19092")
KAFKA_SECURITY_PROTOCOL = env("KAFKA_SECURITY_PROTOCOL", default="PLAINTEXT")
KAFKA_SASL_MECHANISM = env("KAFKA_SASL_MECHANISM", default="")
KAFKA_SASL_USERNAME = env("KAFKA_SASL_USERNAME", default="")
KAFKA_SASL_PASSWORD = env("KAFKA_SASL_PASSWORD", default="")
KAFKA_TOPIC_PREFIX = env("KAFKA_TOPIC_PREFIX", default="")
KAFKA_CLIENT_ID = env("KAFKA_CLIENT_ID", default="todo")
KAFKA_TOPIC_PARTITIONS = env.int("KAFKA_TOPIC_PARTITIONS", default=3)
KAFKA_TOPIC_REPLICATION = env.int("KAFKA_TOPIC_REPLICATION", default=1)
KAFKA_TOPIC_RETENTION_MS = env.int("KAFKA_TOPIC_RETENTION_MS", default=7 * 24 * 3600 * 1000)
KAFKA_SESSION_TIMEOUT_MS = env.int("KAFKA_SESSION_TIMEOUT_MS", default=6000)
KAFKA_DELIVERY_TIMEOUT_MS = env.int("KAFKA_DELIVERY_TIMEOUT_MS", default=10000)
# Every consumer's fetch.wait.max.ms (events and Celery). Unset: 50 ms for the event consumers
# and 10 ms for the Celery transport, for the local Tansu, which answers a waiting fetch late
# (a longer wait adds latency to every hop, bench/README.md). Redpanda (non-polling fetch, the
# default since v23.3.5) answers as soon as data arrives: a longer wait there only saves idle
# requests. The chart sets 100.
KAFKA_FETCH_WAIT_MAX_MS = env.int("KAFKA_FETCH_WAIT_MAX_MS", default=None)

# Outbox relay and consumers.
OUTBOX_ENABLED = env.bool("OUTBOX_ENABLED", default=True)  # false only for benchmarks
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=5000)
OUTBOX_POLL_SECONDS = env.float("OUTBOX_POLL_SECONDS", default=0.25)
OUTBOX_RETENTION_HOURS = env.int("OUTBOX_RETENTION_HOURS", default=72)
EVENTS_SOURCE = env("EVENTS_SOURCE", default="/todo")
CONSUMER_MAX_ATTEMPTS = env.int("CONSUMER_MAX_ATTEMPTS", default=5)
# Events a consumer group handles per transaction (what one poll has fetched, up to this).
CONSUMER_BATCH_SIZE = env.int("CONSUMER_BATCH_SIZE", default=500)

# Celery on the Kafka-API broker (todo_project/celery.py builds the transport options).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="safekafka://")
CELERY_QUEUE_PARTITIONS = env.int("CELERY_QUEUE_PARTITIONS", default=4)
CELERY_PUBLISH_TIMEOUT_SECONDS = env.float("CELERY_PUBLISH_TIMEOUT_SECONDS", default=5.0)
CELERY_WORKER_HEARTBEAT_FILE = env("CELERY_WORKER_HEARTBEAT_FILE", default="")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
# A pool process killed mid-task (OOM, kill -9) has its task re-published, not acked and lost.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_SEND_SENT_EVENT = False
CELERY_WORKER_PREFETCH_MULTIPLIER = env.int("CELERY_WORKER_PREFETCH_MULTIPLIER", default=4)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=120)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=100)
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"notifications.*": {"queue": "notifications"}}
CELERY_WORKER_ENABLE_REMOTE_CONTROL = False  # not supported by Kafka brokers
CELERY_WORKER_SEND_TASK_EVENTS = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "todo_project.common.beat:HeartbeatDatabaseScheduler"
CELERY_BEAT_HEARTBEAT_FILE = env("CELERY_BEAT_HEARTBEAT_FILE", default="")
REMINDER_SCAN_CRONTAB_MINUTE = env("REMINDER_SCAN_CRONTAB_MINUTE", default="*")

# Prometheus /metrics on the web pods; with a token set, scrapers send `Authorization: Bearer`.
METRICS_TOKEN = env("METRICS_TOKEN", default="")

# Reminder scan.
REMINDER_SCAN_BATCH_SIZE = env.int("REMINDER_SCAN_BATCH_SIZE", default=500)
# Beat sends the scan this many seconds before each minute: on PostgreSQL it claims and prepares
# up to REMINDER_SCAN_EARLY_BATCH_SIZE of the minute's reminders in one transaction and commits
# it on the minute, so their pushes start then instead of after the scan (0 turns it off).
REMINDER_SCAN_LEAD_SECONDS = env.float("REMINDER_SCAN_LEAD_SECONDS", default=2.0)
REMINDER_SCAN_EARLY_BATCH_SIZE = env.int("REMINDER_SCAN_EARLY_BATCH_SIZE", default=2000)
CELERY_BEAT_LEAD_SECONDS = {"reminders.scan_due": REMINDER_SCAN_LEAD_SECONDS}
REMINDER_LATENESS_CUTOFF_MINUTES = env.int("REMINDER_LATENESS_CUTOFF_MINUTES", default=60)

# Recurrence sweep (tasks.spawn_pending_occurrences): completions whose next occurrence the
# event-driven path has not created after the grace period get it from the sweep.
RECURRENCE_SWEEP_SECONDS = env.int("RECURRENCE_SWEEP_SECONDS", default=60)
RECURRENCE_SWEEP_GRACE_SECONDS = env.int("RECURRENCE_SWEEP_GRACE_SECONDS", default=120)
RECURRENCE_SWEEP_BATCH_SIZE = env.int("RECURRENCE_SWEEP_BATCH_SIZE", default=500)

# Product limits: keep one user's data bounded.
TASK_REMINDERS_MAX = env.int("TASK_REMINDERS_MAX", default=20)
USER_OPEN_TASKS_MAX = env.int("USER_OPEN_TASKS_MAX", default=5000)
TASK_TAGS_MAX = env.int("TASK_TAGS_MAX", default=20)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# ---- Notifications (notifications_app): in-app inbox and browser Web Push ---------------------
# VAPID key pair: base64url raw P-256 keys, as printed by `manage.py vapid_keys` (production: a
# Kubernetes secret). Push is off, in-app notifications only, while VAPID_PRIVATE_KEY is empty.
# VAPID_PUBLIC_KEY may be left empty (it is derived); when set it must match the private key.
VAPID_PRIVATE_KEY = env("VAPID_PRIVATE_KEY", default="")
VAPID_PUBLIC_KEY = env("VAPID_PUBLIC_KEY", default="")
VAPID_SUBJECT = env("VAPID_SUBJECT", default="mailto:admin@localhost")
# Subscription endpoints are user-supplied URLs the server POSTs to: https, port 443, and a host
# equal to an entry or a subdomain of it (suffix match at a dot boundary).
PUSH_ENDPOINT_ALLOWED_HOSTS = env.list(
    "PUSH_ENDPOINT_ALLOWED_HOSTS",
    default=[
        "fcm.googleapis.com",  # Chrome, Opera, Samsung Internet, Chromium-based browsers
        "updates.push.services.mozilla.com",  # Firefox
        "web.push.apple.com",  # Safari (macOS, iOS/iPadOS home-screen apps)
        "notify.windows.com",  # Edge (wns2-*.notify.windows.com)
    ],
)
# Tests only (settings/test.py): exact https origins on loopback the push-service double serves.
# Never set in production: it is the one way around the host allow-list and port 443.
PUSH_TEST_ENDPOINT_ORIGINS: list[str] = []
# CA bundle that verifies push services' TLS certificates; empty = the system's trust store.
PUSH_CA_BUNDLE = ""
PUSH_CONNECT_TIMEOUT_SECONDS = env.float("PUSH_CONNECT_TIMEOUT_SECONDS", default=3.05)
PUSH_READ_TIMEOUT_SECONDS = env.float("PUSH_READ_TIMEOUT_SECONDS", default=5.0)
# How long a push service keeps a message for an offline device.
PUSH_TTL_SECONDS = env.int("PUSH_TTL_SECONDS", default=3600)
PUSH_MAX_ATTEMPTS = env.int("PUSH_MAX_ATTEMPTS", default=8)
PUSH_RETRY_BASE_SECONDS = env.float("PUSH_RETRY_BASE_SECONDS", default=15.0)
PUSH_RETRY_MAX_SECONDS = env.float("PUSH_RETRY_MAX_SECONDS", default=900.0)
PUSH_RETRY_AFTER_MAX_SECONDS = env.float("PUSH_RETRY_AFTER_MAX_SECONDS", default=3600.0)
# A reminder push is worthless after this long: pending retries are given up.
PUSH_GIVE_UP_AFTER_SECONDS = env.int("PUSH_GIVE_UP_AFTER_SECONDS", default=3600)
# After its own notification, a deliver task pushes whatever else is due, in batches, this long.
PUSH_DRAIN_SECONDS = env.float("PUSH_DRAIN_SECONDS", default=10.0)
# Pushes of a batch in flight at once, per worker process (push services answer in ~10-100 ms).
PUSH_SEND_THREADS = env.int("PUSH_SEND_THREADS", default=8)
# Beat re-enqueues deliveries whose next attempt is due this often.
PUSH_RETRY_SWEEP_SECONDS = env.int("PUSH_RETRY_SWEEP_SECONDS", default=15)
PUSH_SUBSCRIPTIONS_PER_USER_MAX = env.int("PUSH_SUBSCRIPTIONS_PER_USER_MAX", default=10)
# Lifetime of the signed token that lets a notification's Done / Snooze buttons act.
PUSH_ACTION_TOKEN_MAX_AGE_SECONDS = env.int("PUSH_ACTION_TOKEN_MAX_AGE_SECONDS", default=12 * 3600)
# ---- end Notifications
