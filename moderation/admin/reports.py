"""The report queue: open reports oldest first; resolving with an outcome and a note, or
hiding the message and resolving in one go."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.errors import Conflict

from .. import actions
from ..actions import REASON_MAX_LENGTH
from ..models import Report
from .base import ModeratorAdmin, admin_link, excerpt, user_filter


class ReportStatusFilter(admin.SimpleListFilter):
    """The queue: open reports unless asked otherwise."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [*Report.Status.choices, ("all", _("All"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value() or Report.Status.OPEN
        if value != "all" and value not in Report.Status.values:
            return queryset.none()
        return queryset.with_status(value)

    def choices(self, changelist: Any) -> Iterator[dict[str, Any]]:
        current = self.value() or Report.Status.OPEN
        for lookup, title in self.lookup_choices:
            yield {
                "selected": current == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=Report.Outcome.choices,
        initial=Report.Outcome.NO_ACTION,
    )
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=REASON_MAX_LENGTH,
        required=False,
        help_text=_("Kept in the log. To hide the message, it is the reason, shown to its author."),
    )


@admin.register(Report)
class ReportAdmin(ModeratorAdmin):
    list_title = _("Reports")
    list_display = [
        "id",
        "reported_message",
        "message_text",
        "reporter",
        "short_reason",
        "created_at",
        "status",
        "outcome",
        "resolved_by",
    ]
    list_display_links = ["id", "short_reason"]
    list_filter = [
        ReportStatusFilter,
        "outcome",
        ("message__room", admin.RelatedOnlyFieldListFilter),
        user_filter("reporter", _("reporter")),
    ]
    search_fields = ["reason", "message__body", "reporter__username"]
    list_select_related = ["message__room", "message__author", "reporter", "resolved_by"]
    ordering = ["created_at"]  # a queue: oldest first
    actions = ["resolve_no_action"]
    object_views = {"resolve": "resolve_view", "hide-and-resolve": "hide_and_resolve_view"}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # people report from the chat

    @admin.display(description=_("message"))
    def reported_message(self, report: Report) -> SafeString:
        label = _("#%(id)s in %(room)s") % {"id": report.message_id, "room": report.message.room}
        return admin_link("admin:livechat_message_change", report.message_id, label)

    @admin.display(description=_("text"))
    def message_text(self, report: Report) -> str:
        text = excerpt(report.message.body, 60)
        return _("%(text)s (hidden)") % {"text": text} if report.message.hidden else text

    @admin.display(description=_("reason"))
    def short_reason(self, report: Report) -> str:
        return excerpt(report.reason, 60)

    @admin.action(description=_("Resolve selected reports: no action needed"))
    def resolve_no_action(self, request: HttpRequest, queryset: QuerySet[Report]) -> None:
        done = 0
        for report in queryset.filter(status=Report.Status.OPEN):
            try:
                actions.resolve_report(
                    moderator=request.user, report=report, outcome=Report.Outcome.NO_ACTION
                )
            except Conflict:
                continue  # someone else resolved it meanwhile
            done += 1
        messages.success(
            request,
            ngettext(
                "%(count)d report resolved: no action needed.",
                "%(count)d reports resolved: no action needed.",
                done,
            )
            % {"count": done},
        )

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        return self.detail(request, self.get_or_404(request, object_id), ResolveForm())

    def resolve_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        def resolve(report: Report, data: dict[str, Any]) -> str:
            actions.resolve_report(
                moderator=request.user, report=report, outcome=data["outcome"], note=data["note"]
            )
            return _("Report %(id)s is resolved.") % {"id": report.pk}

        return self.object_action(request, object_id, ResolveForm, resolve, done="changelist")

    def hide_and_resolve_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        def hide_and_resolve(report: Report, data: dict[str, Any]) -> str:
            actions.hide_and_resolve(moderator=request.user, report=report, note=data["note"])
            return _("Message %(id)s is hidden; report resolved.") % {"id": report.message_id}

        return self.object_action(
            request, object_id, ResolveForm, hide_and_resolve, done="changelist"
        )

    def detail(self, request: HttpRequest, report: Report, form: forms.Form) -> HttpResponse:
        message = report.message
        return self.render(
            request,
            "admin/moderation/report/detail.html",
            title=_("Report %(id)s") % {"id": report.pk},
            original=report,
            report=report,
            message=message,
            form=form,
            others=message.reports.exclude(pk=report.pk).select_related("reporter"),
            block_url=reverse("admin:moderation_block_add") + f"?report={report.pk}",
        )
