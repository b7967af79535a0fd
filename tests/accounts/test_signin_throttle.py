"""Sign-in throttling (django-axes, docs/security.md): failures per account and per
address lock password sign-ins out with a clear page; a success clears the count."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client

from tests.conftest import HOST, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.AXES_FAILURE_LIMIT = 3


def _client(address: str = "203.0.113.7") -> Client:
    return Client(HTTP_HOST=HOST, REMOTE_ADDR=address)


def _sign_in(client: Client, username: str, password: str, url: str = LOGIN):
    return client.post(url, {"username": username, "password": password})


def test_a_wrong_password_is_an_ordinary_form_error_below_the_limit(alice):
    response = _sign_in(_client(), "Alice", "wrong")
    assert response.status_code == 200
    assert "form-errors" in response.content.decode()


def test_too_many_failures_lock_the_account_out_with_a_page_that_says_so(alice):
    client = _client()
    for _ in range(2):
        assert _sign_in(client, "Alice", "wrong").status_code == 200
    response = _sign_in(client, "Alice", "wrong")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many sign-in attempts" in page
    assert "paused for 15 minutes" in page
    assert response["Retry-After"] == "900"
    # Locked: even the right password is refused now, from any address.
    response = _sign_in(_client("198.51.100.9"), "Alice", "pw-Alice")
    assert response.status_code == 429


def test_the_account_counts_however_its_name_is_typed(alice):
    client = _client()
    for name in ("alice", "Alice", " alice_"):
        _sign_in(client, name, "wrong")
    assert _sign_in(_client("198.51.100.9"), "Alice", "pw-Alice").status_code == 429


def test_one_address_guessing_many_accounts_is_locked_out(alice, bob):
    client = _client()
    for name in ("Carol", "Dave", "Erin"):
        _sign_in(client, name, "guess")
    assert _sign_in(client, "Bob", "pw-Bob").status_code == 429
    # Bob himself, from elsewhere, is not.
    assert _sign_in(_client("198.51.100.9"), "Bob", "pw-Bob").status_code == 302


def test_a_success_clears_the_failures(alice):
    client = _client()
    for _ in range(2):
        _sign_in(client, "Alice", "wrong")
    assert _sign_in(client, "Alice", "pw-Alice").status_code == 302
    assert not AccessAttempt.objects.filter(username="Alice").exists()
    client = _client()
    for _ in range(2):
        assert _sign_in(client, "Alice", "wrong").status_code == 200


def test_the_admins_sign_in_is_the_same_throttled_page(db):
    """The admin sends its sign-in to ours (moderation.admin_site): one throttled form."""
    make_user("Root", is_staff=True, is_superuser=True)
    client = _client()
    response = _sign_in(client, "Root", "wrong", ADMIN_LOGIN)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    for _ in range(3):
        _sign_in(client, "Root", "wrong")
    assert _sign_in(_client("198.51.100.9"), "Root", "pw-Root").status_code == 429


def test_the_address_is_the_peers_never_a_header_the_client_writes(alice):
    for n in range(3):
        client = Client(
            HTTP_HOST=HOST, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}"
        )
        _sign_in(client, f"Nobody{n}", "guess")
    assert _sign_in(_client(), "Alice", "pw-Alice").status_code == 429


def test_a_huge_name_is_counted_not_crashed_on(alice):
    response = _sign_in(_client(), "x" * 5000, "guess")
    assert response.status_code == 200
