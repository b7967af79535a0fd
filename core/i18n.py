"""The interface language: the rules that choose it (``?uselang=``, the person's own choice,
the browser's ``Accept-Language``, ``LANGUAGE_CODE``) and ``qqx``, the pseudo-language that
shows each message's key instead of its text, as MediaWiki's ``uselang=qqx`` does
(docs/translating.md).

``qqx`` is never in ``LANGUAGES`` (nobody picks it in a menu) but ``?uselang=qqx`` accepts
it. Its translation object answers every gettext call with the msgid in parentheses, which
for our catalogs *is* the key: ``(Send)``, ``(%(count)d new message)`` by count for plurals
(then interpolated, so pages keep working), ``(context|msgid)`` for a message with a context,
so that a translator finds exactly the entry of the .po file. Django's own words (the
admin's) come out as keys too: the object answers for every domain.
"""

from __future__ import annotations

import gettext as gettext_module
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import trans_real
from django.views.i18n import JavaScriptCatalog as DjangoJavaScriptCatalog

QQX = "qqx"
CONTEXT_SEPARATOR = "\x04"

LANG_INFO.setdefault(
    QQX,
    # get_language_info('qqx') (a template asking the page's language name) must not fail.
    {"bidi": False, "code": QQX, "name": "Message keys", "name_local": "qqx"},
)


def key(msgid: str) -> str:
    """How qqx shows a message: its key in parentheses (``context|msgid`` with a context)."""
    return "(" + msgid.replace(CONTEXT_SEPARATOR, "|") + ")"


class QqxTranslation(gettext_module.NullTranslations):
    """The translation object activated for ``qqx``. Django's ``pgettext`` asks ``gettext``
    for ``context\\x04msgid`` and falls back to the msgid when the answer still holds the
    separator; the key replaces it by ``|``, so the context shows."""

    def gettext(self, message: str) -> str:
        return key(message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return key(msgid1 if n == 1 else msgid2)

    def pgettext(self, context: str, message: str) -> str:
        return key(context + CONTEXT_SEPARATOR + message)

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:
        return key(context + CONTEXT_SEPARATOR + (msgid1 if n == 1 else msgid2))

    def language(self) -> str:
        return QQX

    def to_language(self) -> str:
        return QQX


def _register_qqx() -> None:
    # Django keeps one translation object per language in trans_real._translations and
    # builds a DjangoTranslation (English, for a language without catalogs) for any code it
    # has not seen. Registered on every use, not once: the test signals empty that cache
    # when LOCALE_PATHS changes.
    if not isinstance(trans_real._translations.get(QQX), QqxTranslation):
        trans_real._translations[QQX] = QqxTranslation()


def activate(language: str) -> None:
    """``translation.activate`` that knows ``qqx``."""
    if language == QQX:
        _register_qqx()
    translation.activate(language)


@contextmanager
def override(language: str | None) -> Iterator[None]:
    """``translation.override`` that knows ``qqx``."""
    if language == QQX:
        _register_qqx()
    with translation.override(language):
        yield


def offered(language: str) -> str | None:
    """``language`` as one of ``LANGUAGES`` (``pt-BR`` → ``pt-br``, ``cs-CZ`` → ``cs``), or
    None when the project does not ship it."""
    if not language:
        return None
    try:
        return translation.get_supported_language_variant(language.strip().lower())
    except LookupError:
        return None


def from_uselang(value: str | None) -> str | None:
    """The language ``?uselang=`` asks for: one of ``LANGUAGES``, or ``qqx``; None (the next
    rule decides) for anything else."""
    if not value:
        return None
    value = value.strip().lower()
    if value == QQX:
        return QQX
    return offered(value)


def from_accept_language(header: str) -> str | None:
    """The first language of an ``Accept-Language`` header the project ships, as Django's
    LocaleMiddleware reads it (quality order, a region falling back to its language)."""
    for accept_lang, _unused in trans_real.parse_accept_lang_header(header):
        if accept_lang == "*":
            break
        found = offered(accept_lang)
        if found is not None:
            return found
    return None


def choose(*, uselang: str | None, saved: str | None, accept_language: str) -> str:
    """The interface language, by the first rule that gives one: ``?uselang=``, the person's
    saved choice (blank: automatic), the browser's ``Accept-Language``, ``LANGUAGE_CODE``."""
    return (
        from_uselang(uselang)
        or offered(saved or "")
        or from_accept_language(accept_language)
        or settings.LANGUAGE_CODE
    )


# --- HTTP ---------------------------------------------------------------------------------


class LanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware with the project's rules (:func:`choose`). Goes after
    AuthenticationMiddleware (and the widget's token sign-in): the person's saved choice
    needs ``request.user``. Keeps what LocaleMiddleware's response does: ``Vary:
    Accept-Language`` and ``Content-Language``; reading the person's choice reads the
    session, so SessionMiddleware adds ``Vary: Cookie`` as well. The scripts' catalog
    (/jsi18n/) goes through the same rules: base.html passes it the page's language as
    ``?uselang=``, so a page and its catalog never disagree."""

    def process_request(self, request: HttpRequest) -> None:
        uselang = from_uselang(request.GET.get("uselang"))
        # The saved choice is read only when ?uselang= did not decide: reading it touches
        # the session (and the database).
        saved = None if uselang else _saved_language(getattr(request, "user", None))
        language = choose(
            uselang=uselang,
            saved=saved,
            accept_language=request.headers.get("Accept-Language", ""),
        )
        activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        if "uselang" in request.GET:
            # The parameter is this middleware's alone: views that read every parameter
            # as a filter (the admin's change lists answer an unknown one with ?e=1)
            # never see it. The address keeps it (a sign-in's ?next= does).
            query = request.GET.copy()
            del query["uselang"]
            request.GET = query


def _saved_language(user: Any) -> str | None:
    if user is None or not user.is_authenticated:
        return None
    return getattr(user, "language", "") or None


# --- Sockets ------------------------------------------------------------------------------


class SocketLanguageMiddleware:
    """The socket's language, by the same rules from its handshake: ``?uselang=`` in the
    socket's address (the page's scripts pass the page's language), the person's saved
    choice, the handshake's ``Accept-Language``. Stored as ``scope["language"]``; the
    consumers activate it around every frame they handle (livechat.consumers.LeanDispatch),
    so an ``error`` frame's ``detail`` is in the person's language. Goes inside the auth
    middleware (it reads ``scope["user"]``)."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        query = parse_qs(scope.get("query_string", b"").decode("latin1"))
        headers = dict(scope.get("headers") or [])
        language = choose(
            uselang=(query.get("uselang") or [""])[0],
            saved=_saved_language(scope.get("user")),
            accept_language=headers.get(b"accept-language", b"").decode("latin1"),
        )
        return await self.application({**scope, "language": language}, receive, send)


# --- The scripts' catalog -----------------------------------------------------------------

# Appended to Django's catalog script for qqx: the page's gettext family answers with keys,
# as the server's does (static/livechat/i18n.js calls these globals). Django's script
# defines its functions only once per page (django.jsi18n_initialized); these replace them.
QQX_SCRIPT = r"""
{
  const globals = this;
  const django = globals.django;
  const key = (msgid) => "(" + String(msgid).replace("\x04", "|") + ")";
  django.gettext = (msgid) => key(msgid);
  django.ngettext = (singular, plural, count) => key(count == 1 ? singular : plural);
  django.pgettext = (context, msgid) => key(context + "\x04" + msgid);
  django.npgettext = (context, singular, plural, count) =>
    key(context + "\x04" + (count == 1 ? singular : plural));
  for (const name of ["gettext", "ngettext", "pgettext", "npgettext"]) {
    globals[name] = django[name];
  }
}
"""


class JavaScriptCatalog(DjangoJavaScriptCatalog):
    """Django's catalog view (/jsi18n/), in the language the middleware chose, and for
    ``qqx`` a script whose gettext family returns keys."""

    def render_to_response(self, context: dict[str, Any], **response_kwargs: Any) -> HttpResponse:
        if translation.get_language() != QQX:
            return super().render_to_response(context, **response_kwargs)
        response = super().render_to_response({**context, "catalog": {}}, **response_kwargs)
        response.content = response.content + QQX_SCRIPT.encode()
        return response
