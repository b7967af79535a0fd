"""Moderation's view of chat messages: their text (hidden or not), every revision and the
word-level diff between them, and hiding or unhiding with a reason."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone

from core.errors import DomainError, Invalid
from livechat.models import Message, MessageRevision

from .. import actions
from ..diff import word_diff
from ..models import ModerationLog
from .base import ModeratorAdmin, chosen_pair, excerpt, report_error, user_filter
from .blocks import ReasonForm


class TaggedFilter(admin.SimpleListFilter):
    title = "review tags"
    parameter_name = "tagged"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Tagged for review"), ("no", "Not tagged")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        match self.value():
            case "yes":
                return queryset.exclude(review_tags=[])
            case "no":
                return queryset.filter(review_tags=[])
        return queryset


class HideForm(ReasonForm):
    # The state asked for, not a toggle: a stale page cannot undo someone else's hide.
    hidden = forms.BooleanField(required=False, widget=forms.HiddenInput)


@admin.register(Message)
class MessageAdmin(ModeratorAdmin):
    list_title = "Messages"
    list_display = ["id", "room", "author", "text", "created_at", "hidden", "tags", "revision"]
    list_display_links = ["id", "text"]
    list_filter = ["room", "hidden", TaggedFilter, user_filter("author", "author")]
    search_fields = ["body", "author__username"]
    list_select_related = ["room", "author"]
    ordering = ["-id"]
    # A COUNT(*) over every message on each page view buys nothing here.
    show_full_result_count = False
    object_views = {"hide": "hide_view"}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # messages are written in rooms

    @admin.display(description="text")
    def text(self, message: Message) -> str:
        return excerpt(message.body) or "—"

    @admin.display(description="review tags")
    def tags(self, message: Message) -> str:
        return ", ".join(message.review_tags)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        message = self.get_or_404(request, object_id)
        return self._detail(request, message, HideForm(initial={"hidden": not message.hidden}))

    def hide_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        message = self.get_or_404(request, object_id)
        form = HideForm(request.POST)
        if not form.is_valid():
            return self._detail(request, message, form)
        hidden = form.cleaned_data["hidden"]
        try:
            actions.hide_message(
                moderator=request.user,
                message_id=message.pk,
                reason=form.cleaned_data["reason"],
                hidden=hidden,
            )
        except DomainError as error:
            report_error(request, error)
        else:
            messages.success(request, f"Message {message.pk} is {'hidden' if hidden else 'shown'}.")
        return HttpResponseRedirect(self.url("change", message.pk))

    def _detail(self, request: HttpRequest, message: Message, hide_form: HideForm) -> HttpResponse:
        revisions = list(MessageRevision.objects.filter(message=message).select_related("editor"))
        try:
            pair = chosen_pair(
                {r.number for r in revisions}, request.GET.get("from"), request.GET.get("to")
            )
        except Invalid:
            messages.warning(request, "Choose two different revisions of this message.")
            pair = None
        return self.render(
            request,
            "admin/moderation/message/detail.html",
            title=f"Message {message.pk} in {message.room}",
            original=message,
            message=message,
            revisions=revisions,
            diffs=revision_diffs(revisions, pair),
            pair=pair,
            hide_form=hide_form,
            reports=message.reports.select_related("reporter").order_by("-created_at"),
            log=ModerationLog.objects.filter(message=message).select_related("actor")[:50],
        )


def revision_diffs(
    revisions: list[MessageRevision], pair: tuple[int, int] | None
) -> list[dict[str, Any]]:
    """The two revisions chosen, or each consecutive pair, newest first."""
    if pair is not None:
        by_number = {revision.number: revision for revision in revisions}
        pairs = [(by_number[pair[0]], by_number[pair[1]])]
    else:
        pairs = list(zip(revisions, revisions[1:], strict=False))[::-1]
    return [_diff(old, new) for old, new in pairs]


def _diff(old: MessageRevision, new: MessageRevision) -> dict[str, Any]:
    when = timezone.localtime(new.created_at).strftime("%Y-%m-%d %H:%M %Z")
    return {
        "html": word_diff(old.body, new.body),
        "same": old.body == new.body,
        "old_label": f"revision {old.number}",
        "new_label": f"revision {new.number}",
        "caption": f"{new.editor}, {when}",
    }
