"""A person's data on the web (docs/privacy.md): "Download my data" for the person
themself, and the superusers' pages in the admin (export someone's data; erase it, after
a page that says what will happen). A few lines each around accounts.personal_data and
accounts.erasure."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.errors import DomainError

from .erasure import erase_personal_data, is_erased
from .models import User
from .personal_data import export_filename, export_personal_data


def data_download(user: User) -> HttpResponse:
    """The export as a UTF-8 JSON attachment named for the person and the day."""
    body = json.dumps(export_personal_data(user=user), ensure_ascii=False, indent=2)
    response = HttpResponse(body.encode(), content_type="application/json; charset=utf-8")
    # Django quotes the name (and encodes it per RFC 6266 when it is not ASCII).
    response.headers["Content-Disposition"] = _attachment(export_filename(user=user))
    response.headers["Cache-Control"] = "no-store"
    return response


def _attachment(filename: str) -> str:
    from django.utils.http import content_disposition_header

    return content_disposition_header(as_attachment=True, filename=filename) or "attachment"


@login_required
@require_GET
@never_cache
def my_data(request: HttpRequest) -> HttpResponse:
    """ "Download my data" (the settings page): the signed-in person's own, nobody else's."""
    return data_download(request.user)


# --- the admin's pages (accounts.admin.UserAdmin.get_urls wraps them in admin_view) ----------


def _subject(request: HttpRequest, object_id: str) -> User:
    # Superusers only, whatever a moderator may do elsewhere in the admin.
    if not (request.user.is_active and request.user.is_superuser):
        raise PermissionDenied(_("Only superusers can export or erase a person's data."))
    user = User.objects.filter(pk=_int(unquote(object_id))).first()
    if user is None:
        raise Http404(_("No user with id %(id)s.") % {"id": repr(object_id)})
    return user


def _int(value: str) -> int:
    return int(value) if value.isdigit() else 0


def admin_export(request: HttpRequest, object_id: str) -> HttpResponse:
    # Who first, then how: nobody but a superuser learns which methods a page takes.
    user = _subject(request, object_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return data_download(user)


def admin_erase(request: HttpRequest, object_id: str, *, context: dict[str, Any]) -> HttpResponse:
    """GET: what erasure will do and keep; POST: erase, then back to the account."""
    user = _subject(request, object_id)
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    if request.method == "POST":
        try:
            done = erase_personal_data(superuser=request.user, user=user)
        except DomainError as error:
            messages.error(request, error.detail)
        else:
            if done.already_erased:
                messages.info(request, _("%(name)s was erased already.") % {"name": done.pseudonym})
            else:
                messages.success(
                    request,
                    _("The data was erased; the account is now “%(name)s”.")
                    % {"name": done.pseudonym},
                )
        return redirect(reverse("admin:accounts_user_change", args=[user.pk]))
    return TemplateResponse(
        request,
        "admin/accounts/user/erase.html",
        {
            **context,
            "title": _("Erase the data of %(name)s") % {"name": user.get_username()},
            "subject": user,
            "already_erased": is_erased(user),
            "counts": _what_goes(user),
        },
    )


def _what_goes(user: User) -> dict[str, int]:
    """The numbers the confirmation page names."""
    from livechat.models import Message, Reaction, Thanks
    from moderation.models import Block, Report

    return {
        "messages": Message.objects.filter(author=user).exclude(body="").count(),
        "reactions": Reaction.objects.filter(user=user).count(),
        "thanks": Thanks.objects.filter(user=user).count(),
        "blocks": Block.objects.filter(user=user).count(),
        "reports_about": Report.objects.filter(message__author=user).count(),
    }
