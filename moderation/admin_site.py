"""The admin site: the moderators' workplace.

Moderators (the "Moderators" group) and superusers use it; nobody needs ``is_staff``.
Signed-in people without that role get 403 on every admin URL rather than the login
form, which would only invite them to sign in again as someone else. Anonymous visitors
sign in through the site's own login page, the one everybody uses.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import update_wrapper
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from accounts.roles import is_moderator

from . import wiki_blocks
from .models import AbuseFilter, Block, ModerationLog, Report


def may_moderate(request: HttpRequest) -> bool:
    """Active moderators; superusers count as moderators (accounts.roles.is_moderator)."""
    return bool(request.user.is_active) and is_moderator(request.user)


class ModerationAdminSite(admin.AdminSite):
    site_header = _("Help desk moderation")
    site_title = _("Help desk moderation")
    index_title = _("Moderation")
    # The app list in a sidebar takes a quarter of the width from the texts and diffs
    # moderators read; the index and the breadcrumbs lead everywhere.
    enable_nav_sidebar = False
    index_template = "admin/moderation/index.html"

    def has_permission(self, request: HttpRequest) -> bool:
        return may_moderate(request)

    def admin_view(self, view: Callable[..., Any], cacheable: bool = False) -> Callable[..., Any]:
        inner = super().admin_view(view, cacheable)

        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
            if not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return update_wrapper(guarded, inner)

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        waiting = {
            "open_reports": Report.objects.filter(status=Report.Status.OPEN).count(),
            "filters_needing_attention": AbuseFilter.objects.filter(needs_attention=True).count(),
            "active_blocks": Block.objects.active().count(),
            # The wiki whose blocks apply here has not answered since then (None: it does).
            "wiki_unreachable_since": wiki_blocks.unreachable_since(),
        }
        recent = ModerationLog.objects.select_related("actor", "target_user")[:10]
        context = {"waiting": waiting, "recent_log": recent, **(extra_context or {})}
        return super().index(request, context)

    @method_decorator(never_cache)
    @login_not_required
    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Admin's own login form is for staff accounts; ours signs in on the site's page
        and comes back."""
        index = reverse("admin:index", current_app=self.name)
        target = request.GET.get("next") or index
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = index
        if not request.user.is_authenticated:
            return redirect_to_login(target, settings.LOGIN_URL)
        if not self.has_permission(request):
            raise PermissionDenied
        return HttpResponseRedirect(target)
