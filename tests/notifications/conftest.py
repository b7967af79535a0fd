"""A real SMTP server for the notification tests: aiosmtpd on 127.0.0.1, on a port the
system picks, in a thread; Django's SMTP backend is pointed at it, and the tests read what
it received (headers, both parts, links)."""

from __future__ import annotations

import email
import logging
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller

from accounts.models import User
from core import clock as project_clock
from notifications.models import EmailSettings
from tests.conftest import make_user

SITE = "http://testserver"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes  # as it came over the wire

    def raw_header(self, name: str) -> str:
        """A header as sent, unfolded, before any decoding."""
        head = self.raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
        unfolded = re.sub(r"\r\n[ \t]+", " ", head)
        prefix = name.lower() + ":"
        lines = [line for line in unfolded.split("\r\n") if line.lower().startswith(prefix)]
        assert len(lines) == 1, (name, lines)
        return lines[0][len(prefix) :].strip()

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def header(self, name: str) -> str | None:
        value = self.message[name]
        return None if value is None else str(value)

    def part(self, content_type: str) -> str:
        found = self.message.get_body(preferencelist=(content_type.split("/")[1],))
        assert found is not None and found.get_content_type() == content_type, content_type
        return found.get_content()

    @property
    def text(self) -> str:
        return self.part("text/plain")

    @property
    def html(self) -> str:
        return self.part("text/html")

    def links(self) -> list[str]:
        """Every link of ours in the plain-text part, as paths for the test client."""
        return [urlsplit(url).path for url in re.findall(rf"{re.escape(SITE)}/\S+", self.text)]

    def links_to(self, fragment: str) -> list[str]:
        return [link for link in self.links() if fragment in link]


@dataclass
class Inbox:
    """The aiosmtpd handler: keeps every message it accepts. ``refuse`` makes the server
    answer DATA with a temporary failure (451), as a server in trouble would."""

    received: list[Received] = field(default_factory=list)
    refuse: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return "451 Requested action aborted: local error in processing"
        raw = envelope.original_content
        message = email.message_from_bytes(raw, policy=default_policy)
        assert isinstance(message, EmailMessage)
        with self.lock:
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), message, raw)
            )
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[Received]:
        with self.lock:
            return list(self.received)

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.rcpt_tos]

    def only(self) -> Received:
        messages = self.messages
        assert len(messages) == 1, [m.subject for m in messages]
        return messages[0]

    def clear(self) -> None:
        with self.lock:
            self.received.clear()


class LoopbackController(Controller):
    """aiosmtpd's threaded controller on a port the system assigns (port 0), so that
    parallel runs never collide; the real port is read back once the server listens."""

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    # aiosmtpd logs every connection at INFO; a failing test's report needs none of it.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    inbox = Inbox()
    controller = LoopbackController(inbox, hostname="127.0.0.1", port=0)
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def inbox(smtp_server: tuple[Inbox, int], settings: Any) -> Inbox:
    """Every notification test mails through the real SMTP server, never Django's
    in-memory outbox."""
    server, port = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "Help desk <helpdesk@example.org>"
    settings.LIVECHAT_SITE_URL = SITE
    return server


@pytest.fixture
def asker(db: None) -> User:
    """Alice, who asks questions, with a verified address."""
    user = make_user("Alice", email="alice@example.org")
    verify(user)
    return user


def verify(user: User, address: str | None = None) -> EmailSettings:
    """Give ``user`` a verified address (as if they had opened the link)."""
    row, _ = EmailSettings.objects.update_or_create(
        user=user,
        defaults={
            "address": address or f"{user.username.lower()}@example.org",
            "verified_at": project_clock.now() - timedelta(days=1),
        },
    )
    return row
