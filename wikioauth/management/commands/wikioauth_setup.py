"""Readies the stand-in: its database, the chat's OAuth application, the chat's settings.

Idempotent. The application keeps a fixed client id; its secret is made here and written in
plain to the credentials file (django-oauth-toolkit stores only a hash), and made again only
when the file's secret no longer matches the stored hash.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.management import BaseCommand, call_command
from oauth2_provider.models import get_application_model

CLIENT_ID = "livechat-local-wiki"
DEFAULT_REDIRECT_URIS = (
    "http://127.0.0.1:8000/accounts/wiki/login/callback/ "
    "http://localhost:8000/accounts/wiki/login/callback/"
)


def read_env(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    lines = path.read_text(encoding="utf-8").splitlines()
    return {key: value for key, _, value in (line.partition("=") for line in lines) if key}


def write_env(path: Path, values: dict[str, str]) -> None:
    """Replaces these keys' lines in place (a duplicate goes), appends the missing ones, and
    leaves every other line as it was."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    kept, written = [], set()
    for line in lines:
        key = line.partition("=")[0]
        if key in values:
            if key in written:
                continue
            line = f"{key}={values[key]}"
            written.add(key)
        kept.append(line)
    kept += [f"{key}={value}" for key, value in values.items() if key not in written]
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")


class Command(BaseCommand):
    help = "Migrate the stand-in's database and register the chat as its OAuth 2 client."

    def add_arguments(self, parser):
        parser.add_argument("--rest-url", required=True, help="e.g. http://127.0.0.1:8081/rest.php")
        parser.add_argument(
            "--credentials",
            default=str(settings.DATA_DIR / "credentials.env"),
            help="the env file the chat and the tests read (.wiki/credentials.env)",
        )

    def handle(self, *args, rest_url: str, credentials: str, **options):
        call_command("migrate", interactive=False, verbosity=0)
        path = Path(credentials)
        redirect_uris = " ".join(
            os.environ.get("WIKIOAUTH_REDIRECT_URIS", DEFAULT_REDIRECT_URIS).split()
        )
        Application = get_application_model()
        application = Application.objects.filter(client_id=CLIENT_ID).first() or Application(
            client_id=CLIENT_ID
        )
        application.name = "Live chat (local)"
        application.client_type = Application.CLIENT_CONFIDENTIAL
        application.authorization_grant_type = Application.GRANT_AUTHORIZATION_CODE
        application.redirect_uris = redirect_uris
        # MediaWiki's consent screen has no stand-in: every request is approved (docs/wiki.md).
        application.skip_authorization = True
        secret = read_env(path).get("LIVECHAT_WIKI_OAUTH_SECRET", "")
        if not (application.pk and secret and check_password(secret, application.client_secret)):
            secret = secrets.token_hex(20)
            application.client_secret = secret  # hashed when saved
        application.clean()
        application.save()
        values = {
            "LIVECHAT_WIKI_OAUTH_REST": rest_url,
            "LIVECHAT_WIKI_OAUTH_KEY": CLIENT_ID,
            "LIVECHAT_WIKI_OAUTH_SECRET": secret,
        }
        write_env(path, values)
        for key, value in values.items():
            self.stdout.write(f"{key}={value}")
