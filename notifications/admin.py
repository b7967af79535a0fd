"""Email settings and what was mailed, read only: to answer "why did I (not) get an
email?". Changes go through the person's settings page and the mailed links."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from .models import EmailSettings, SentEmail


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(EmailSettings)
class EmailSettingsAdmin(ReadOnlyAdmin):
    list_display = ["user", "address", "verified_at", "unsubscribed_kinds", "updated_at"]
    search_fields = ["user__username", "address"]
    list_select_related = ["user"]


@admin.register(SentEmail)
class SentEmailAdmin(ReadOnlyAdmin):
    list_display = ["sent_at", "recipient", "kind", "address", "group"]
    list_filter = ["kind"]
    search_fields = ["recipient__username", "address"]
    list_select_related = ["recipient"]
    ordering = ["-sent_at"]
