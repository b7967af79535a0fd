"""One definition of a user name (accounts.usernames): the wiki's rules, the mention syntax,
and that the mention completion inserts always reads back as that person."""

from __future__ import annotations

import time

import pytest
from django.core.exceptions import ValidationError
from hypothesis import example, given, settings
from hypothesis import strategies as st

from accounts.forms import AdminUserCreationForm
from accounts.models import User
from accounts.usernames import (
    FORBIDDEN_CHARACTERS,
    MAX_LENGTH,
    find_mentions,
    is_valid_username,
    mention_form,
    normalize_username,
    validate_username,
)

# --- names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("alice", "Alice"),
        ("john_smith", "John smith"),
        ("  John   Smith  ", "John Smith"),
        ("John__Smith", "John Smith"),
        ("Zoe\u0308", "Zoë"),  # NFC, as the wiki stores titles
        ("иван", "Иван"),
        ("ßtraße", "ßtraße"),  # no one-letter capital: left as it is
        ("ანა", "ანა"),  # Georgian: MediaWiki does not capitalise it
        ("John\u00a0Smith", "John Smith"),  # a no-break space is a space
        ("1337", "1337"),
    ],
)
def test_it_normalizes_names_as_the_wiki_does(typed, canonical):
    assert normalize_username(typed) == canonical
    assert is_valid_username(canonical)


@pytest.mark.parametrize(
    "name",
    [
        "Zoë",
        "Иван",
        "John Smith",
        "O'Brien",
        "Bob (WMF)",
        "Dr. Who?",
        "A&B!",
        "Name, with comma",
        "50% off",
        "हिन्दी",
        "李小龍",
        "X" * MAX_LENGTH,
    ],
)
def test_it_accepts_what_a_wiki_accepts(name):
    validate_username(name)


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "Enter a user name"),
        ("X" * (MAX_LENGTH + 1), "at most 150 characters"),
        *((f"A{ch}b", "cannot contain these characters") for ch in sorted(FORBIDDEN_CHARACTERS)),
        ("Tab\there", "control or invisible"),
        ("Zero\u200bwidth", "control or invisible"),
        ("Private\ue000use", "control or invisible"),
        ("A%20b", "hexadecimal"),
        ("127.0.0.1", "IP address"),
        ("alice", "“Alice”"),
        ("John_Smith", "“John Smith”"),
        (" Alice", "“Alice”"),
    ],
)
def test_it_refuses_what_a_wiki_refuses(name, problem):
    with pytest.raises(ValidationError) as caught:
        validate_username(name)
    assert any(problem in message for message in caught.value.messages), caught.value.messages


@pytest.mark.django_db
def test_the_creation_form_normalizes_then_validates():
    form = AdminUserCreationForm(
        data={
            "username": "zoë_de_vries",
            "usable_password": "true",
            "password1": "a-long-pass-9",
            "password2": "a-long-pass-9",
        }
    )
    assert form.is_valid(), form.errors
    assert form.save().username == "Zoë de vries"
    refused = AdminUserCreationForm(
        data={
            "username": "Bob@home",
            "usable_password": "true",
            "password1": "a-long-pass-9",
            "password2": "a-long-pass-9",
        }
    )
    assert not refused.is_valid()
    assert "cannot contain these characters: @" in str(refused.errors["username"])


@pytest.mark.django_db
def test_the_model_refuses_an_illegal_name_on_full_clean():
    user = User(username="A#b")
    user.set_password("x")
    with pytest.raises(ValidationError) as caught:
        user.full_clean()
    assert "username" in caught.value.message_dict


def test_the_model_does_not_fold_lookalikes_into_forbidden_characters():
    # Django's default NFKC would turn a fullwidth "＠" into "@" after validation.
    assert User.normalize_username("A\uff20b") == "A\uff20b"


# --- mentions -----------------------------------------------------------------------------

NAMES = [
    "Alice",
    "Zoë",
    "Иван",
    "John Smith",
    "O'Brien",
    "J.smith",
    "Jean-Luc Picard",
    "Bob (WMF)",
    "Dr. Who?",
    "Bob.",
    "Bob-",
    "Bob'",
    "A''b",
    "A & B",
    "50% off",
    "हिन्दी",
    "李小龍",
    "ßtraße",
    "ანა",
    "Name, with comma",
    "Émile Zola",
    "X" * MAX_LENGTH,
    "A.-B",
    "Trailing dot.",
    "~tilde~",
    "Mary*",
    "Ünal",
]


@pytest.mark.parametrize("name", NAMES)
def test_the_inserted_mention_reads_back_as_the_name(name):
    assert is_valid_username(name), name
    assert find_mentions(mention_form(name)) == [name]
    # ...also inside a sentence, before the punctuation people type after it.
    for after in (" ", ", thanks", ". ", "! ", "? ", ": ", ")"):
        assert find_mentions(f"Hi {mention_form(name)}{after}") == [name], (name, after)


@pytest.mark.parametrize(
    ("name", "form"),
    [
        ("Alice", "@Alice"),
        ("John Smith", "@John_Smith"),
        ("O'Brien", "@O'Brien"),
        ("Zoë", "@Zoë"),
        ("Bob (WMF)", "@[Bob (WMF)]"),
        ("Bob.", "@[Bob.]"),
        ("A''b", "@[A''b]"),
        ("bob", "@Bob"),  # an account made before names were canonical: resolved by case
    ],
)
def test_it_prefers_the_short_form_when_it_round_trips(name, form):
    assert mention_form(name) == form


# Names a wiki allows: any character but the forbidden ones, control characters, and the
# invisible ones; then put in canonical form.
_name_characters = st.characters(
    blacklist_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp"),
    blacklist_characters="".join(FORBIDDEN_CHARACTERS) + "\u200b",
)
legal_names = (
    st.text(_name_characters, min_size=1, max_size=40)
    .map(normalize_username)
    .filter(is_valid_username)
)


@settings(max_examples=500, deadline=None)
@given(legal_names)
@example("John Smith")
@example("A''b")
def test_property_every_legal_name_reads_back_from_its_mention_form(name):
    assert find_mentions(mention_form(name)) == [name]
    assert find_mentions(f"({mention_form(name)}) and {mention_form(name)}.") == [name, name]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_property_what_find_mentions_returns_is_always_a_legal_canonical_name(text):
    for name in find_mentions(text):
        assert is_valid_username(name), name


@settings(max_examples=200, deadline=None)
@given(st.lists(legal_names, min_size=1, max_size=5))
def test_property_mentions_come_back_in_order(names):
    text = " ".join(f"{mention_form(name)} said hi;" for name in names)
    assert find_mentions(text) == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("mail bob@example.org", []),
        ("@@Bob", ["Bob"]),
        ("thanks @Alice.", ["Alice"]),
        ("@alice and @Alice", ["Alice", "Alice"]),
        ("@Bob''s''", ["Bob"]),
        ("@[Bob] @[bob] @[ Bob ]", ["Bob", "Bob", "Bob"]),
        ("@[a#b] @[] @[no end", []),
        ("@" + "x" * (MAX_LENGTH + 1), []),
    ],
)
def test_find_mentions_examples(text, names):
    assert find_mentions(text) == names


@pytest.mark.parametrize(
    "hostile",
    [
        "@[" * 20_000,
        "@a-" * 13_000,
        "@" + "a'" * 20_000,
        "@[" + "a" * 40_000,
        ("@" + "a" * 149 + "-") * 300,
        "a@" * 20_000,
    ],
)
def test_find_mentions_is_linear_on_hostile_text(hostile):
    started = time.perf_counter()
    find_mentions(hostile)
    # Linear: tens of milliseconds for 40,000 characters; quadratic would take seconds.
    assert time.perf_counter() - started < 1.0


@pytest.mark.django_db
def test_the_admin_adds_users_under_their_wiki_name_and_lists_their_roles(client):
    from accounts.roles import MODERATORS
    from tests.conftest import make_user

    root = User.objects.create_superuser("Root", password="pw-root")
    make_user("Mod", MODERATORS)
    client.force_login(root)
    assert client.get("/admin/accounts/user/add/").status_code == 200
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "new_helper",
            "usable_password": "true",
            "password1": "a-long-pass-9",
            "password2": "a-long-pass-9",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.filter(username="New helper").exists()
    listing = client.get("/admin/accounts/user/").content.decode()
    assert "Moderator" in listing and "New helper" in listing
    user = User.objects.get(username="New helper")
    page = client.get(f"/admin/accounts/user/{user.pk}/change/")
    assert page.status_code == 200
