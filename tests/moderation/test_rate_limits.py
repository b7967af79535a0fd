from __future__ import annotations

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.utils import timezone

from livechat import actions
from livechat.models import Message
from moderation import ratelimit
from moderation.errors import RateLimited
from tests.conftest import fresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    settings.LIVECHAT_RATE_LIMIT = (5, 60)
    settings.LIVECHAT_RATE_LIMIT_NEW = (2, 60)
    settings.LIVECHAT_NEW_ACCOUNT_SECONDS = 3600
    return settings


def age(user, **delta):
    user.date_joined = timezone.now() - timedelta(**delta)
    user.save(update_fields=["date_joined"])
    return user


def send(user, room, n=1):
    return [actions.send_message(user=user, room=room, body=f"m{i}") for i in range(n)]


def test_new_accounts_get_the_stricter_limit_with_the_seconds_to_wait(alice, room, limits, clock):
    # 20 seconds into a 60-second window: 40 are left (a window read from the real clock
    # could have 1 second left, and the sentence rightly says "Wait 1 second.").
    start = clock.now().timestamp() // 60 * 60
    clock.set(datetime.fromtimestamp(start + 20, tz=UTC))
    send(alice, room, 2)
    with pytest.raises(
        RateLimited, match=r"at most 2 every 60 seconds\. Wait 40 seconds\.$"
    ) as refused:
        send(alice, room)
    assert refused.value.extra["retry_after"] == 40
    assert Message.objects.count() == 2


def test_older_accounts_get_the_normal_limit(alice, room, limits):
    age(alice, days=2)
    send(alice, room, 5)
    with pytest.raises(RateLimited, match="at most 5"):
        send(alice, room)


def test_the_window_resets(alice, room, limits):
    limit = ratelimit.Limit(count=1, window=10)
    ratelimit.hit_window(user_id=alice.pk, limit=limit, now=1000.0)
    with pytest.raises(RateLimited, match="Wait 10 seconds"):
        ratelimit.hit_window(user_id=alice.pk, limit=limit, now=1000.0)
    ratelimit.hit_window(user_id=alice.pk, limit=limit, now=1010.0)


def test_mentors_and_moderators_are_exempt(mentor, moderator, room, limits):
    send(fresh(mentor), room, 4)
    send(fresh(moderator), room, 4)


def test_slow_mode_spaces_one_users_messages_in_a_room(alice, bob, room, other_room, limits):
    room.slow_mode_seconds = 30
    room.save()
    age(alice, days=2)
    send(alice, room)
    with pytest.raises(RateLimited, match="slow mode: one message every 30 seconds"):
        send(alice, room)
    send(bob, room)  # per user
    send(alice, other_room)  # per room


def test_a_retry_of_an_accepted_message_is_answered_even_past_the_limit(alice, room, limits):
    first = actions.send_message(user=alice, room=room, body="hi", client_id="k")
    send(alice, room)
    again = actions.send_message(user=alice, room=room, body="hi", client_id="k")
    assert (again.created, again.message.pk) == (False, first.message.pk)


def test_edits_and_reactions_do_not_count(alice, room, limits):
    message = send(alice, room)[0].message
    for revision in range(1, 5):
        actions.edit_message(
            user=alice, message_id=message.pk, body=f"v{revision + 1}", base_revision=revision
        )
    send(alice, room)


def test_the_limiter_refuses_rather_than_switching_off_when_its_store_fails(alice, room, limits):
    failing = mock.patch("moderation.counters.incr", side_effect=ConnectionError("down"))
    with failing, pytest.raises(RateLimited, match="paused"):
        send(alice, room)
    assert not Message.objects.exists()
