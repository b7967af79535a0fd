"""`manage.py check --deploy` passes, with no warning, under the production settings that
docs/deployment.md documents (its block after `<!-- production-env -->`)."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys

from tests.servers import ROOT

DOCS = ROOT / "docs" / "deployment.md"


def documented_env() -> dict[str, str]:
    text = DOCS.read_text()
    block = re.search(r"<!-- production-env -->\s*```sh\n(.*?)```", text, re.S)
    assert block, "docs/deployment.md lost its production settings block"
    env = {}
    for line in block.group(1).splitlines():
        key, _, value = line.partition("=")
        env[key.strip()] = value.strip()
    return env


def test_it_passes_the_deploy_check_with_the_documented_settings() -> None:
    env = documented_env()
    assert env["DEBUG"] == "0"
    # The placeholders, filled as an operator would.
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    env["METRICS_TOKEN"] = secrets.token_urlsafe(32)
    # The check reads settings only: no database or Redis is reached.
    env["DATABASE_URL"] = "postgres://livechat:x@127.0.0.1:5432/livechat"
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SECURE_", "SESSION_", "CSRF_", "LIVECHAT_", "DJANGO_"))
        and key not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "REDIS_URL", "DATABASE_URL"}
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**inherited, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
