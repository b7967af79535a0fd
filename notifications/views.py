"""Pages: the settings page (signed in), and the pages mailed links open (no sign-in:
the signed token is the proof). Each is a few lines around one action."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.language import set_language
from accounts.privacy import set_name_in_archives
from accounts.time_zone import set_time_zone
from core import i18n
from core.errors import DomainError

from . import actions, selectors
from .forms import ArchiveNameForm, EmailSettingsForm, LanguageForm, TimeZoneForm
from .kinds import EMAIL_KINDS


def _invalid_link(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(
        request, "notifications/link_invalid.html", {"detail": error.detail}, status=error.status
    )


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    current = selectors.email_settings(user=request.user)
    form = EmailSettingsForm(
        request.POST or None,
        initial={
            "address": current.address,
            "kinds": [kind for kind in EMAIL_KINDS if kind not in current.unsubscribed_kinds],
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.save_settings(
                user=request.user,
                address=form.cleaned_data["address"],
                email_kinds=form.cleaned_data["kinds"],
            )
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            if saved.verification_sent:
                messages.success(
                    request,
                    _("Saved. We sent a link to %(address)s: open it to start getting email.")
                    % {"address": saved.settings.address},
                )
            else:
                messages.success(request, _("Saved."))
            return redirect("livechat:notifications-settings")
    archive_form = ArchiveNameForm(initial={"name_in_archives": request.user.name_in_archives})
    language_form = LanguageForm(initial={"language": request.user.language})
    time_zone_form = TimeZoneForm(initial={"time_zone": request.user.time_zone})
    return render(
        request,
        "notifications/settings.html",
        {
            "form": form,
            "current": current,
            "archive_form": archive_form,
            "language_form": language_form,
            "time_zone_form": time_zone_form,
        },
    )


@login_required
@require_POST
def archive_name(request: HttpRequest) -> HttpResponse:
    """The person's name in the public archives: shown or not (accounts.privacy)."""
    form = ArchiveNameForm(request.POST)
    form.is_valid()  # a checkbox: absent means unticked, nothing can be invalid
    shown = bool(form.cleaned_data.get("name_in_archives"))
    set_name_in_archives(user=request.user, shown=shown)
    if shown:
        messages.success(request, _("Saved: the public archives show your name."))
    else:
        messages.success(
            request, _("Saved: the public archives show you anonymously from their next update.")
        )
    return redirect("livechat:notifications-settings")


@login_required
@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """The person's interface language, or automatic (accounts.language)."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This language is not offered."))
        return redirect("livechat:notifications-settings")
    chosen = form.cleaned_data["language"]
    set_language(user=request.user, language=chosen)
    # Said in the language the next page speaks, not the one this request came in.
    now_speaking = i18n.choose(
        uselang=None, saved=chosen, accept_language=request.headers.get("Accept-Language", "")
    )
    with i18n.override(now_speaking):
        messages.success(request, _("Saved: the chat speaks this language to you."))
    return redirect("livechat:notifications-settings")


@login_required
@require_POST
def time_zone(request: HttpRequest) -> HttpResponse:
    """The person's time zone, or automatic (accounts.time_zone)."""
    form = TimeZoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This time zone is not known."))
        return redirect("livechat:notifications-settings")
    set_time_zone(user=request.user, time_zone=form.cleaned_data["time_zone"])
    messages.success(request, _("Saved: dates and times are in this time zone."))
    return redirect("livechat:notifications-settings")


@login_required
@require_POST
def request_verification(request: HttpRequest) -> HttpResponse:
    try:
        row = actions.request_verification(user=request.user)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        if row.verified:
            messages.info(request, _("Your address is already verified."))
        else:
            messages.success(
                request, _("We sent a link to %(address)s.") % {"address": row.address}
            )
    return redirect("livechat:notifications-settings")


@require_GET
def verify(request: HttpRequest, token: str) -> HttpResponse:
    try:
        row = actions.verify_address(token=token)
    except DomainError as error:
        return _invalid_link(request, error)
    return render(request, "notifications/verified.html", {"address": row.address})


# Mail clients POST here with no cookie and no CSRF token (RFC 8058 one-click); the signed
# token in the URL is what proves the request comes from the person's mail.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "GET":
            # A link opened (or prefetched by a mail scanner) changes nothing: the page
            # asks to confirm with a button.
            found = actions.read_unsubscribe(token=token)
        else:
            found = actions.unsubscribe(token=token)
    except DomainError as error:
        return _invalid_link(request, error)
    context = {
        "labels": [EMAIL_KINDS[kind].label for kind in found.kinds],
        "done": request.method == "POST",
    }
    return render(request, "notifications/unsubscribe.html", context)


@require_GET
def go(request: HttpRequest, token: str) -> HttpResponse:
    try:
        message = actions.open_message_link(token=token)
    except DomainError as error:
        return _invalid_link(request, error)
    room = reverse("livechat:room", args=[message.room.slug])
    return HttpResponseRedirect(f"{room}#message-{message.pk}")
