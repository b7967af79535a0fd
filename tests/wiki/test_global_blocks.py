"""Global blocks (Extension:GlobalBlocking), which no wiki on this machine has: the client's
reading of recorded answers of a Wikimedia wiki (tests/data/wiki/globalblocks.json), and
the guard applying them. The local wiki's side (no extension: none, asked once) is in
test_wiki_client.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import mwclient
import pytest

from wiki.client import Wiki, global_block

RECORDED = json.loads(
    (Path(__file__).parents[1] / "data" / "wiki" / "globalblocks.json").read_text()
)


class RecordedSite:
    """Stands in for mwclient's Site, answering with recorded answers (no wiki here has
    GlobalBlocking); records what it was asked."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.asked: list[dict[str, Any]] = []

    def api(self, action: str, **params: Any) -> Any:
        self.asked.append({"action": action, **params})
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def wiki_answering(*answers: Any) -> tuple[Wiki, RecordedSite]:
    wiki = Wiki(api_url="https://meta.wikimedia.org/w/api.php")
    site = RecordedSite(*answers)
    wiki._site = site  # type: ignore[assignment]
    return wiki, site


def test_a_global_block_is_site_wide_with_its_reason_and_expiry():
    rows = RECORDED["query"]["globalblocks"]
    block = global_block(rows[1])
    assert block.sitewide and block.is_global
    assert block.id == 48215 and block.reason == "Long-term abuse"
    assert block.expires_at == datetime(2027, 1, 5, 12, tzinfo=UTC)
    assert global_block(rows[0]).expires_at is None  # "infinite"
    assert block.covers(title="Anything", namespace=0)


def test_the_client_asks_for_the_names_and_keeps_only_theirs():
    wiki, site = wiki_answering(RECORDED)
    found = wiki.global_blocks(["Sock of someone", "Spam account 42", "Someone fine"])
    assert sorted(found) == ["Sock of someone", "Spam account 42"]
    assert [block.id for block in found["Spam account 42"]] == [48213]
    # One call, for the names (sorted), with the fields it reads.
    [asked] = site.asked
    assert asked["list"] == "globalblocks"
    assert asked["bgtargets"] == "Sock of someone|Someone fine|Spam account 42"
    assert asked["bgprop"] == "id|target|by|expiry|reason"


def test_an_older_extension_names_the_target_address():
    row = {**RECORDED["query"]["globalblocks"][0]}
    row["address"] = row.pop("target")
    wiki, _ = wiki_answering({"query": {"globalblocks": [row]}})
    assert list(wiki.global_blocks(["Spam account 42"])) == ["Spam account 42"]


def test_a_name_the_farm_does_not_know_does_not_hide_the_others():
    """GlobalBlocking fails the whole call for one unknown name (nosuchuser): the client asks
    name by name then, leaving that one out."""
    unknown = mwclient.errors.APIError("nosuchuser", "There is no user by the name", {})
    rows = RECORDED["query"]["globalblocks"]
    wiki, site = wiki_answering(
        unknown,
        unknown,  # "Never registered", alone
        {"query": {"globalblocks": [rows[0]]}},  # "Spam account 42", alone
    )
    found = wiki.global_blocks(["Spam account 42", "Never registered"])
    assert list(found) == ["Spam account 42"]
    assert [asked["bgtargets"] for asked in site.asked] == [
        "Never registered|Spam account 42",
        "Never registered",
        "Spam account 42",
    ]


@pytest.mark.parametrize(
    "answer",
    [mwclient.errors.APIError("internal_api_error_DBQueryError", "Database error", {})],
)
def test_any_other_error_is_the_wiki_unavailable(answer):
    from wiki.client import WikiUnavailable

    wiki, _ = wiki_answering(answer)
    with pytest.raises(WikiUnavailable):
        wiki.global_blocks(["Spam account 42"])
