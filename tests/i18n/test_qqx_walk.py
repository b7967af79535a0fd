"""``?uselang=qqx`` on every page: each message shows its key, so once the keys and the
data this test made itself (names and bodies like "Zxqa") are taken out, no English word of
the interface is left: in the text, in what people read in attributes (title, aria-label,
placeholder, alt, button captions), in the wiki loader's words and in the emails.

The admin's own words are Django's (its catalogs answer for them); under qqx they show as
keys too, since the qqx translation object answers for every domain. What is left is text
written in no catalog at all, which is what this test finds. A failure names the page and
the words: wrap them in gettext at their source and run `make messages`."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client

from accounts.roles import MENTORS, MODERATORS
from core import i18n
from helpdesk.models import Question
from livechat import actions as chat
from livechat.models import Message, Notification, Room
from moderation import actions as moderation
from moderation import filters
from moderation.models import AbuseLog, ModerationLog
from notifications import mail as notification_mail
from notifications.mail import unsubscribe_link, verification_link
from tests.conftest import fresh, make_user
from tests.i18n.qqx_text import english_left, visible_text

pytestmark = pytest.mark.django_db

# Everything the test writes looks like no language: what is left of it after the keys
# come out is the test's own.
ASKER, MENTOR, MODERATOR, OTHER = "Zxqa", "Qzxm", "Xqzm", "Zqxo"
ROOM_NAME = "Qxz Zqx"
BODIES = ["Zxq qzx xqz?", "Qzx zxq.", "Xzq qxz zqx", "qzxq zxqz"]
DATA = [ASKER, MENTOR, MODERATOR, OTHER, ROOM_NAME, *BODIES, "Zxqv", "Qzxv", "zxqz@example.org"]
# Search results mark the words found, so bodies also show word by word.
DATA += sorted({word for body in BODIES for word in re.findall(r"\w+", body)})
DAY = datetime(2026, 11, 5, 10, 0, tzinfo=UTC)


def at(clock: Any, moment: datetime) -> None:
    clock.set(moment)


@pytest.fixture
def world(settings: Any, clock: Any) -> dict[str, Any]:
    settings.LIVECHAT_HELP_ROOMS = ["help-desk"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    at(clock, DAY)
    room = Room.objects.create(slug="help-desk", name=ROOM_NAME)
    asker = make_user(ASKER, email="zxqz@example.org")
    mentor = make_user(MENTOR, MENTORS)
    moderator = make_user(MODERATOR, MODERATORS)
    other = make_user(OTHER)
    question_message = chat.send_message(user=fresh(asker), room=room, body=BODIES[0]).message
    question = Question.objects.get(links__message=question_message)
    answer = chat.send_message(
        user=fresh(mentor), room=room, body=BODIES[1], reply_to=question_message.pk
    ).message
    edited = chat.send_message(user=fresh(other), room=room, body=BODIES[2]).message
    chat.edit_message(user=fresh(other), message_id=edited.pk, body=BODIES[3], base_revision=1)
    report = moderation.report_message(user=asker, message_id=edited.pk, reason="Zxqv")
    abuse_filter = filters.save_filter(
        moderator=fresh(moderator),
        abuse_filter=None,
        name="Zxqv",
        description="Qzxv",
        rule='text irlike "qzxq"',
        actions=["tag"],
    )
    chat.send_message(user=fresh(other), room=room, body=BODIES[3])  # an abuse log entry
    block = moderation.place_block(
        moderator=fresh(moderator), user=other, reason="Qzxv", duration=timedelta(days=1)
    )
    at(clock, DAY + timedelta(days=1))
    return {
        "room": room,
        "asker": asker,
        "mentor": mentor,
        "moderator": moderator,
        "question": question,
        "answer": answer,
        "edited": Message.objects.get(pk=edited.pk),
        "report": report,
        "abuse_filter": abuse_filter,
        "block": block,
        "abuse_log": AbuseLog.objects.first(),
        "moderation_log": ModerationLog.objects.first(),
    }


def client_for(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def qqx(url: str) -> str:
    return url + ("&" if "?" in url else "?") + "uselang=qqx"


def assert_no_english(where: str, text: str) -> None:
    left = english_left(text, DATA)
    assert not left, f"{where}: English left under uselang=qqx: {sorted(set(left))}\n{text}"


# Django's own words that its templates never pass through gettext (the admin's search
# icon's alt, a boolean column's icon's alt): Django's, not ours to translate.
DJANGO_UNTRANSLATED = ["Search", "True", "False"]
# A time zone's abbreviation, as Django's date formats write it (the zone database's, the
# same in every language: "UTC", "KST").
ZONE_NAMES = ["UTC"]
# The abuse filters' pages (issue 12 reworks them): a filter's actions as stored and its
# rule's source. The labels for the actions are in moderation.admin.wire.FILTER_ACTIONS.
ABUSE_FILTER_NOT_YET: list[str] = []


def walk(
    client: Client, urls: list[str], *, allowed: list[str] = (), statuses: tuple[int, ...] = (200,)
) -> None:
    """Every page of ``urls`` in qqx; one failure lists every page's English."""
    found = {}
    for url in urls:
        response = client.get(qqx(url))
        assert response.status_code in statuses, (url, response.status_code)
        html = response.content.decode()
        assert '<html lang="qqx"' in html, url
        left = [word for word in english_left(visible_text(html), DATA) if word not in allowed]
        if left:
            found[url] = sorted(set(left))
    assert not found, "English left under uselang=qqx:\n" + "\n".join(
        f"  {url}: {words}" for url, words in found.items()
    )


def test_the_chat_pages_speak_only_keys(world):
    room = world["room"]
    day = DAY.date().isoformat()
    walk(
        client_for(world["asker"]),
        [
            "/",
            f"/rooms/{room.slug}/",
            f"/rooms/{room.slug}/embed/",
            f"/rooms/{room.slug}/archive/",
            f"/rooms/{room.slug}/archive/{day}/",
            f"/rooms/{room.slug}/archive/search/?q=zxq",
            f"/rooms/{room.slug}/archive/search/?q=nothingzxq",
            "/notifications/settings/",
        ],
    )
    walk(
        client_for(world["asker"]),
        [f"/rooms/{room.slug}/archive/1999-01-01/", f"/rooms/{room.slug}/archive/nonsense/"],
        statuses=(200, 404),
    )


def test_the_helpers_pages_speak_only_keys(world):
    room = world["room"]
    walk(
        client_for(world["mentor"]),
        [
            "/",
            f"/rooms/{room.slug}/",
            f"/rooms/{room.slug}/embed/",
            "/helpdesk/",
            "/helpdesk/coverage/",
        ],
    )


def path_of(link: str) -> str:
    return urlsplit(link).path


def test_the_pages_without_a_sign_in_speak_only_keys(world):
    room = world["room"]
    asker = world["asker"]
    unsubscribe = path_of(unsubscribe_link(user_id=asker.pk, kinds=["mention"]))
    client = client_for()
    walk(client, ["/accounts/login/", f"/rooms/{room.slug}/embed/", unsubscribe])
    client.post(qqx(unsubscribe))
    done = client.post(qqx(unsubscribe)).content.decode()
    assert not english_left(visible_text(done), DATA), visible_text(done)
    walk(
        client,
        [
            "/notifications/unsubscribe/forged/",
            "/notifications/verify/forged/",
        ],
        statuses=(200, 400, 404),
    )


def test_the_verified_page_speaks_only_keys(world):
    from notifications.actions import save_settings

    asker = world["asker"]
    save_settings(user=fresh(asker), address="zxqz@example.org", email_kinds=["mention"])
    verify = path_of(verification_link(user_id=asker.pk, address="zxqz@example.org"))
    walk(client_for(), [verify])


def test_the_wiki_loader_words_are_keys(world):
    script = client_for().get("/wiki/loader.js?uselang=qqx").content.decode()
    config = json.loads(re.search(r"window\.livechatHelpChat\((.*)\);\s*$", script).group(1))
    for word in config["strings"].values():
        assert not english_left(word, DATA), word
    status = client_for().get("/wiki/status.json?uselang=qqx").json()
    assert not english_left(f"{status['label']} {status['title']}", DATA), status


def test_the_emails_speak_only_keys(world, monkeypatch):
    # Mail is in the recipient's saved language (accounts.language); qqx is no one's, so
    # the test asks for it.
    monkeypatch.setattr(notification_mail, "language_for", lambda user: i18n.QQX)
    asker, mentor = world["asker"], world["mentor"]
    mention = chat.send_message(user=fresh(mentor), room=world["room"], body=f"@{ASKER} Qzx zxq.")
    notifications = list(Notification.objects.filter(recipient=asker).order_by("pk"))
    assert notifications, "the mention made a notification"
    mail.outbox.clear()
    with i18n.override(i18n.QQX):
        notification_mail.send_digest(
            user=asker, address="zxqz@example.org", notifications=notifications
        )
        notification_mail.send_verification(user=asker, address="zxqz@example.org")
    assert len(mail.outbox) == 2
    data = [*DATA, mention.message.body, "Qzx", "zxq"]
    for message in mail.outbox:
        html = message.alternatives[0][0] if message.alternatives else ""
        for where, text in [
            ("subject", message.subject),
            ("text", message.body),
            ("html", visible_text(html)),
        ]:
            left = english_left(re.sub(r"https?://[^\s)]+", " ", text), data)
            assert not left, f"{message.subject} ({where}): {sorted(set(left))}\n{text}"


def test_the_moderation_pages_speak_only_keys(world):
    edited = world["edited"]
    walk(
        client_for(world["moderator"]),
        [
            "/admin/",
            "/admin/moderation/",
            "/admin/livechat/",
            "/admin/moderation/block/",
            "/admin/moderation/block/add/",
            f"/admin/moderation/block/{world['block'].pk}/change/",
            "/admin/livechat/message/",
            f"/admin/livechat/message/{edited.pk}/change/",
            f"/admin/livechat/message/{edited.pk}/change/?from=1&to=2",
            "/admin/moderation/report/",
            f"/admin/moderation/report/{world['report'].pk}/change/",
            "/admin/moderation/moderationlog/",
            f"/admin/moderation/moderationlog/{world['moderation_log'].pk}/change/",
            *(
                f"/admin/moderation/moderationlog/{entry.pk}/change/"
                for entry in ModerationLog.objects.all()
            ),
            "/admin/moderation/abuselog/",
            f"/admin/moderation/abuselog/{world['abuse_log'].pk}/change/",
        ],
        allowed=[*DJANGO_UNTRANSLATED, *ZONE_NAMES],
    )


def test_the_abuse_filter_pages_speak_only_keys(world):
    walk(
        client_for(world["moderator"]),
        [
            "/admin/moderation/abusefilter/",
            "/admin/moderation/abusefilter/add/",
            f"/admin/moderation/abusefilter/{world['abuse_filter'].pk}/change/",
            f"/admin/moderation/abusefilter/{world['abuse_filter'].pk}/history/",
        ],
        allowed=[*DJANGO_UNTRANSLATED, *ABUSE_FILTER_NOT_YET],
    )


def test_the_walk_finds_english_where_there_is_some(world):
    # Without qqx the same reader finds the interface's words: the walk is not vacuous.
    html = client_for(world["asker"]).get(f"/rooms/{world['room'].slug}/").content.decode()
    assert {"Send", "Rooms"} <= set(english_left(visible_text(html), DATA))
