"""Settings for the help-desk live chat.

Everything comes from the environment (see README "Configuration"); the defaults make
`make run` work on a fresh machine: SQLite in the project and the in-memory channel layer.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    # Development only: a fixed key keeps sessions valid across `make run` restarts.
    SECRET_KEY = "dev-only-insecure-key-change-me-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
# Extra origins (scheme://host[:port]) allowed to open sockets and POST, e.g. behind a proxy.
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "moderation.apps.ModerationAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "core",
    "accounts",
    "livechat",
    "moderation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The interface language (Accept-Language for now; issue 11 adds ?uselang= and the
    # person's own choice).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "livechat.middleware.FrameAncestorsMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None

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
                "accounts.context_processors.user_roles",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            # Concurrent writers (several sockets sending at once) wait for the lock
            # instead of failing with "database is locked".
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # Tests use a file too, not shared-cache memory: shared-cache SQLite takes
            # table locks that ignore the busy timeout, so concurrent-writer tests would
            # fail with "database table is locked" where production would wait.
            # One file per test run, so that concurrent runs never share it.
            "TEST": {
                "NAME": os.path.join(tempfile.gettempdir(), f"livechat-test-{os.getpid()}.sqlite3")
            },
        }
    }

REDIS_URL = os.environ.get("REDIS_URL", "")
# Key prefix for everything this app keeps in Redis; tests set it per run so that runs
# sharing one Redis never see each other's presence or counters.
LIVECHAT_REDIS_PREFIX = os.environ.get("LIVECHAT_REDIS_PREFIX", "livechat")

if REDIS_URL:
    # The pub/sub layer publishes a group message once instead of once per member
    # channel: see docs/benchmarks.md for the measured difference.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": os.environ.get(
                "LIVECHAT_CHANNEL_LAYER", "channels_redis.pubsub.RedisPubSubChannelLayer"
            ),
            "CONFIG": {"hosts": [REDIS_URL], "prefix": f"{LIVECHAT_REDIS_PREFIX}:asgi"},
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": LIVECHAT_REDIS_PREFIX,
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"capacity": 1000},
        }
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en"
# Only what the project ships; the languages issue adds the others.
LANGUAGES = [("en", "English")]
TIME_ZONE = "UTC"
USE_I18N = True
# The project's catalogs: django.po (templates, Python) and djangojs.po (the page's
# scripts, served by /jsi18n/). `make messages` regenerates them.
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.channels.server": {"level": "WARNING"}},
}

# --- The chat's own settings -------------------------------------------------------------
LIVECHAT_MAX_MESSAGE_LENGTH = env_int("LIVECHAT_MAX_MESSAGE_LENGTH", 4000)
# A socket frame larger than this is refused before it is parsed (the ASGI server also
# refuses frames past its own limit without buffering them; see docs/deployment).
LIVECHAT_MAX_FRAME_BYTES = env_int("LIVECHAT_MAX_FRAME_BYTES", 64 * 1024)
LIVECHAT_WIKI_URL = os.environ.get("LIVECHAT_WIKI_URL", "https://en.wikipedia.org/wiki/")
LIVECHAT_HISTORY_PAGE_SIZE = env_int("LIVECHAT_HISTORY_PAGE_SIZE", 50)
LIVECHAT_EVENTS_PAGE_SIZE = env_int("LIVECHAT_EVENTS_PAGE_SIZE", 500)
# How long the event log is kept; `manage.py prune_events` deletes older events, and a
# client asking for anything before that is told to `resync`.
LIVECHAT_EVENT_RETENTION_DAYS = env_int("LIVECHAT_EVENT_RETENTION_DAYS", 30)
# A resume that would replay more than this many events gets `resync` instead.
LIVECHAT_RESUME_MAX_EVENTS = env_int("LIVECHAT_RESUME_MAX_EVENTS", 2000)
# A connection that stops refreshing its presence (a killed process, a dead network)
# drops out after this many seconds; live connections refresh every third of it.
LIVECHAT_PRESENCE_TTL = env_int("LIVECHAT_PRESENCE_TTL", 60)
LIVECHAT_TYPING_INTERVAL_MS = env_int("LIVECHAT_TYPING_INTERVAL_MS", 1000)

AUTHENTICATION_BACKENDS = ["accounts.backends.RolesModelBackend"]
CSRF_FAILURE_VIEW = "livechat.api.csrf_failure"
# daphne's runserver reads these: a frame past the limit is refused by the protocol layer
# from its header, before its payload is buffered (close code 1009).
DAPHNE_WEBSOCKET_MAX_MESSAGE_SIZE = LIVECHAT_MAX_FRAME_BYTES
DAPHNE_WEBSOCKET_MAX_FRAME_SIZE = LIVECHAT_MAX_FRAME_BYTES
# Rate limits: (messages, window seconds) per user; accounts younger than
# LIVECHAT_NEW_ACCOUNT_SECONDS get the stricter pair. Mentors and moderators are exempt.
LIVECHAT_RATE_LIMIT = (
    env_int("LIVECHAT_RATE_LIMIT_COUNT", 20),
    env_int("LIVECHAT_RATE_LIMIT_WINDOW", 60),
)
LIVECHAT_RATE_LIMIT_NEW = (
    env_int("LIVECHAT_RATE_LIMIT_NEW_COUNT", 8),
    env_int("LIVECHAT_RATE_LIMIT_NEW_WINDOW", 60),
)
LIVECHAT_NEW_ACCOUNT_SECONDS = env_int("LIVECHAT_NEW_ACCOUNT_SECONDS", 24 * 3600)
# Abuse filters (docs/abuse-filters.md).
LIVECHAT_FILTER_CONDITION_BUDGET = env_int("LIVECHAT_FILTER_CONDITION_BUDGET", 1000)
LIVECHAT_FILTER_REGEX_TIMEOUT = float(os.environ.get("LIVECHAT_FILTER_REGEX_TIMEOUT", "0.05"))
LIVECHAT_FILTER_WARN_SECONDS = env_int("LIVECHAT_FILTER_WARN_SECONDS", 600)
# The emergency brake: a filter edited less than AGE seconds ago that matched at least
# COUNT messages and more than THRESHOLD of those it saw gets its refusing actions suspended.
LIVECHAT_FILTER_EMERGENCY_AGE = env_int("LIVECHAT_FILTER_EMERGENCY_AGE", 24 * 3600)
LIVECHAT_FILTER_EMERGENCY_COUNT = env_int("LIVECHAT_FILTER_EMERGENCY_COUNT", 5)
LIVECHAT_FILTER_EMERGENCY_THRESHOLD = float(
    os.environ.get("LIVECHAT_FILTER_EMERGENCY_THRESHOLD", "0.3")
)
# The help-panel widget (/rooms/<slug>/embed/) may be framed by these origins only,
# e.g. "https://en.wikipedia.org". A cross-site iframe only gets the session cookie with
# SESSION_COOKIE_SAMESITE=None over HTTPS (docs/deployment.md).
LIVECHAT_EMBED_ORIGINS = env_list("LIVECHAT_EMBED_ORIGINS", [])
SESSION_COOKIE_SAMESITE = os.environ.get("SESSION_COOKIE_SAMESITE", SESSION_COOKIE_SAMESITE)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", SESSION_COOKIE_SAMESITE == "None")
CSRF_COOKIE_SAMESITE = os.environ.get("CSRF_COOKIE_SAMESITE", CSRF_COOKIE_SAMESITE)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", CSRF_COOKIE_SAMESITE == "None")
# The rooms newcomers ask in: mentors see their unread and online counts on every page.
LIVECHAT_HELP_ROOMS = env_list("LIVECHAT_HELP_ROOMS", ["help-desk"])
