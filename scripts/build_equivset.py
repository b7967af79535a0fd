"""Build moderation/rules/data/equivset.json from the equivset MediaWiki ships.

AbuseFilter's ``ccnorm`` is ``Equivset::normalize``: PHP's ``strtr`` over the map in the
wikimedia/equivset package (``dist/equivset.json``, the same map as the ``equivset.ser``
Equivset::normalize loads). This script copies that map, unchanged, into the rules
package with where it came from, and its licence notice next to it. Run it again when the
installed MediaWiki's equivset changes:

    .venv/bin/python scripts/build_equivset.py [--vendor /usr/share/mediawiki/vendor]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "moderation" / "rules" / "data"
DEFAULT_VENDOR = Path("/usr/share/mediawiki/vendor")
PACKAGE = "wikimedia/equivset"


def package_info(vendor: Path) -> dict[str, str]:
    """Version, licence and upstream commit of the installed package, from Composer."""
    installed = json.loads((vendor / "composer" / "installed.json").read_text("utf-8"))
    packages = installed["packages"] if isinstance(installed, dict) else installed
    for package in packages:
        if package["name"] == PACKAGE:
            return {
                "package": PACKAGE,
                "version": package["version"],
                "license": " OR ".join(package.get("license", [])),
                "source": package.get("source", {}).get("url", ""),
                "commit": package.get("source", {}).get("reference", ""),
            }
    raise SystemExit(f"{PACKAGE} is not in {vendor}/composer/installed.json")


def load_map(vendor: Path) -> dict[str, str]:
    raw = json.loads((vendor / "wikimedia" / "equivset" / "dist" / "equivset.json").read_text())
    raw.pop("_readme", None)
    for key, value in raw.items():
        # strtr() on UTF-8 with one-character keys is a per-character map: what
        # str.translate does. Refuse a data set where that would not hold.
        if len(key) != 1 or not isinstance(value, str):
            raise SystemExit(f"unexpected equivset entry {key!r} -> {value!r}")
    return raw


NOTICE = """# Equivset data: origin and licence

`equivset.json` in this directory is the character map of the **{package}** package,
version **{version}** ({source}, commit `{commit}`), copied unchanged from
`dist/equivset.json` of the copy MediaWiki 1.39 bundles (Debian package `mediawiki`,
`/usr/share/mediawiki/vendor/wikimedia/equivset`) by `scripts/build_equivset.py`.
It is what AbuseFilter's `ccnorm()` applies (`Equivset::normalize`).

The data is licensed under the {license} licence: the GNU General Public License,
version 2 or (at your option) any later version. Its COPYING file follows.

---

```
{copying}
```
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendor", type=Path, default=DEFAULT_VENDOR)
    args = parser.parse_args()
    info = package_info(args.vendor)
    mapping = load_map(args.vendor)
    DATA.mkdir(parents=True, exist_ok=True)
    document = {**info, "map": dict(sorted(mapping.items()))}
    # ASCII escapes on purpose: the characters are, by design, impossible to tell from
    # the letters they imitate when printed.
    (DATA / "equivset.json").write_text(json.dumps(document, indent=0) + "\n", "ascii")
    copying = (args.vendor / "wikimedia" / "equivset" / "COPYING").read_text("utf-8")
    (DATA / "EQUIVSET-NOTICE.md").write_text(
        NOTICE.format(copying=copying.rstrip("\n"), **info), "utf-8"
    )
    print(f"{len(mapping)} characters from {PACKAGE} {info['version']}")


if __name__ == "__main__":
    main()
