"""Roles from the wiki, without the wiki (tests/wiki/test_wiki_roles.py has the real one):
what sign-in applies from the OAuth profile's groups and the stored mentor list, that local
roles add and are never taken away, and that only wiki accounts are touched."""

from __future__ import annotations

import pytest

from accounts.models import User, WikiMentor, WikiRoleGrant
from accounts.roles import MENTOR, MENTORS, MODERATOR, MODERATORS, has_role, roles_of
from accounts.wiki_roles import apply_wiki_roles, store_mentor_list, wiki_mentor
from wiki.client import Mentor

from ..conftest import fresh, make_user

pytestmark = pytest.mark.django_db


def wiki_user(name: str, *groups: str, wiki_id: int) -> User:
    return make_user(name, *groups, wiki_id=wiki_id)


def grants(user: User) -> set[str]:
    return set(WikiRoleGrant.objects.filter(user=user).values_list("role", flat=True))


def listed(*names: str, weight: int = 2, automatic: bool = True) -> list[Mentor]:
    return [
        Mentor(user_id=i, username=name, message=f"Hi, {name} here.", weight=weight,
               automatic=automatic)
        for i, name in enumerate(names, start=100)
    ]  # fmt: skip


def test_a_wiki_sysop_becomes_a_moderator_and_the_grant_is_recorded(db):
    sam = wiki_user("Sam", wiki_id=7)
    apply_wiki_roles(sam, groups=["*", "user", "autoconfirmed", "sysop"])
    assert has_role(sam, MODERATOR)  # the cached roles were forgotten
    assert roles_of(fresh(sam)) == ["moderator"]
    assert grants(sam) == {"moderator"}


def test_the_wiki_takes_away_only_what_it_granted(db):
    sam = wiki_user("Sam", wiki_id=7)
    apply_wiki_roles(sam, groups=["sysop"])
    apply_wiki_roles(sam, groups=["user"])
    assert roles_of(fresh(sam)) == []
    assert grants(sam) == set()


def test_a_local_moderator_stays_one_whatever_the_wiki_says(db):
    lou = wiki_user("Lou", MODERATORS, wiki_id=8)
    apply_wiki_roles(lou, groups=["user"])
    assert roles_of(fresh(lou)) == ["moderator"]
    # The wiki agreeing does not make the role the wiki's: it was given here first.
    apply_wiki_roles(lou, groups=["sysop"])
    apply_wiki_roles(lou, groups=["user"])
    assert roles_of(fresh(lou)) == ["moderator"]
    assert grants(lou) == set()


def test_local_accounts_are_left_alone(db):
    admin = make_user("Local admin", MODERATORS)
    store_mentor_list(listed("Local admin"))
    apply_wiki_roles(admin, groups=["user"])
    apply_wiki_roles(make_user("Demo"), groups=["sysop"])
    assert roles_of(fresh(admin)) == ["moderator"]
    assert roles_of(fresh(User.objects.get(username="Demo"))) == []
    assert not WikiRoleGrant.objects.exists()
    assert wiki_mentor(admin) is None


def test_the_moderator_groups_are_a_setting(db, settings):
    settings.LIVECHAT_WIKI_MODERATOR_GROUPS = ["bureaucrat", "moderator"]
    sam = wiki_user("Sam", wiki_id=7)
    apply_wiki_roles(sam, groups=["sysop"])
    assert not has_role(sam, MODERATOR)
    apply_wiki_roles(sam, groups=["moderator"])
    assert has_role(sam, MODERATOR)


def test_sign_in_applies_the_stored_mentor_list(db):
    mia = wiki_user("Mia", wiki_id=9)
    store_mentor_list(listed("Mia"))
    apply_wiki_roles(mia, groups=["user"])
    assert roles_of(fresh(mia)) == ["mentor"]
    assert grants(mia) == {"mentor"}
    store_mentor_list([])
    apply_wiki_roles(mia, groups=["user"])
    assert roles_of(fresh(mia)) == []
    assert grants(mia) == set()


def test_a_local_mentor_on_the_list_keeps_the_role_when_the_list_drops_them(db):
    max_ = wiki_user("Max", MENTORS, wiki_id=10)
    store_mentor_list(listed("Max"))
    apply_wiki_roles(max_, groups=[])
    assert grants(max_) == set()
    store_mentor_list([])
    apply_wiki_roles(max_, groups=[])
    assert has_role(fresh(max_), MENTOR)


def test_a_role_removed_here_comes_back_while_the_wiki_grants_it(db):
    sam = wiki_user("Sam", wiki_id=7)
    apply_wiki_roles(sam, groups=["sysop"])
    sam.groups.clear()
    apply_wiki_roles(sam, groups=["sysop"])
    assert roles_of(fresh(sam)) == ["moderator"]
    assert grants(sam) == {"moderator"}


def test_the_stored_list_keeps_growthexperiments_weights(db):
    store_mentor_list(
        [
            *listed("Low", weight=1),
            *listed("High", weight=4),
            *listed("Odd", weight=3),  # not a weight GrowthExperiments knows: the default
            *listed("Manual", weight=4, automatic=False),
        ]
    )
    stored = {entry.username: entry for entry in WikiMentor.objects.all()}
    assert {name: entry.weight for name, entry in stored.items()} == {
        "Low": 1,
        "High": 4,
        "Odd": 2,
        "Manual": 4,
    }
    # Not assigned automatically: never drawn, as GrowthExperiments leaves them out.
    assert stored["Manual"].draw_weight == 0 and stored["High"].draw_weight == 4
    assert stored["Low"].message == "Hi, Low here."
    store_mentor_list(listed("High", weight=1))
    assert list(WikiMentor.objects.values_list("username", "weight")) == [("High", 1)]


def test_sign_in_costs_a_handful_of_queries(db, django_assert_max_num_queries):
    mia = wiki_user("Mia", wiki_id=9)
    store_mentor_list(listed("Mia"))
    # The first sign-in adds the group, the grant and the help desk's profile (its
    # listener); later ones only read.
    with django_assert_max_num_queries(11):
        apply_wiki_roles(mia, groups=["sysop"])
    with django_assert_max_num_queries(8):
        apply_wiki_roles(mia, groups=["sysop"])
