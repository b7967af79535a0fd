"""Settings of the stand-in OAuth server (not the chat's: config/settings.py never sees it).

Everything it keeps lives in WIKIOAUTH_DIR (.wiki/ by default, beside the local wiki): its
SQLite database and the key that signs its sessions.
"""

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("WIKIOAUTH_DIR", ROOT / ".wiki"))
DATA_DIR.mkdir(parents=True, exist_ok=True)

# The wiki whose accounts sign in here (scripts/wiki.sh passes its own).
WIKI_API = os.environ.get("WIKIOAUTH_WIKI_API", "http://127.0.0.1:8080/api.php")


def _secret_key() -> str:
    if key := os.environ.get("WIKIOAUTH_SECRET_KEY"):
        return key
    path = DATA_DIR / "oauth-secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("WIKIOAUTH_DEBUG") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oauth2_provider",
    "wikioauth",
]

# No Cross-Origin-Opener-Policy: the chat's widget signs in through a popup and gets its
# token back through window.opener, which a COOP of "same-origin" on any page of the way
# would cut (docs/wiki.md, "The widget"). Wikimedia's login pages do not send one either.
SECURE_CROSS_ORIGIN_OPENER_POLICY = None

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "wikioauth.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,  # django-oauth-toolkit's error page, and ours
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
WSGI_APPLICATION = None

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "oauth.sqlite3",
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"

# Cookies do not keep ports apart: the chat on 127.0.0.1:8000 and this server on :8081 share
# one cookie jar, so the default names ("sessionid", "csrftoken") would overwrite the chat's.
SESSION_COOKIE_NAME = "wikioauth_session"
CSRF_COOKIE_NAME = "wikioauth_csrftoken"
LOGIN_URL = "login"

# Client secrets are 160 random bits, so stretching their hash buys nothing; Django's default
# (a million PBKDF2 rounds) would add half a second to every token request.
PASSWORD_HASHERS = ["wikioauth.hashers.QuickPBKDF2PasswordHasher"]


def _pkce_required(client_id: str) -> bool:
    """Extension:OAuth requires PKCE from public clients only; a confidential one may send it."""
    from oauth2_provider.models import get_application_model

    application = get_application_model().objects.filter(client_id=client_id).first()
    return application is None or application.client_type != application.CLIENT_CONFIDENTIAL


# As Extension:OAuth: an identity-only consumer's one grant, asked for or implied.
IDENTITY_GRANT = "mwoauth-authonly"
OAUTH2_PROVIDER = {
    "SCOPES": {IDENTITY_GRANT: "User identity verification only"},
    "DEFAULT_SCOPES": [IDENTITY_GRANT],
    "OAUTH2_VALIDATOR_CLASS": "wikioauth.validators.Validator",
    # Extension:OAuth's lifetimes ($wgOAuth2GrantExpirationInterval, $wgOAuth2RefreshTokenTTL).
    "ACCESS_TOKEN_EXPIRE_SECONDS": 4 * 3600,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 365 * 24 * 3600,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 600,
    "PKCE_REQUIRED": _pkce_required,
    # The chat's callback is http on loopback; RFC 8252 (§7.3) lets its port vary, which the
    # tests' live servers need. "localhost" is treated the same way (§8.3 allows it).
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"],
    "ALLOW_LOCALHOST_LOOPBACK": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"wikioauth": {"handlers": ["console"], "level": "INFO"}},
}
