"""The moderation log and the abuse log: read only, to search and filter."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from core import isolate

from ..models import AbuseLog, ModerationLog
from . import wire
from .base import ModeratorAdmin, admin_link, excerpt, user_filter


@admin.register(ModerationLog)
class ModerationLogAdmin(ModeratorAdmin):
    read_only = True
    list_title = _("Moderation log")
    list_display = [
        "created_at",
        "actor",
        "what_done",
        "target_user",
        "message_link",
        "why",
        "what",
    ]
    list_filter = [
        "action",
        "created_at",
        user_filter("target_user", _("user")),
        user_filter("actor", _("moderator")),
    ]
    search_fields = ["reason", "target_user__username", "actor__username"]
    list_select_related = ["actor", "target_user"]
    show_full_result_count = False
    fields = [
        "created_at",
        "actor",
        "what_done",
        "target_user",
        "message_link",
        "reason",
        "details_",
    ]
    readonly_fields = fields

    # The stored action through the field's choices, or as stored when it has none
    # (moderation.admin.wire); the filter on the right still lists them by their labels.
    @admin.display(description=_("action"), ordering="action")
    def what_done(self, entry: ModerationLog) -> str:
        return wire.moderation_action(entry)

    @admin.display(description=_("message"))
    def message_link(self, entry: ModerationLog) -> SafeString | str:
        if entry.message_id is None:
            return "—"
        return admin_link("admin:livechat_message_change", entry.message_id, f"#{entry.message_id}")

    @admin.display(description=_("reason"))
    def why(self, entry: ModerationLog) -> str:
        return excerpt(entry.reason, 60)

    @admin.display(description=_("details"))
    def what(self, entry: ModerationLog) -> str:
        return wire.details_line(entry.details)

    @admin.display(description=_("details"))
    def details_(self, entry: ModerationLog) -> SafeString:
        return wire.details_list(entry.details)


class AbuseActionFilter(admin.SimpleListFilter):
    """Sending or editing, by their labels (the field has no choices: the filters' engine
    writes it)."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(value, str(label)) for value, label in wire.ABUSE_ACTIONS.items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(action=value) if value else queryset


@admin.register(AbuseLog)
class AbuseLogAdmin(ModeratorAdmin):
    read_only = True
    list_title = _("Abuse log")
    list_display = ["created_at", "which", "user", "room", "doing", "done", "saw"]
    list_filter = [
        "filter",
        "room",
        AbuseActionFilter,
        "created_at",
        user_filter("user", _("user")),
    ]
    search_fields = ["user__username", "filter__name"]
    list_select_related = ["filter", "user", "room"]
    show_full_result_count = False
    fields = ["created_at", "filter", "filter_version", "user", "room", "doing", "done", "seen"]
    readonly_fields = fields

    @admin.display(description=_("filter"), ordering="filter__name")
    def which(self, entry: AbuseLog) -> str:
        return _("%(name)s (v%(version)s)") % {
            "name": isolate.text(entry.filter.name),
            "version": entry.filter_version,
        }

    @admin.display(description=_("action"), ordering="action")
    def doing(self, entry: AbuseLog) -> str:
        return wire.label(wire.ABUSE_ACTIONS, entry.action)

    @admin.display(description=_("done"))
    def done(self, entry: AbuseLog) -> str:
        return wire.labels(wire.ABUSE_OUTCOMES, entry.outcome)

    @admin.display(description=_("what the filter saw"))
    def saw(self, entry: AbuseLog) -> SafeString:
        # The text first, on its own: it is what a moderator reads to judge the match.
        variables = dict(entry.variables)
        text = variables.pop("text", None)
        return format_html(
            '<span class="mod-saw">{}</span>'
            '<span class="mod-muted" lang="zxx" translate="no" dir="ltr">{}</span>',
            _("“%(text)s”") % {"text": excerpt(text, 100)} if isinstance(text, str) else "",
            # Variables and values are the rule language's (code, as a rule writes them).
            excerpt(
                ", ".join(f"{k}={v}" for k, v in variables.items() if v not in (None, "", [])), 120
            ),
        )

    @admin.display(description=_("variables the filter saw"))
    def seen(self, entry: AbuseLog) -> SafeString:
        return wire.rule_values(entry.variables)
