from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

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
