"""Compile the translations' catalogs (locale/<lang>/LC_MESSAGES/*.po) into the .mo files
Django reads, with polib: no system gettext needed, so `make run` and `make test` do it on
a fresh machine. Writes a .mo only when its .po is newer; the .mo files are not in git.

English is the source language: its catalogs hold the msgids and no translations, and
gettext shows the msgid without a .mo."""

from __future__ import annotations

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
SOURCE_LANGUAGE = "en"


def compile_all(locale: Path = ROOT / "locale") -> list[Path]:
    written = []
    for po_path in sorted(locale.glob("*/LC_MESSAGES/*.po")):
        if po_path.parts[-3] == SOURCE_LANGUAGE:
            continue
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        written.append(mo_path)
    return written


if __name__ == "__main__":
    for path in compile_all():
        print(f"compiled {path.relative_to(ROOT)}", file=sys.stderr)
