"""Mail settings from one URL (``EMAIL_URL``), the way ``DATABASE_URL`` configures the
database. Pure: settings.py imports it before any app is loaded.

    smtp://user:password@mail.example.org:25        plain SMTP (port 25 unless given)
    smtp+tls://user:password@mail.example.org       STARTTLS (port 587), also submission://
    smtps://user:password@mail.example.org          TLS from the first byte (port 465)
    console://                                      print mail on standard output

The user and password are percent-decoded, so a password may hold any character.
``?timeout=<seconds>`` sets EMAIL_TIMEOUT.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"

# scheme -> (default port, STARTTLS, implicit TLS)
_SMTP_SCHEMES: dict[str, tuple[int, bool, bool]] = {
    "smtp": (25, False, False),
    "smtp+tls": (587, True, False),
    "submission": (587, True, False),
    "smtps": (465, False, True),
    "smtp+ssl": (465, False, True),
}


def parse_email_url(url: str) -> dict[str, Any]:
    """The Django settings (EMAIL_BACKEND, EMAIL_HOST, …) that ``url`` stands for."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"EMAIL_BACKEND": CONSOLE_BACKEND}
    if scheme not in _SMTP_SCHEMES:
        known = ", ".join(["console", *_SMTP_SCHEMES])
        raise ValueError(f"EMAIL_URL: unknown scheme {scheme!r} (one of {known})")
    if not parts.hostname:
        raise ValueError("EMAIL_URL: no host")
    default_port, use_tls, use_ssl = _SMTP_SCHEMES[scheme]
    config: dict[str, Any] = {
        "EMAIL_BACKEND": SMTP_BACKEND,
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": parts.port or default_port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
    }
    timeout = parse_qs(parts.query).get("timeout")
    if timeout:
        config["EMAIL_TIMEOUT"] = float(timeout[-1])
    return config
