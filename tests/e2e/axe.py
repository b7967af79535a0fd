"""axe-core (the npm package, installed by `make setup`) for the browser tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def inject_axe(page: Any) -> None:
    """axe-core into the page, evaluated through the DevTools protocol rather than added as
    a <script> (which the pages' Content-Security-Policy refuses). axe's colour checks also
    set style attributes, so pages it checks are opened with ``bypass_csp``; the policy
    itself is tested by tests/e2e/test_csp.py."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
