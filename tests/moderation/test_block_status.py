"""What active, expired and lifted mean: the queryset and one block's status say the same,
and each block is exactly one of them at any moment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from moderation import actions as moderation
from moderation.models import Block
from tests.conftest import fresh

pytestmark = pytest.mark.django_db


def test_each_block_is_exactly_one_of_active_expired_and_lifted(moderator, alice, bob):
    mod = fresh(moderator)
    now = timezone.now()
    indefinite = moderation.place_block(moderator=mod, user=alice, reason="a")
    running = moderation.place_block(
        moderator=mod, user=bob, reason="r", duration=timedelta(hours=1)
    )
    expired = moderation.place_block(
        moderator=mod, user=bob, reason="e", duration=timedelta(hours=1)
    )
    Block.objects.filter(pk=expired.pk).update(expires_at=now - timedelta(seconds=1))
    lifted_after_expiry = moderation.place_block(
        moderator=mod, user=bob, reason="l", duration=timedelta(hours=1)
    )
    moderation.lift_block(moderator=mod, block=lifted_after_expiry, reason="ok")
    Block.objects.filter(pk=lifted_after_expiry.pk).update(expires_at=now - timedelta(hours=1))

    sets = {
        "active": set(Block.objects.active(now).values_list("pk", flat=True)),
        "expired": set(Block.objects.expired(now).values_list("pk", flat=True)),
        "lifted": set(Block.objects.lifted().values_list("pk", flat=True)),
    }
    assert sets == {
        "active": {indefinite.pk, running.pk},
        "expired": {expired.pk},
        "lifted": {lifted_after_expiry.pk},
    }
    for block in Block.objects.all():
        assert block.pk in sets[block.status(now)]
        assert block.is_active(now) == (block.status(now) == Block.Status.ACTIVE)
    for status in Block.Status:
        assert (
            set(Block.objects.with_status(status, now).values_list("pk", flat=True))
            == (sets[status])
        )


def test_a_block_expires_at_its_expiry_not_after(moderator, alice):
    block = moderation.place_block(
        moderator=fresh(moderator), user=alice, reason="x", duration=timedelta(hours=1)
    )
    assert block.status(block.expires_at - timedelta(microseconds=1)) == "active"
    assert block.status(block.expires_at) == "expired"
    assert list(Block.objects.expired(block.expires_at)) == [block]
    assert not Block.objects.active(block.expires_at).exists()
