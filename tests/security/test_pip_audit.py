"""CI's audit of the requirements (scripts/audit_requirements.py, docs/security.md) against
an OSV service on loopback that knows one vulnerability: a vulnerable pin fails the audit
with the advisory named, a safe one passes, and no service at all fails rather than passing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "audit_requirements.py"

ADVISORY = {
    "id": "GHSA-test-0000-0000",
    "summary": "A test advisory",
    "details": "Known to this stand-in only.",
    "aliases": ["CVE-0000-0000"],
    "affected": [
        {
            "package": {"name": "django", "ecosystem": "PyPI"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "5.2.99"}]}],
        }
    ],
}


class _Osv(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        name = query["package"]["name"].lower()
        vulnerable = name == "django" and query["version"].startswith("5.2.")
        body = json.dumps({"vulns": [ADVISORY]} if vulnerable else {}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def osv() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Osv)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/v1/query"
    server.shutdown()


def _audit(tmp_path: Path, pins: str, *options: str, **env: str):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(pins)
    return subprocess.run(
        [sys.executable, str(SCRIPT), "-r", str(requirements), "--no-deps", "--disable-pip"]
        + list(options),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **env},
        timeout=120,
    )


def test_a_known_vulnerability_fails_the_audit(osv, tmp_path):
    done = _audit(tmp_path, "django==5.2.19\n", "--osv-url", osv)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "VULNERABLE: django 5.2.19: CVE-0000-0000 (fixed in 5.2.99)" in done.stdout


def test_requirements_without_one_pass(osv, tmp_path):
    done = _audit(tmp_path, "django==6.0\nbleach==6.2.0\n", "--osv-url", osv)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no known vulnerability in 2 packages" in done.stdout


def test_no_service_to_ask_fails_unless_told_it_may(tmp_path):
    dead = "http://127.0.0.1:9/v1/query"  # the discard port: nothing answers
    # PyPI's service is the fallback; point pip-audit's session at nothing as well.
    env = {"HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}
    done = _audit(tmp_path, "django==6.0\n", "--osv-url", dead, "--timeout", "2", **env)
    assert done.returncode == 1
    assert "no vulnerability service could audit the requirements" in done.stderr
    done = _audit(
        tmp_path,
        "django==6.0\n",
        "--osv-url",
        dead,
        "--timeout",
        "2",
        PIP_AUDIT_OFFLINE_OK="1",
        **env,
    )
    assert done.returncode == 0
    assert "WARNING" in done.stdout
