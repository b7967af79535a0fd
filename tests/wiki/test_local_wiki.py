"""The local MediaWiki that the wiki integration is built and tested against: what `make
wiki` promises is there, through the same Action API calls the chat will make."""

from __future__ import annotations

import json
import subprocess
import uuid

import pytest

from .conftest import ROOT, LocalWiki

pytestmark = pytest.mark.wiki

MEDIAWIKI = "/usr/share/mediawiki"


def maintenance(script: str, *args: str, stdin: str = "") -> str:
    """Run a MediaWiki maintenance script against the local wiki, as an operator would."""
    env = {"MW_CONFIG_FILE": str(ROOT / ".wiki" / "LocalSettings.php"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        ["php", f"maintenance/{script}", *args],
        cwd=MEDIAWIKI,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def test_it_has_the_demo_accounts_with_their_groups(local_wiki: LocalWiki):
    site = local_wiki.site()
    users = {
        user["name"]: user
        for user in site.users(["Newcomer", "Mentor", "Sysop", "Help desk bot"], prop="groups")
    }
    assert set(users) == {"Newcomer", "Mentor", "Sysop", "Help desk bot"}
    assert "sysop" in users["Sysop"]["groups"]
    assert "bot" in users["Help desk bot"]["groups"]
    assert "sysop" not in users["Newcomer"]["groups"]


def test_the_chat_bot_password_signs_in_and_posts_a_new_section(local_wiki: LocalWiki):
    site = local_wiki.site()
    site.login(local_wiki.bot_user, local_wiki.bot_password)
    title = f"Project:Help desk/Test {uuid.uuid4().hex[:8]}"
    answer = site.api(
        "edit",
        title=title,
        section="new",
        sectiontitle="A question from the live chat",
        text="How do I cite a book? ~~~~",
        token=site.get_token("csrf"),
        http_method="POST",
    )
    assert answer["edit"]["result"] == "Success"
    text = site.pages[title].text()
    assert "== A question from the live chat ==" in text


def test_the_mentor_list_is_growthexperiments_json(local_wiki: LocalWiki):
    site = local_wiki.site()
    page = json.loads(site.pages["MediaWiki:GrowthMentors.json"].text())
    mentors = {entry["username"]: entry for entry in page["Mentors"].values()}
    assert mentors["Mentor"]["weight"] == 2
    assert mentors["Mentor"]["automaticallyAssigned"] is True
    mentor_id = next(iter(site.users(["Mentor"])))["userid"]
    assert str(mentor_id) in page["Mentors"]


def test_a_block_placed_on_the_wiki_shows_in_the_api_and_the_block_log(local_wiki: LocalWiki):
    name = f"Blocked {uuid.uuid4().hex[:6]}"
    maintenance("createAndPromote.php", name, "blocked-password-1")
    maintenance("blockUsers.php", "--performer", "Admin", "--reason", "Spam", stdin=f"{name}\n")
    site = local_wiki.site()
    user = next(iter(site.users([name], prop="blockinfo")))
    assert user["blockreason"] == "Spam"
    assert user["blockexpiry"] == "infinite"
    logged = [event["title"] for event in site.logevents(type="block", max_items=20)]
    assert f"User:{name}" in logged
    maintenance("blockUsers.php", "--performer", "Admin", "--unblock", stdin=f"{name}\n")
    assert "blockid" not in next(iter(site.users([name], prop="blockinfo")))
