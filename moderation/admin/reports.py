"""The report queue: open reports oldest first; resolving with an outcome and a note, or
hiding the message and resolving in one go."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.safestring import SafeString

from core.errors import Conflict, DomainError, Invalid

from .. import actions
from ..actions import REASON_MAX_LENGTH
from ..models import Report
from .base import ModeratorAdmin, admin_link, excerpt, report_error, user_filter


class ReportStatusFilter(admin.SimpleListFilter):
    """The queue: open reports unless asked otherwise."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("open", "Open"), ("resolved", "Resolved"), ("all", "All")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value() or "open"
        return queryset if value == "all" else queryset.filter(status=value)

    def choices(self, changelist: Any) -> Iterator[dict[str, Any]]:
        current = self.value() or "open"
        for lookup, title in self.lookup_choices:
            yield {
                "selected": current == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(choices=Report.Outcome.choices, initial=Report.Outcome.NO_ACTION)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=REASON_MAX_LENGTH,
        required=False,
        help_text="Kept in the log. To hide the message, it is the reason, shown to its author.",
    )


@admin.register(Report)
class ReportAdmin(ModeratorAdmin):
    list_title = "Reports"
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
        user_filter("reporter", "reporter"),
    ]
    search_fields = ["reason", "message__body", "reporter__username"]
    list_select_related = ["message__room", "message__author", "reporter", "resolved_by"]
    ordering = ["created_at"]  # a queue: oldest first
    actions = ["resolve_no_action"]
    object_views = {"resolve": "resolve_view", "hide-and-resolve": "hide_and_resolve_view"}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # people report from the chat

    @admin.display(description="message")
    def reported_message(self, report: Report) -> SafeString:
        label = f"#{report.message_id} in {report.message.room}"
        return admin_link("admin:livechat_message_change", report.message_id, label)

    @admin.display(description="text")
    def message_text(self, report: Report) -> str:
        return excerpt(report.message.body, 60) + (" (hidden)" if report.message.hidden else "")

    @admin.display(description="reason")
    def short_reason(self, report: Report) -> str:
        return excerpt(report.reason, 60)

    @admin.action(description="Resolve selected reports: no action needed")
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
        messages.success(request, f"{done} report(s) resolved: no action needed.")

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        return self._detail(request, self.get_or_404(request, object_id), ResolveForm())

    def resolve_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        report = self.get_or_404(request, object_id)
        form = ResolveForm(request.POST)
        if not form.is_valid():
            return self._detail(request, report, form)
        try:
            actions.resolve_report(
                moderator=request.user,
                report=report,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            report_error(request, error)
            return HttpResponseRedirect(self.url("change", report.pk))
        messages.success(request, f"Report {report.pk} is resolved.")
        return HttpResponseRedirect(self.url("changelist"))

    def hide_and_resolve_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        report = self.get_or_404(request, object_id)
        form = ResolveForm(request.POST)
        if not form.is_valid():
            return self._detail(request, report, form)
        note = form.cleaned_data["note"]
        try:
            # Both or neither: a report resolved as "hidden" over a visible message would lie.
            with transaction.atomic():
                if not report.message.hidden:
                    actions.hide_message(
                        moderator=request.user, message_id=report.message_id, reason=note
                    )
                actions.resolve_report(
                    moderator=request.user, report=report, outcome=Report.Outcome.HIDDEN, note=note
                )
        except Invalid as error:
            form.add_error("note", error.detail)
            return self._detail(request, report, form)
        except DomainError as error:
            report_error(request, error)
            return HttpResponseRedirect(self.url("change", report.pk))
        messages.success(request, f"Message {report.message_id} is hidden; report resolved.")
        return HttpResponseRedirect(self.url("changelist"))

    def _detail(self, request: HttpRequest, report: Report, form: ResolveForm) -> HttpResponse:
        message = report.message
        return self.render(
            request,
            "admin/moderation/report/detail.html",
            title=f"Report {report.pk}",
            original=report,
            report=report,
            message=message,
            form=form,
            others=message.reports.exclude(pk=report.pk).select_related("reporter"),
            block_url=reverse("admin:moderation_block_add") + f"?report={report.pk}",
        )
