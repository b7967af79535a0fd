"""The stand-in's pages: the wiki's sign-in form and Extension:OAuth's profile.

The authorization and token endpoints are django-oauth-toolkit's own views (urls.py); the
authorization step auto-approves because the application skips authorization, so MediaWiki's
consent screen has no stand-in (docs/wiki.md).
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model, login
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods
from oauth2_provider.oauth2_backends import get_oauthlib_core

from wikioauth import wiki
from wikioauth.models import WikiAccount

log = logging.getLogger(__name__)


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Stands in for Special:UserLogin: the password is checked by the wiki itself."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    context = {"next": next_url, "name": "", "error": ""}
    if request.method == "POST":
        name = request.POST.get("username", "").strip()
        context["name"] = name
        try:
            outcome = wiki.sign_in(name, request.POST.get("password", ""))
        except wiki.WikiUnavailable as error:
            log.warning("the wiki did not answer a sign-in: %s", error)
            context["error"] = "The wiki did not answer. Try again in a moment."
            return render(request, "wikioauth/login.html", context, status=503)
        if isinstance(outcome, wiki.Refused):
            context["error"] = outcome.message
            return render(request, "wikioauth/login.html", context, status=200)
        login(request, _local_user(outcome), backend="django.contrib.auth.backends.ModelBackend")
        if next_url:
            return redirect(next_url)
    return render(request, "wikioauth/login.html", context)


@transaction.atomic
def _local_user(signed_in: wiki.SignedIn):
    user, _ = get_user_model().objects.get_or_create(username=f"wiki-{signed_in.wiki_id}")
    WikiAccount.objects.update_or_create(
        wiki_id=signed_in.wiki_id,
        defaults={
            "user": user,
            "name": signed_in.name,
            "email_confirmed": signed_in.email_confirmed,
        },
    )
    return user


def _oauth_error(status: int, error: str, message: str) -> JsonResponse:
    response = JsonResponse({"error": error, "message": message}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


@require_GET
def profile(request: HttpRequest) -> HttpResponse:
    """GET rest.php/oauth2/resource/profile, as Extension:OAuth's UserStatementProvider
    answers it for an identity-only grant: no email or real name."""
    valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
    if not valid:
        return _oauth_error(401, "access_denied", "A valid access token is required.")
    token = oauth_request.access_token
    account = WikiAccount.objects.filter(user_id=token.user_id).first()
    if account is None:
        return _oauth_error(401, "access_denied", "The token belongs to no wiki account.")
    try:
        user = wiki.user(account.wiki_id)
    except wiki.WikiUnavailable as error:
        log.warning("the wiki did not answer a profile read: %s", error)
        return _oauth_error(503, "temporarily_unavailable", "The wiki did not answer.")
    # On Wikimedia wikis sub is the central (CentralAuth) id; a lone wiki's is its user id.
    body: dict[str, object] = {"sub": account.wiki_id}
    if user is None:
        # What Extension:OAuth says of a hidden (suppressed) account.
        body["blocked"] = True
        return JsonResponse(body)
    body |= {
        "username": user["name"],
        "editcount": int(user.get("editcount", 0)),
        "confirmed_email": account.email_confirmed,
        # Any block, partial ones too: User::getBlock() !== null.
        "blocked": "blockid" in user,
        "registered": wiki.mw_timestamp(user.get("registration")),
        "groups": user.get("groups", []),
        "rights": user.get("rights", []),
        "grants": token.scope.split(),
    }
    return JsonResponse(body)
