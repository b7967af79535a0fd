"""axe-core (the npm package, installed by `make setup`) for the browser tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def inject_axe(page: Any) -> None:
    """axe-core into the page. Evaluated through the DevTools protocol rather than added as
    a <script>: the pages' Content-Security-Policy rightly refuses inline scripts, and the
    test tool must not need a hole in it."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
