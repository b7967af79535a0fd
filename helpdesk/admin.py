"""The help desk in the moderators' admin: mentorships (assigning a newcomer's mentor),
mentors' settings, and the questions (read only: their states change through the
actions, from the chat and the queue)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest

from core.errors import DomainError

from . import mentor_actions
from .models import MentorProfile, Mentorship, Question


def _moderates(request: HttpRequest) -> bool:
    from accounts.roles import is_moderator

    return request.user.is_active and is_moderator(request.user)


class HelpdeskAdmin(admin.ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return _moderates(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _moderates(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _moderates(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _moderates(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Mentorship)
class MentorshipAdmin(HelpdeskAdmin):
    list_display = ("mentee", "mentor", "source", "assigned_at")
    list_filter = ("source",)
    search_fields = ("mentee__username", "mentor__username")
    autocomplete_fields = ()
    raw_id_fields = ("mentee", "mentor")
    fields = ("mentee", "mentor")

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        # Through the action: only moderators, only mentors, nobody their own mentor.
        assert isinstance(obj, Mentorship)
        try:
            mentor_actions.assign_mentor(actor=request.user, mentee=obj.mentee, mentor=obj.mentor)
        except DomainError as error:
            raise PermissionDenied(error.detail) from error


@admin.register(MentorProfile)
class MentorProfileAdmin(HelpdeskAdmin):
    list_display = ("user", "weight", "away_until", "backup", "muted_until")
    list_filter = ("weight",)
    search_fields = ("user__username",)
    raw_id_fields = ("user", "backup")


@admin.register(Question)
class QuestionAdmin(HelpdeskAdmin):
    list_display = ("pk", "room", "asker", "state", "asked_at", "first_reply_at", "claimed_by")
    list_filter = ("state", "room", "step")
    search_fields = ("asker__username",)
    date_hierarchy = "asked_at"
    list_select_related = ("room", "asker", "claimed_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def get_model_perms(self, request: HttpRequest) -> dict[str, bool]:
        return {"view": _moderates(request)}
