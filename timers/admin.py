"""Timers in the admin, read only: what is waiting, what is late, what failed and why.

Changes go through the owning app's actions (answering a question cancels its timers),
never through this page. Who sees it is Django's own permission ``timers.view_timer``
(superusers have it); the timers app depends on no other app, moderation included.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from core import clock

from .models import Timer
from .status import backlog_sentences
from .worker import backlog


class StateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("overdue", _("Overdue")),
            ("scheduled", _("Not due yet")),
            ("parked", _("Parked after failing")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Timer]) -> QuerySet[Timer]:
        now = clock.now()
        if self.value() == "overdue":
            return queryset.filter(parked_at__isnull=True, due_at__lte=now)
        if self.value() == "scheduled":
            return queryset.filter(parked_at__isnull=True, due_at__gt=now)
        if self.value() == "parked":
            return queryset.filter(parked_at__isnull=False)
        return queryset


@admin.register(Timer)
class TimerAdmin(admin.ModelAdmin):
    list_display = ["key", "kind", "due_at", "attempts", "error", "parked_at"]
    list_filter = [StateFilter, "kind"]
    search_fields = ["^key"]  # a prefix, as keys are built: "question:42:"
    ordering = ["due_at"]
    show_full_result_count = False
    fields = [
        "key",
        "kind",
        "payload_",
        "due_at",
        "leased_until",
        "attempts",
        "parked_at",
        "last_error_",
        "created_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    @admin.display(description=_("last error"))
    def error(self, timer: Timer) -> str:
        # A traceback's last line names the exception.
        lines = timer.last_error.strip().splitlines()
        return Truncator(lines[-1]).chars(100) if lines else ""

    @admin.display(description=_("payload"))
    def payload_(self, timer: Timer) -> SafeString:
        text = json.dumps(timer.payload, indent=2, ensure_ascii=False, sort_keys=True)
        return format_html("<pre>{}</pre>", text)

    @admin.display(description=_("last error"))
    def last_error_(self, timer: Timer) -> SafeString | str:
        return format_html("<pre>{}</pre>", timer.last_error) if timer.last_error else ""

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return super().changelist_view(
            request, {"subtitle": " ".join(backlog_sentences(backlog())), **(extra_context or {})}
        )
