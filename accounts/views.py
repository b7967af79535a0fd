"""Sign-in pages: the local sign-in page offers the wiki first; the widget's popup and the
token it hands back (accounts.widget_tokens, docs/wiki.md "The widget")."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from core.http import api_view

from . import widget_tokens


def wiki_sign_in_enabled() -> bool:
    """Whether the wiki's OAuth consumer is configured (its rest.php, and the app that
    config/settings.py gives allauth from LIVECHAT_WIKI_OAUTH_KEY)."""
    apps = settings.SOCIALACCOUNT_PROVIDERS.get("mediawiki", {}).get("APPS", [])
    return bool(settings.LIVECHAT_WIKI_OAUTH_REST and apps)


class SignInView(auth_views.LoginView):
    """The sign-in page: "Sign in with your wiki account" when the wiki is configured, and
    the password form for local accounts (superusers, the demo)."""

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        return {**super().get_context_data(**kwargs), "wiki_sign_in": wiki_sign_in_enabled()}


def widget_sign_in(request: HttpRequest) -> HttpResponse:
    """Where the widget's popup starts: straight to the hand-over when the person is
    signed in here already (a first-party cookie, which the popup has), otherwise through
    the sign-in page."""
    done = reverse("widget-signed-in")
    if request.user.is_authenticated:
        return redirect(done)
    return redirect(f"{reverse('login')}?{urlencode({'next': done})}")


@login_required
def widget_signed_in(request: HttpRequest) -> HttpResponse:
    """The popup's last page: its script posts a token to the widget that opened it (same
    origin only) and closes the popup."""
    return render(
        request, "accounts/widget_signed_in.html", {"token": widget_tokens.issue(request.user)}
    )


@api_view("POST")
def widget_token(request: HttpRequest) -> JsonResponse:
    """A fresh token for an open widget, which signs this request with its current one
    (accounts.middleware.WidgetTokenMiddleware)."""
    return JsonResponse({"token": widget_tokens.issue(request.user)})
