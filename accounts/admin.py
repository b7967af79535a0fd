from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import data_views
from .forms import AdminUserCreationForm, UserChangeForm
from .models import User
from .roles import ROLES, roles_of, with_role_flags


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Accounts and their roles are for superusers only, whatever permissions a moderator
    may have been granted: giving oneself the Moderators group must not be possible."""

    form = UserChangeForm
    add_form = AdminUserCreationForm
    list_display = ("username", "roles", "is_active", "is_superuser", "date_joined")
    # A person's data (docs/privacy.md): one account at a time, each on its own page.
    actions = ["export_data", "erase_data"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        # The roles column without a query per row.
        return with_role_flags(super().get_queryset(request))

    @admin.display(description=_("Roles"))
    def roles(self, user: User) -> str:
        held = set(roles_of(user))
        return ", ".join(str(role.label) for role in ROLES if role.name in held) or "—"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self.has_module_permission(request)

    # --- a person's data (accounts.data_views, docs/privacy.md) --------------------------

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view

        def erase(request: HttpRequest, object_id: str) -> HttpResponse:
            request.current_app = self.admin_site.name
            context = {**self.admin_site.each_context(request), "opts": self.opts}
            return data_views.admin_erase(request, object_id, context=context)

        # Before the stock patterns: "<path:object_id>/" would swallow "5/export-data/".
        return [
            path(
                "<path:object_id>/export-data/",
                view(data_views.admin_export),
                name="accounts_user_export_data",
            ),
            path("<path:object_id>/erase/", view(erase), name="accounts_user_erase"),
            *super().get_urls(),
        ]

    def _one(self, request: HttpRequest, queryset: QuerySet[User], url_name: str) -> Any:
        users = list(queryset[:2])
        if len(users) != 1:
            self.message_user(
                request, gettext("Choose exactly one account for this."), messages.WARNING
            )
            return None
        return HttpResponseRedirect(reverse(f"admin:{url_name}", args=[users[0].pk]))

    @admin.action(description=_("Export data (JSON)"))
    def export_data(self, request: HttpRequest, queryset: QuerySet[User]) -> Any:
        return self._one(request, queryset, "accounts_user_export_data")

    @admin.action(description=_("Erase data…"))
    def erase_data(self, request: HttpRequest, queryset: QuerySet[User]) -> Any:
        return self._one(request, queryset, "accounts_user_erase")
