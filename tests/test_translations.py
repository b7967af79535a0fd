"""Every shipped translation is complete (issue 11): for each language in LANGUAGES besides
English, both catalogs hold exactly the English catalogs' messages, each translated (every
plural form the language has), none fuzzy, with the same placeholders (msgfmt's own
checks), and they compile. A language whose catalog misses or fuzzes a message is not
shipped: it stays out of LANGUAGES until it is complete (docs/translating.md)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings

from tests import i18n_checks as checks

LOCALE = checks.ROOT / "locale"
DOMAINS = ["django", "djangojs"]
SOURCE = "en"
SHIPPED = [code for code, _name in settings.LANGUAGES if code != SOURCE]


def key(entry: polib.POEntry) -> tuple[str | None, str, str | None]:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural or None)


def nplurals(po: polib.POFile) -> int:
    match = re.search(r"nplurals\s*=\s*(\d+)", po.metadata.get("Plural-Forms", ""))
    assert match, "the catalog's header states its Plural-Forms"
    return int(match.group(1))


def test_the_languages_offered_are_the_ones_shipped_complete():
    assert settings.LANGUAGES[0][0] == settings.LANGUAGE_CODE == SOURCE
    assert {code for code, _ in settings.LANGUAGES} <= set(settings.LANGUAGE_NAMES)


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", SHIPPED)
def test_a_shipped_catalog_translates_every_message(language: str, domain: str):
    source = polib.pofile(str(LOCALE / SOURCE / "LC_MESSAGES" / f"{domain}.po"))
    path = LOCALE / language / "LC_MESSAGES" / f"{domain}.po"
    assert path.exists(), f"{path} is missing: run `make messages` and translate it"
    po = polib.pofile(str(path))
    wanted = {key(entry) for entry in source if not entry.obsolete}
    held = {key(entry) for entry in po if not entry.obsolete}
    missing = sorted(map(str, wanted - held))[:5]
    extra = sorted(map(str, held - wanted))[:5]
    assert held == wanted, (
        f"{path} is not up to date with the English catalog (`make messages`): "
        f"missing {missing}, extra {extra}"
    )
    assert po.metadata.get("Language") == language
    assert not po.metadata_is_fuzzy, f"{path}: the header is marked fuzzy"
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert not fuzzy, f"{path}: fuzzy translations: {fuzzy[:5]}"
    forms = nplurals(po)
    untranslated = []
    for entry in po:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            values = [entry.msgstr_plural.get(index, "") for index in range(forms)]
            if not all(value.strip() for value in values):
                untranslated.append(entry.msgid)
        elif not entry.msgstr.strip():
            untranslated.append(entry.msgid)
    assert not untranslated, f"{path}: {len(untranslated)} untranslated: {untranslated[:5]}"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt is not installed")
@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", SHIPPED)
def test_a_shipped_catalog_keeps_every_placeholder(language: str, domain: str, tmp_path: Path):
    """msgfmt's checks: the header, plural forms, and the placeholders of every message
    marked python-format or javascript-format, as in the English."""
    path = LOCALE / language / "LC_MESSAGES" / f"{domain}.po"
    done = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "out.mo"), str(path)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
