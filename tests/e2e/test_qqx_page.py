"""``?uselang=qqx`` in Chromium: the room page's scripts (status lines, timeline, question
states, composer) take their words from the scripts' catalog, which in qqx answers with
keys; once the scripts ran, no English word of the interface is left in the live DOM."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.roles import MENTORS
from livechat import actions
from tests.conftest import fresh, make_user
from tests.e2e.conftest import message, sign_in, wait_live, watch
from tests.i18n.qqx_text import english_left, visible_text
from tests.servers import Server

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ASKER, MENTOR = "Zxqa", "Qzxm"
DATA = [ASKER, MENTOR, "Qxz Zqx", "Zxq", "qzx", "xqz", "Qzx", "zxq"]


def test_the_room_page_speaks_only_keys_after_its_scripts_ran(
    browser: Any, server: Server, e2e_db: None, console_errors: list[str]
):
    from livechat.models import Room

    room = Room.objects.create(slug="help-desk", name="Qxz Zqx")
    make_user(ASKER)
    mentor = make_user(MENTOR, MENTORS)
    actions.send_message(user=fresh(mentor), room=room, body="Qzx zxq.")

    page = browser.new_context().new_page()
    watch(page, console_errors)
    sign_in(page, server.http, ASKER, f"pw-{ASKER}", "/rooms/help-desk/?uselang=qqx")
    wait_live(page)
    assert page.evaluate("document.documentElement.lang") == "qqx"
    assert page.evaluate("gettext('Send')") == "(Send)"

    # The asker's own message: a question, its state and the help-desk texts appear.
    page.locator("#composer textarea, #composer [contenteditable]").first.fill("Zxq qzx xqz?")
    page.keyboard.press("Enter")
    # The question's state chip is the last help-desk text to arrive (its event).
    message(page, "Zxq qzx xqz?").locator(".question-chip").wait_for()

    left = english_left(visible_text(page.content()), DATA)
    assert not left, f"English left in the live page under qqx: {sorted(set(left))}"
