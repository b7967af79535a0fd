"""Settings for the help-desk live chat.

Everything comes from the environment (see README "Configuration"); the defaults make
`make run` work on a fresh machine: SQLite in the project and the in-memory channel layer.
"""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

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


def load_env_file(path: str) -> None:
    """``KEY=value`` lines of ``path`` into the environment, under what is already set:
    `make run` passes the local wiki's .wiki/credentials.env this way (docs/wiki.md), whose
    values hold spaces a shell would split."""
    if not path or not Path(path).is_file():
        return
    for line in Path(path).read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip().startswith("LIVECHAT_"):
            os.environ.setdefault(key.strip(), value.strip())


load_env_file(os.environ.get("LIVECHAT_ENV_FILE", ""))

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
    "timers",
    "accounts",
    # Sign in with the wiki (docs/wiki.md): allauth's account and social-account apps, and
    # our MediaWiki provider in place of allauth's own.
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "accounts.wikiauth",
    "livechat",
    "notifications",
    "moderation",
    "helpdesk",
    # Sign-in throttling (docs/security.md): after the apps whose sign-ins it watches.
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # The widget signed in by a token when its frame gets no cookies (docs/wiki.md).
    "accounts.middleware.WidgetTokenMiddleware",
    "accounts.middleware.SignInPopupMiddleware",
    # The interface language (core.i18n, docs/translating.md): ?uselang=, the person's own
    # choice, Accept-Language, LANGUAGE_CODE. In place of Django's LocaleMiddleware, after
    # the sign-ins (the person's choice needs request.user).
    "core.i18n.LanguageMiddleware",
    # The reader's time zone for the dates the server writes (core.tz): the person's
    # choice, the browser's (its cookie), TIME_ZONE. After the language: the same user.
    "core.tz.TimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The Content-Security-Policy and Permissions-Policy of every page (docs/security.md).
    "csp.middleware.CSPMiddleware",
    "core.security.PermissionsPolicyMiddleware",
    # Sign-in throttling: its lock-out page for a locked sign-in (last, as axes asks).
    "axes.middleware.AxesMiddleware",
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
    # Health checks: a kept connection that died with a database restart or failover is
    # replaced before the next request uses it, instead of failing it (docs/operations.md
    # "Faults").
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # The same backend, with a health check that needs no round trip while the
        # server has said nothing (core/postgres/base.py).
        DATABASES["default"]["ENGINE"] = "core.postgres"
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

# Sign in with the wiki: MediaWiki's OAuth 2 through django-allauth (docs/wiki.md,
# "Sign-in"). Off until the wiki's rest.php and the consumer's key and secret are set;
# `make wiki` writes them for its stand-in server into .wiki/credentials.env.
LIVECHAT_WIKI_OAUTH_REST = os.environ.get("LIVECHAT_WIKI_OAUTH_REST", "")
LIVECHAT_WIKI_OAUTH_KEY = os.environ.get("LIVECHAT_WIKI_OAUTH_KEY", "")
LIVECHAT_WIKI_OAUTH_SECRET = os.environ.get("LIVECHAT_WIKI_OAUTH_SECRET", "")
SOCIALACCOUNT_PROVIDERS = {
    "mediawiki": {
        "APPS": [{"client_id": LIVECHAT_WIKI_OAUTH_KEY, "secret": LIVECHAT_WIKI_OAUTH_SECRET}]
        if LIVECHAT_WIKI_OAUTH_KEY
        else [],
        "USERPAGE_TEMPLATE": os.environ.get("LIVECHAT_WIKI_URL", "https://en.wikipedia.org/wiki/")
        + "User:{username}",
    }
}
SOCIALACCOUNT_ADAPTER = "accounts.wikiauth.adapter.WikiAccountAdapter"
# The wiki is the only way in for people: no sign-up or password pages of allauth's (the
# local sign-in page stays, for superusers and the demo).
SOCIALACCOUNT_ONLY = True
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_STORE_TOKENS = False
# Signing in starts with a POST from our sign-in page (allauth's advice: no sign-in on GET).
SOCIALACCOUNT_LOGIN_ON_GET = False
ACCOUNT_EMAIL_VERIFICATION = "none"
# The widget's sign-in tokens (accounts.widget_tokens): how long one lasts; the open
# widget swaps it for a fresh one at half that.
LIVECHAT_WIDGET_TOKEN_SECONDS = env_int("LIVECHAT_WIDGET_TOKEN_SECONDS", 3600)

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en")
# Every language whose catalogs the project ships, by its own name (as a wiki's language
# menu shows them). A language joins LANGUAGES once its translation is complete
# (tests/test_translations.py fails on a shipped catalog that misses or fuzzes a message);
# LIVECHAT_LANGUAGES picks among them (docs/translating.md).
LANGUAGE_NAMES = {
    "en": "English",
    "ar": "العربية",
    "cs": "Čeština",
    "ko": "한국어",
    "vi": "Tiếng Việt",
}
SHIPPED_LANGUAGES = ["en", "ar", "cs", "ko", "vi"]
LANGUAGES = [
    (code, LANGUAGE_NAMES[code])
    for code in env_list("LIVECHAT_LANGUAGES", SHIPPED_LANGUAGES)
    if code in LANGUAGE_NAMES
]
TIME_ZONE = "UTC"
USE_I18N = True
# The project's catalogs: django.po (templates, Python) and djangojs.po (the page's
# scripts, served by /jsi18n/). `make messages` regenerates them.
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Static files in production (docs/deployment.md "Static files"): `collectstatic` writes
# them compressed and under content-hashed names (chat.3f9a1c2e.js; the scripts' imports
# rewritten to those names), and WhiteNoise serves them from the application itself, the
# hashed ones cacheable for a year: an upgrade changes the names, so no browser keeps a
# stale script. With DEBUG on (`make run`, the tests) the files are served from the source
# folders as they are, with no manifest to keep up to date.
LIVECHAT_STATIC_MANIFEST = env_bool("LIVECHAT_STATIC_MANIFEST", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "core.staticfiles.HashedStaticFilesStorage"
        if LIVECHAT_STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Files without a hash in their name (none is linked, but a stale link could ask): short.
WHITENOISE_MAX_AGE = env_int("WHITENOISE_MAX_AGE", 60)
# The request id first (every later log line carries it), then the probes (answered before
# the host check, the https redirect and the sessions: core.health), then WhiteNoise right
# after SecurityMiddleware, as its docs ask: static files skip the rest.
MIDDLEWARE.insert(0, "core.request_context.RequestIdMiddleware")
MIDDLEWARE.insert(1, "core.health.HealthMiddleware")
# An outage of the database or Redis answers 503 "try again" (core.outage), wherever it
# struck: views, sessions, the user, the language. Outside all but the request id.
MIDDLEWARE.insert(1, "core.outage.OutageMiddleware")
if LIVECHAT_STATIC_MANIFEST:
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "core.staticfiles.StaticFilesMiddleware",  # WhiteNoise's, streaming for ASGI
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Logs (docs/operations.md "Logs"): JSON lines in production (LOG_FORMAT=json, the default
# with DEBUG off), readable text in development; every line written while serving a request
# or a socket carries its request_id or socket_id (core.request_context).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "core.request_context.ContextFilter"}},
    "formatters": {
        "json": {"()": "core.logs.JsonFormatter"},
        "text": {
            "()": "core.logs.TextFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s%(ids)s %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.channels.server": {"level": "WARNING"},
        # django-axes logs every successful sign-in's reset at INFO; its warnings (lock-outs)
        # are what an operator needs.
        "axes": {"level": "WARNING"},
        # uvicorn's own lines through the same handler (it configured its own before).
        "uvicorn": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # Replaced by the application's own line with its request id (below).
        "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
    },
}
# One line per HTTP request (method, path, status, duration, request id) from
# core.request_context, in place of the ASGI server's access log; on in production.
LIVECHAT_ACCESS_LOG = env_bool("LIVECHAT_ACCESS_LOG", not DEBUG)

# --- Health and metrics (docs/operations.md) ---------------------------------------------
# /metrics answers a scraper sending "Authorization: Bearer <METRICS_TOKEN>", or a staff
# member signed in; nobody else. Empty: staff only.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
# /readyz: each check's timeout (seconds), and how late the oldest due timer may be before
# the timers' queue counts as failing (0: never).
LIVECHAT_READY_CHECK_TIMEOUT = float(os.environ.get("LIVECHAT_READY_CHECK_TIMEOUT", "2"))
LIVECHAT_READY_MAX_TIMER_LAG = env_int("LIVECHAT_READY_MAX_TIMER_LAG", 600)

# --- The chat's own settings -------------------------------------------------------------
LIVECHAT_MAX_MESSAGE_LENGTH = env_int("LIVECHAT_MAX_MESSAGE_LENGTH", 4000)
# While the database or Redis is down, writes answer "unavailable": retry after this many
# seconds (HTTP Retry-After, the socket's retry_after; docs/operations.md "Faults").
LIVECHAT_UNAVAILABLE_RETRY_SECONDS = env_int("LIVECHAT_UNAVAILABLE_RETRY_SECONDS", 5)
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
# Threads (each with its own database connection) that run the sockets' writes
# (core.dbthreads): one slow send no longer queues every other. SQLite has one writer at a
# time whatever the threads, so it keeps the single thread.
LIVECHAT_DB_THREADS = env_int(
    "LIVECHAT_DB_THREADS", 1 if DATABASES["default"]["ENGINE"].endswith("sqlite3") else 4
)
# A new message's one statement on PostgreSQL (livechat.message_rows) is prepared once per
# connection instead of parsed and planned on every send. Off behind a pooler in
# transaction mode that does not keep prepared statements (PgBouncer before 1.21).
LIVECHAT_DB_PREPARED_STATEMENTS = env_bool("LIVECHAT_DB_PREPARED_STATEMENTS", True)
# A connection that stops refreshing its presence (a killed process, a dead network)
# drops out after this many seconds; live connections refresh every third of it.
LIVECHAT_PRESENCE_TTL = env_int("LIVECHAT_PRESENCE_TTL", 60)
LIVECHAT_TYPING_INTERVAL_MS = env_int("LIVECHAT_TYPING_INTERVAL_MS", 1000)
# A room's online list goes out at most once per this many milliseconds (per process);
# the newest list held back goes out when the interval ends (livechat.fanout). Without it
# a room of n sockets filling up sends n lists to each of them.
LIVECHAT_PRESENCE_COALESCE_MS = env_int("LIVECHAT_PRESENCE_COALESCE_MS", 1000)

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out sign-in before the password is checked (docs/security.md).
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.RolesModelBackend",
]
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

# --- Security (docs/security.md) -------------------------------------------------------------
# LIVECHAT_HTTPS=1: the chat is served over HTTPS only (always so in production). It turns on
# Secure cookies, HSTS and the redirect to https, each of which its own variable can still set.
LIVECHAT_HTTPS = env_bool("LIVECHAT_HTTPS", False)
if LIVECHAT_HTTPS:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
# The page's scripts read the CSRF cookie to send it back in a header (static/livechat/dom.js),
# so it cannot be HttpOnly; that would add nothing anyway (Django's docs: the token is in
# every form). The session cookie is HttpOnly (above).
CSRF_COOKIE_HTTPONLY = False
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if LIVECHAT_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Off for `make run` (plain http); the proxy usually redirects already. Probes ask over http.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", LIVECHAT_HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^readyz/?$"]
# Whether a request came over https: uvicorn takes it from X-Forwarded-Proto of the proxies
# it trusts (--forwarded-allow-ips); a server that does not, behind a proxy that always sets
# the header, needs SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto.
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + os.environ["SECURE_PROXY_SSL_HEADER"].strip().upper().replace("-", "_"),
        "https",
    )
# Links to the wiki and elsewhere carry no address of a chat page.
SECURE_REFERRER_POLICY = os.environ.get("SECURE_REFERRER_POLICY", "same-origin")
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"  # but /accounts/: accounts.middleware

# Content-Security-Policy (django-csp): no inline script or style anywhere; the few inline
# blocks left carry the request's nonce ({{ request.csp_nonce }}). The widget's view widens
# frame-ancestors to LIVECHAT_EMBED_ORIGINS (livechat.views.room_embed). 'self' covers the
# page's own ws:/wss: socket (CSP Level 3, tests/e2e/test_csp.py).
from csp.constants import NONCE, NONE, SELF  # noqa: E402


def _origin(url: str) -> str | None:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        # Forms post here; the wiki sign-in's POST redirects to the wiki's OAuth pages.
        "form-action": [
            SELF,
            *filter(None, [_origin(os.environ.get("LIVECHAT_WIKI_OAUTH_REST", ""))]),
        ],
        "frame-ancestors": [NONE],
    }
}
# Features no page of the chat uses, refused for it and anything it might frame
# (core.security.PermissionsPolicyMiddleware).
LIVECHAT_PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}

# Sign-in throttling (django-axes): FAILURE_LIMIT failed sign-ins for one account, or from one
# address, lock that account or address out of signing in with a password for COOLOFF minutes
# (a clear page, accounts.lockout); a successful sign-in clears its failures. It covers every
# password sign-in: ours (/accounts/login/) and the admin's. The wiki's OAuth sign-in has no
# password to guess. The address is REMOTE_ADDR, which uvicorn sets from X-Forwarded-For
# of the proxies it trusts (--forwarded-allow-ips; docs/security.md): never from a header
# a client could write itself.
AXES_FAILURE_LIMIT = env_int("LIVECHAT_SIGNIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LIVECHAT_SIGNIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "core.security.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_USERNAME_CALLABLE = "accounts.lockout.username_of"
AXES_VERBOSE = False
# The rooms newcomers ask in: mentors see their unread and online counts on every page.
LIVECHAT_HELP_ROOMS = env_list("LIVECHAT_HELP_ROOMS", ["help-desk"])

# --- The help desk (docs/helpdesk.md) ------------------------------------------------------
# After a helper's reply, an asker silent this long leaves the question "stale".
LIVECHAT_QUESTION_STALE_MINUTES = env_int("LIVECHAT_QUESTION_STALE_MINUTES", 60)
# "I'm on it" holds a question this long unless the claimer replies.
LIVECHAT_CLAIM_MINUTES = env_int("LIVECHAT_CLAIM_MINUTES", 10)
# ...or this long after the claimer's last socket closed.
LIVECHAT_CLAIM_OFFLINE_SECONDS = env_int("LIVECHAT_CLAIM_OFFLINE_SECONDS", 60)
LIVECHAT_HELPER_MAX_CLAIMS = env_int("LIVECHAT_HELPER_MAX_CLAIMS", 3)
# A mentee's question goes to their available mentor alone for this long.
LIVECHAT_MENTOR_FIRST_MINUTES = env_int("LIVECHAT_MENTOR_FIRST_MINUTES", 5)
# Escalation steps, in minutes after the question was asked.
LIVECHAT_ESCALATE_EVERYONE_MINUTES = env_int("LIVECHAT_ESCALATE_EVERYONE_MINUTES", 5)
LIVECHAT_ESCALATE_FEED_MINUTES = env_int("LIVECHAT_ESCALATE_FEED_MINUTES", 30)
LIVECHAT_ESCALATE_HANDOFF_MINUTES = env_int("LIVECHAT_ESCALATE_HANDOFF_MINUTES", 24 * 60)
# Escalation notices one helper gets at most per hour.
LIVECHAT_HELPER_NOTICES_PER_HOUR = env_int("LIVECHAT_HELPER_NOTICES_PER_HOUR", 4)
# A helper counts as available when active (input in the page) this recently.
LIVECHAT_HELPER_ACTIVE_SECONDS = env_int("LIVECHAT_HELPER_ACTIVE_SECONDS", 300)
# One reminder to mark an answered question resolved, this long after the answer.
LIVECHAT_RESOLVE_REMINDER_HOURS = env_int("LIVECHAT_RESOLVE_REMINDER_HOURS", 72)
# The live room shows this many days; earlier days are in the archive.
LIVECHAT_LIVE_DAYS = env_int("LIVECHAT_LIVE_DAYS", 7)
# Timers (docs/jobs.md): `manage.py run_timers` workers lease due timers for LEASE_SECONDS
# (a worker that dies holding one lets another run it after that); a failing handler is
# retried after RETRY_SECONDS, doubling up to RETRY_MAX_SECONDS, and parked after
# MAX_ATTEMPTS failures.
LIVECHAT_TIMERS_LEASE_SECONDS = env_int("LIVECHAT_TIMERS_LEASE_SECONDS", 60)
LIVECHAT_TIMERS_RETRY_SECONDS = env_int("LIVECHAT_TIMERS_RETRY_SECONDS", 30)
LIVECHAT_TIMERS_RETRY_MAX_SECONDS = env_int("LIVECHAT_TIMERS_RETRY_MAX_SECONDS", 3600)
LIVECHAT_TIMERS_MAX_ATTEMPTS = env_int("LIVECHAT_TIMERS_MAX_ATTEMPTS", 8)

# --- Notifications by email (docs/notifications.md) ----------------------------------------
# The mail server: EMAIL_URL (smtp://user:password@host:25, smtp+tls://… for STARTTLS on
# 587, smtps://… for TLS on 465), or EMAIL_HOST / EMAIL_PORT / EMAIL_HOST_USER /
# EMAIL_HOST_PASSWORD / EMAIL_USE_TLS / EMAIL_USE_SSL. Neither: mail is printed on the
# console, so `make run` needs no mail server.
from notifications.email_url import CONSOLE_BACKEND, SMTP_BACKEND, parse_email_url  # noqa: E402

EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
if os.environ.get("EMAIL_URL"):
    try:
        globals().update(parse_email_url(os.environ["EMAIL_URL"]))
    except ValueError as exc:
        raise ImproperlyConfigured(str(exc)) from exc
elif os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = SMTP_BACKEND
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = env_int("EMAIL_PORT", 25)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
else:
    EMAIL_BACKEND = CONSOLE_BACKEND
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Wiki help desk <helpdesk@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where the links in mail point (mail has no request to take the host from).
LIVECHAT_SITE_URL = os.environ.get("LIVECHAT_SITE_URL", "http://127.0.0.1:8000")
# An unread notification is mailed after this many quiet seconds (each later one in the
# same conversation restarts the wait), but never later than MAX_WAIT after the first.
LIVECHAT_EMAIL_QUIET_SECONDS = env_int("LIVECHAT_EMAIL_QUIET_SECONDS", 120)
LIVECHAT_EMAIL_MAX_WAIT_SECONDS = env_int("LIVECHAT_EMAIL_MAX_WAIT_SECONDS", 600)
# A refused send is retried after RETRY_SECONDS, doubling, SEND_ATTEMPTS times in all.
LIVECHAT_EMAIL_RETRY_SECONDS = env_int("LIVECHAT_EMAIL_RETRY_SECONDS", 60)
LIVECHAT_EMAIL_SEND_ATTEMPTS = env_int("LIVECHAT_EMAIL_SEND_ATTEMPTS", 4)
# How long a verification link works, and how soon another may be asked for.
LIVECHAT_EMAIL_VERIFY_MAX_AGE = env_int("LIVECHAT_EMAIL_VERIFY_MAX_AGE", 72 * 3600)
LIVECHAT_EMAIL_VERIFY_RESEND_SECONDS = env_int("LIVECHAT_EMAIL_VERIFY_RESEND_SECONDS", 60)
# The write path reads "may this person be mailed?" from the cache, at most this stale.
LIVECHAT_EMAIL_SETTINGS_CACHE_SECONDS = env_int("LIVECHAT_EMAIL_SETTINGS_CACHE_SECONDS", 300)

# --- The help desk's pages for askers (docs/helpdesk.md) -------------------------------------
# The wiki's help pages a waiting asker is pointed to after half an hour without an answer
# (escalation step 2): (title, url), the titles translated.
LIVECHAT_HELP_PAGES = [
    (gettext_lazy("Help contents"), f"{LIVECHAT_WIKI_URL}Help:Contents"),
    (
        gettext_lazy("The Teahouse, for new editors' questions"),
        f"{LIVECHAT_WIKI_URL}Wikipedia:Teahouse",
    ),
]

# --- The wiki (docs/wiki.md) ---------------------------------------------------------------
# Its api.php and the chat's bot password (`make wiki` writes a local one to
# .wiki/credentials.env). Empty: no wiki, and wiki features are off.
LIVECHAT_WIKI_API = os.environ.get("LIVECHAT_WIKI_API", "")
LIVECHAT_WIKI_BOT_USER = os.environ.get("LIVECHAT_WIKI_BOT_USER", "")
LIVECHAT_WIKI_BOT_PASSWORD = os.environ.get("LIVECHAT_WIKI_BOT_PASSWORD", "")
# The wiki's blocks (docs/wiki.md "Blocks"): a partial block applies here when it covers
# this page or its namespace (the title is normalised through the wiki once: "Project:"
# becomes the wiki's own name). A person's wiki blocks are read again after this many
# seconds at most; the block log, followed every minute, catches changes sooner.
LIVECHAT_WIKI_HELP_DESK_PAGE = os.environ.get("LIVECHAT_WIKI_HELP_DESK_PAGE", "Project:Help desk")
LIVECHAT_WIKI_BLOCK_CACHE_SECONDS = env_int("LIVECHAT_WIKI_BLOCK_CACHE_SECONDS", 300)
# Roles from the wiki (docs/wiki.md "Roles"): members of these wiki groups are moderators
# here; the mentor list and everyone's groups are read again every this many seconds.
LIVECHAT_WIKI_MODERATOR_GROUPS = env_list("LIVECHAT_WIKI_MODERATOR_GROUPS", ["sysop"])
LIVECHAT_WIKI_ROLES_SECONDS = env_int("LIVECHAT_WIKI_ROLES_SECONDS", 600)
# Questions handed off to the wiki (docs/wiki.md "Questions handed off to the wiki"): the
# help desk page is read for replies every FOLLOW_SECONDS (a reply should reach the asker
# about as fast as a chat message would be noticed), in sections handed off in the last
# FOLLOW_DAYS (older ones are archived on a live wiki; reading on would cost requests).
LIVECHAT_WIKI_HELP_DESK_FOLLOW_SECONDS = env_int("LIVECHAT_WIKI_HELP_DESK_FOLLOW_SECONDS", 60)
LIVECHAT_WIKI_HANDOFF_FOLLOW_DAYS = env_int("LIVECHAT_WIKI_HANDOFF_FOLLOW_DAYS", 30)
# What the chat writes on the wiki is published under the wiki's licence; every page and
# section the bot writes says so (wikitext, shown as written).
LIVECHAT_WIKI_LICENCE = os.environ.get(
    "LIVECHAT_WIKI_LICENCE",
    "[https://creativecommons.org/licenses/by-sa/4.0/ CC BY-SA 4.0]",
)
# Monthly transcript pages of the help desk's questions on the wiki (docs/wiki.md "Monthly
# archive pages"): PREFIX + "2026-12", then PREFIX + "2026-12/2"… once a page would pass
# MAX_BYTES (UTF-8 bytes, as MediaWiki counts a page's size; its own limit is 2 MB, and
# long pages are slow to read and to edit). The previous month is rewritten for LATE_DAYS
# into the new one, so answers given late still land on its pages.
LIVECHAT_WIKI_ARCHIVE_PREFIX = os.environ.get(
    "LIVECHAT_WIKI_ARCHIVE_PREFIX", "Project:Help desk/Live chat/Archive/"
)
LIVECHAT_WIKI_ARCHIVE_MAX_BYTES = env_int("LIVECHAT_WIKI_ARCHIVE_MAX_BYTES", 150_000)
LIVECHAT_WIKI_ARCHIVE_LATE_DAYS = env_int("LIVECHAT_WIKI_ARCHIVE_LATE_DAYS", 3)
# Help while waiting (docs/helpdesk.md "Help while waiting"): once an asker's draft has this
# many words, help pages from the wiki's search and similar answered questions are shown.
# The wiki's answers are cached this many seconds per key words (every asker typing the
# same words asks the wiki once); a wiki that did not answer is left alone for RETRY
# seconds, and one search waits at most TIMEOUT seconds (a person is typing).
LIVECHAT_SUGGEST_MIN_WORDS = env_int("LIVECHAT_SUGGEST_MIN_WORDS", 3)
LIVECHAT_SUGGEST_CACHE_SECONDS = env_int("LIVECHAT_SUGGEST_CACHE_SECONDS", 600)
LIVECHAT_SUGGEST_WIKI_RETRY_SECONDS = env_int("LIVECHAT_SUGGEST_WIKI_RETRY_SECONDS", 60)
LIVECHAT_SUGGEST_WIKI_TIMEOUT = env_int("LIVECHAT_SUGGEST_WIKI_TIMEOUT", 3)
