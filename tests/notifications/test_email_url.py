"""EMAIL_URL: one variable for the mail server, as DATABASE_URL is for the database."""

from __future__ import annotations

import pytest

from notifications.email_url import CONSOLE_BACKEND, SMTP_BACKEND, parse_email_url


def test_it_reads_plain_smtp_with_credentials():
    config = parse_email_url("smtp://mailer:p%40ss%2Fword@mail.example.org:2525?timeout=3")
    assert config == {
        "EMAIL_BACKEND": SMTP_BACKEND,
        "EMAIL_HOST": "mail.example.org",
        "EMAIL_PORT": 2525,
        "EMAIL_HOST_USER": "mailer",
        "EMAIL_HOST_PASSWORD": "p@ss/word",
        "EMAIL_USE_TLS": False,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 3.0,
    }


@pytest.mark.parametrize(
    ("url", "port", "tls", "ssl"),
    [
        ("smtp://mail.example.org", 25, False, False),
        ("smtp+tls://mail.example.org", 587, True, False),
        ("submission://mail.example.org", 587, True, False),
        ("smtps://mail.example.org", 465, False, True),
        ("smtp+ssl://mail.example.org:1465", 1465, False, True),
    ],
)
def test_the_scheme_says_how_to_secure_it(url, port, tls, ssl):
    config = parse_email_url(url)
    assert (config["EMAIL_PORT"], config["EMAIL_USE_TLS"], config["EMAIL_USE_SSL"]) == (
        port,
        tls,
        ssl,
    )
    assert config["EMAIL_HOST_USER"] == config["EMAIL_HOST_PASSWORD"] == ""


def test_console_prints_mail():
    assert parse_email_url("console://") == {"EMAIL_BACKEND": CONSOLE_BACKEND}


@pytest.mark.parametrize("url", ["http://mail.example.org", "smtp://", "mail.example.org"])
def test_it_refuses_what_it_cannot_use(url):
    with pytest.raises(ValueError, match="EMAIL_URL"):
        parse_email_url(url)
