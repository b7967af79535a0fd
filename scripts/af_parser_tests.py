#!/usr/bin/env python3
"""Run AbuseFilter's parser test cases through the chat's rule language.

Usage: scripts/af_parser_tests.py DIR

DIR holds AbuseFilter's ``tests/parserTests/*.t`` (each an expression that must be true)
and, for some, a ``.r`` file with the expected value. The cases are read from DIR, never
copied into the project. Prints pass/fail per file and a summary; exits non-zero when a case
fails that is not in NEEDS_WIKI (cases that need the wiki's own state, each with why).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from moderation.rules import RuleError, compile_rule, to_api  # noqa: E402

# Cases that cannot pass without the wiki's own state, with the reason.
NEEDS_WIKI: dict[str, str] = {}


def expected_value(path: Path) -> object:
    """A .r file holds AbuseFilter's expected result as PHP's var_export/AFPData dump;
    only plain literals are understood (true, false, null, numbers, quoted text)."""
    text = path.read_text(encoding="utf-8").strip()
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        pass
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def run_case(path: Path) -> tuple[bool, str]:
    source = path.read_text(encoding="utf-8")
    try:
        # As AbuseFilter's parser tests run it: parse() (names checked, no evaluation with
        # undefined variables, which only its syntax check does), true when the value is.
        rule = compile_rule(source, dry_run=False)
        value = rule.value({})
    except RuleError as error:
        return False, f"{type(error).__name__}: {error}"
    result_file = path.with_suffix(".r")
    if result_file.exists():
        wanted = expected_value(result_file)
        got = to_api(value)
        if got != wanted or type(got) is not type(wanted):
            return False, f"expected {wanted!r}, got {got!r}"
        return True, ""
    if not rule.evaluate({}):
        return False, f"expected true, got {to_api(value)!r}"
    return True, ""


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    directory = Path(argv[1])
    cases = sorted(directory.glob("*.t"))
    if not cases:
        print(f"no .t files in {directory}", file=sys.stderr)
        return 2
    passed, failed, excluded = [], [], []
    for path in cases:
        ok, why = run_case(path)
        if ok:
            passed.append(path.name)
            print(f"PASS {path.name}")
        elif path.name in NEEDS_WIKI:
            excluded.append(path.name)
            print(f"SKIP {path.name}: needs the wiki ({NEEDS_WIKI[path.name]}); {why}")
        else:
            failed.append(path.name)
            print(f"FAIL {path.name}: {why}")
    print(
        f"\n{len(passed)} passed, {len(failed)} failed, {len(excluded)} excluded "
        f"(needs wiki state) of {len(cases)}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
