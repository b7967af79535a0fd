"""The address: taken from the account by default, set on the settings page, and proven
by a signed link that expires before any notification is mailed to it."""

from __future__ import annotations

import pytest
from django.test import Client

from livechat.models import Message
from notifications.models import EmailSettings, SentEmail
from tests.conftest import make_user
from tests.notifications.test_email_digest import ask, fire, reply

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def newcomer(db: None):
    return make_user("Alice", email="alice@example.org")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def save(
    client: Client, address: str, kinds=("reply", "mention", "claimed", "resolved", "reminder")
):
    return client.post("/notifications/settings/", {"address": address, "kinds": list(kinds)})


def mailed_after_two_minutes(user, mentor, room, clock) -> Message:
    question = ask(user, room)
    answer = reply(mentor, room, question, "An answer.")
    clock.advance(minutes=2)
    fire(clock)
    return answer


def test_the_settings_page_needs_a_sign_in(db):
    response = Client().get("/notifications/settings/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_page_starts_from_the_account_address_unverified(newcomer):
    page = signed_in(newcomer).get("/notifications/settings/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="alice@example.org"' in html
    assert "Desktop notifications" in html
    assert "alice@example.org is not verified yet" in html
    assert not EmailSettings.objects.exists()  # reading the page writes nothing


def test_the_account_address_is_verified_with_one_button(newcomer, clock, inbox):
    client = signed_in(newcomer)
    assert "Send me the link" in client.get("/notifications/settings/").content.decode()
    response = client.post("/notifications/settings/verify/", follow=True)
    assert "We sent a link to alice@example.org." in response.content.decode()
    assert "Send the link again" in response.content.decode()
    mail = inbox.only()
    assert mail.rcpt_tos == ["alice@example.org"]
    Client().get(mail.links_to("/notifications/verify/")[0])
    assert EmailSettings.objects.get(user=newcomer).verified


def test_an_unverified_address_gets_no_notification_mail(newcomer, mentor, room, clock, inbox):
    EmailSettings.objects.create(user=newcomer, address="alice@example.org")
    mailed_after_two_minutes(newcomer, mentor, room, clock)
    assert inbox.messages == []


def test_saving_an_address_mails_a_link_that_verifies_it(newcomer, mentor, room, clock, inbox):
    client = signed_in(newcomer)
    response = save(client, "alice.new@example.org")
    assert response.status_code == 302

    mail = inbox.only()
    assert mail.rcpt_tos == ["alice.new@example.org"]
    assert mail.subject == "Confirm your email address for the help desk chat"
    assert "The link works for 72 hours." in mail.text
    [link] = mail.links_to("/notifications/verify/")
    assert link in mail.html
    settings_row = EmailSettings.objects.get(user=newcomer)
    assert settings_row.address == "alice.new@example.org" and settings_row.verified_at is None

    page = Client().get(link)  # from the mail, signed in or not
    assert page.status_code == 200
    assert "alice.new@example.org" in page.content.decode()
    assert EmailSettings.objects.get(user=newcomer).verified

    inbox.clear()
    mailed_after_two_minutes(newcomer, mentor, room, clock)
    assert inbox.only().rcpt_tos == ["alice.new@example.org"]


def test_the_page_says_whether_the_address_is_verified(newcomer, clock, inbox):
    client = signed_in(newcomer)
    save(client, "alice@example.org")
    html = client.get("/notifications/settings/").content.decode()
    assert "alice@example.org is not verified yet" in html
    assert "Send the link again" in html

    Client().get(inbox.only().links_to("/notifications/verify/")[0])
    html = client.get("/notifications/settings/").content.decode()
    assert "alice@example.org is verified" in html
    assert "Send the link again" not in html


def test_an_expired_link_is_refused(newcomer, clock, inbox):
    save(signed_in(newcomer), "alice@example.org")
    [link] = inbox.only().links_to("/notifications/verify/")

    clock.advance(hours=72, seconds=1)
    response = Client().get(link)
    assert response.status_code == 400
    assert "This link has expired." in response.content.decode()
    assert not EmailSettings.objects.get(user=newcomer).verified


def test_a_link_still_works_just_before_it_expires(newcomer, clock, inbox):
    save(signed_in(newcomer), "alice@example.org")
    [link] = inbox.only().links_to("/notifications/verify/")
    clock.advance(hours=71, minutes=59)
    assert Client().get(link).status_code == 200
    assert EmailSettings.objects.get(user=newcomer).verified


def test_a_forged_link_is_refused(newcomer, clock, inbox):
    save(signed_in(newcomer), "alice@example.org")
    [link] = inbox.only().links_to("/notifications/verify/")
    token = link.rstrip("/").rsplit("/", 1)[1]
    value, stamp, signature = token.rsplit(":", 2)
    tampered = f"{value}:{stamp}:{signature[::-1]}"
    for bad in [tampered, "abc", f"{value}:{stamp}"]:
        response = Client().get(f"/notifications/verify/{bad}/")
        assert response.status_code == 400, bad
        assert "This link is not valid." in response.content.decode()
    assert not EmailSettings.objects.get(user=newcomer).verified


def test_the_link_for_an_old_address_does_not_verify_the_new_one(newcomer, clock, inbox):
    client = signed_in(newcomer)
    save(client, "old@example.org")
    [old_link] = inbox.only().links_to("/notifications/verify/")
    save(client, "new@example.org")

    response = Client().get(old_link)
    assert response.status_code == 400
    assert not EmailSettings.objects.get(user=newcomer).verified


def test_changing_a_verified_address_needs_a_new_verification(asker, mentor, room, clock, inbox):
    save(signed_in(asker), "elsewhere@example.org")
    assert inbox.only().subject == "Confirm your email address for the help desk chat"
    inbox.clear()
    mailed_after_two_minutes(asker, mentor, room, clock)
    assert inbox.messages == []


def test_sending_the_link_again_waits_a_minute_between_mails(newcomer, clock, inbox):
    client = signed_in(newcomer)
    save(client, "alice@example.org")
    assert len(inbox.messages) == 1

    response = client.post("/notifications/settings/verify/", follow=True)
    assert "A link was sent a moment ago." in response.content.decode()
    assert len(inbox.messages) == 1

    clock.advance(seconds=60)
    response = client.post("/notifications/settings/verify/", follow=True)
    assert "We sent a link to alice@example.org." in response.content.decode()
    assert len(inbox.messages) == 2
    assert SentEmail.objects.filter(kind="verification").count() == 2
    # Either link works.
    assert Client().get(inbox.messages[0].links_to("/notifications/verify/")[0]).status_code == 200


def test_a_mail_server_failure_is_reported_and_recorded_nowhere(newcomer, clock, inbox):
    inbox.refuse = True
    response = save(signed_in(newcomer), "alice@example.org")
    assert response.status_code == 200
    assert "The email could not be sent." in response.content.decode()
    assert not SentEmail.objects.exists()
    # Nothing was kept: the next try sends at once rather than waiting a minute.
    inbox.refuse = False
    signed_in(newcomer).post("/notifications/settings/verify/")
    assert len(inbox.messages) == 1


def test_a_bad_address_is_refused_on_the_form(newcomer, inbox):
    response = save(signed_in(newcomer), "not an address")
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert not EmailSettings.objects.exists()
    assert inbox.messages == []


def test_kinds_can_be_turned_off_and_on_from_the_page(asker, mentor, room, clock, inbox):
    client = signed_in(asker)
    save(client, "alice@example.org", kinds=["mention", "claimed", "resolved", "reminder"])
    assert EmailSettings.objects.get(user=asker).unsubscribed_kinds == ["reply"]
    assert inbox.messages == []  # same address: still verified, nothing to confirm
    mailed_after_two_minutes(asker, mentor, room, clock)
    assert inbox.messages == []

    save(client, "alice@example.org")
    assert EmailSettings.objects.get(user=asker).unsubscribed_kinds == []
    mailed_after_two_minutes(asker, mentor, room, clock)
    assert len(inbox.messages) == 1


def test_an_empty_address_turns_email_off(asker, mentor, room, clock, inbox):
    save(signed_in(asker), "")
    assert not EmailSettings.objects.get(user=asker).verified
    mailed_after_two_minutes(asker, mentor, room, clock)
    assert inbox.messages == []


def test_the_admin_shows_settings_and_sent_mail_read_only(asker, mentor, room, clock, inbox):
    mailed_after_two_minutes(asker, mentor, room, clock)
    boss = make_user("Boss", is_staff=True, is_superuser=True)
    client = signed_in(boss)
    for model in ["emailsettings", "sentemail"]:
        page = client.get(f"/admin/notifications/{model}/")
        assert page.status_code == 200, model
        assert "alice@example.org" in page.content.decode()
    row = EmailSettings.objects.get(user=asker)
    assert client.post(f"/admin/notifications/emailsettings/{row.pk}/change/").status_code == 403
