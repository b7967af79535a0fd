"""CI's audit of the requirements (.ci/run, docs/security.md): pip-audit against a
vulnerability service; exits 1 on any known vulnerability.

pip-audit's own exit status says "vulnerable" and "could not ask" alike, so the JSON report
is read here: a service that could not audit the requirements (unreachable, or a network
that lets only parts of PyPI through) is followed by the next one (OSV, then PyPI's own
advisories). When none could, the audit fails too, since nothing was checked, unless
PIP_AUDIT_OFFLINE_OK=1, which makes that a warning (a machine with no route to either).

    python scripts/audit_requirements.py [-r requirements.txt] [pip-audit options...]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

SERVICES = ("osv", "pypi")


def audit(service: str, args: list[str]) -> dict | None:
    """pip-audit's JSON report with ``service``, or None when it could not run at all."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip_audit",
                "--progress-spinner",
                "off",
                "--vulnerability-service",
                service,
                "--format",
                "json",
                "--output",
                str(report),
                *args,
            ],
            capture_output=True,
            text=True,
        )
        if not report.exists():
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            print(f"pip-audit ({service}) failed: {last}", file=sys.stderr)
            return None
        return json.loads(report.read_text())


def main(argv: list[str]) -> int:
    args = argv or ["-r", "requirements.txt"]
    for service in SERVICES:
        report = audit(service, args)
        if report is None:
            continue
        dependencies = report.get("dependencies", [])
        skipped = [d for d in dependencies if "skip_reason" in d]
        vulnerable = [d for d in dependencies if d.get("vulns")]
        for dependency in vulnerable:
            for vuln in dependency["vulns"]:
                fixed = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
                print(
                    f"VULNERABLE: {dependency['name']} {dependency['version']}: {vuln['id']}"
                    f" (fixed in {fixed})"
                )
        if vulnerable:
            return 1
        if dependencies and len(skipped) < len(dependencies):
            for dependency in skipped:
                print(f"not audited: {dependency['name']}: {dependency['skip_reason']}")
            print(
                f"pip-audit ({service}): no known vulnerability in "
                f"{len(dependencies) - len(skipped)} packages."
            )
            return 1 if skipped else 0
        print(f"pip-audit ({service}) could not audit the requirements; trying the next service.")
    message = "no vulnerability service could audit the requirements (osv, pypi)"
    if os.environ.get("PIP_AUDIT_OFFLINE_OK") == "1":
        print(f"WARNING: {message}; PIP_AUDIT_OFFLINE_OK=1 lets this pass.")
        return 0
    print(f"{message}: the audit fails (PIP_AUDIT_OFFLINE_OK=1 to pass offline).", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
