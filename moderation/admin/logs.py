"""The moderation log and the abuse log: read only, to search and filter."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from ..models import AbuseLog, ModerationLog
from .base import ModeratorAdmin, admin_link, compact, excerpt, pretty_json, user_filter


@admin.register(ModerationLog)
class ModerationLogAdmin(ModeratorAdmin):
    read_only = True
    list_title = _("Moderation log")
    list_display = ["created_at", "actor", "action", "target_user", "message_link", "why", "what"]
    list_filter = [
        "action",
        "created_at",
        user_filter("target_user", _("user")),
        user_filter("actor", _("moderator")),
    ]
    search_fields = ["reason", "target_user__username", "actor__username"]
    list_select_related = ["actor", "target_user"]
    show_full_result_count = False
    fields = ["created_at", "actor", "action", "target_user", "message_link", "reason", "details_"]
    readonly_fields = fields

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
        return compact(entry.details)

    @admin.display(description=_("details"))
    def details_(self, entry: ModerationLog) -> SafeString:
        return pretty_json(entry.details)


@admin.register(AbuseLog)
class AbuseLogAdmin(ModeratorAdmin):
    read_only = True
    list_title = _("Abuse log")
    list_display = ["created_at", "which", "user", "room", "action", "done", "saw"]
    list_filter = ["filter", "room", "action", "created_at", user_filter("user", _("user"))]
    search_fields = ["user__username", "filter__name"]
    list_select_related = ["filter", "user", "room"]
    show_full_result_count = False
    fields = ["created_at", "filter", "filter_version", "user", "room", "action", "done", "seen"]
    readonly_fields = fields

    @admin.display(description=_("filter"), ordering="filter__name")
    def which(self, entry: AbuseLog) -> str:
        return _("%(name)s (v%(version)s)") % {
            "name": entry.filter.name,
            "version": entry.filter_version,
        }

    @admin.display(description=_("done"))
    def done(self, entry: AbuseLog) -> str:
        return ", ".join(entry.outcome)

    @admin.display(description=_("what the filter saw"))
    def saw(self, entry: AbuseLog) -> SafeString:
        # The text first, on its own: it is what a moderator reads to judge the match.
        variables = dict(entry.variables)
        text = variables.pop("text", None)
        return format_html(
            '<span class="mod-saw">{}</span><span class="mod-muted">{}</span>',
            _("“%(text)s”") % {"text": excerpt(text, 100)} if isinstance(text, str) else "",
            compact(variables, 120),
        )

    @admin.display(description=_("variables the filter saw"))
    def seen(self, entry: AbuseLog) -> SafeString:
        return pretty_json(entry.variables)
