"""Moderation's view of chat messages: their text (hidden or not), every revision and the
word-level diff between them, and hiding or unhiding with a reason."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core import isolate
from core.errors import Invalid
from livechat.models import Message, MessageRevision

from .. import actions
from ..diff import word_diff
from ..models import ModerationLog
from . import wire
from .base import ModeratorAdmin, chosen_pair, excerpt, user_filter
from .blocks import ReasonForm


class TaggedFilter(admin.SimpleListFilter):
    title = _("review tags")
    parameter_name = "tagged"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", _("Tagged for review")), ("no", _("Not tagged"))]

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
    list_title = _("Messages")
    list_display = ["id", "room", "author", "text", "created_at", "hidden", "tags", "revision"]
    list_display_links = ["id", "text"]
    list_filter = ["room", "hidden", TaggedFilter, user_filter("author", _("author"))]
    search_fields = ["body", "author__username"]
    list_select_related = ["room", "author"]
    ordering = ["-id"]
    # A COUNT(*) over every message on each page view buys nothing here.
    show_full_result_count = False
    object_views = {"hide": "hide_view"}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # messages are written in rooms

    @admin.display(description=_("text"))
    def text(self, message: Message) -> str:
        return excerpt(message.body) or "—"

    @admin.display(description=_("review tags"))
    def tags(self, message: Message) -> str:
        return ", ".join(wire.review_tag(tag) for tag in message.review_tags)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        message = self.get_or_404(request, object_id)
        return self.detail(request, message, HideForm(initial={"hidden": not message.hidden}))

    def hide_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        def hide(message: Message, data: dict[str, Any]) -> str:
            hidden = data["hidden"]
            actions.hide_message(
                moderator=request.user, message_id=message.pk, reason=data["reason"], hidden=hidden
            )
            if hidden:
                return _("Message %(id)s is hidden.") % {"id": message.pk}
            return _("Message %(id)s is shown.") % {"id": message.pk}

        return self.object_action(request, object_id, HideForm, hide)

    def detail(self, request: HttpRequest, message: Message, form: forms.Form) -> HttpResponse:
        revisions = list(MessageRevision.objects.filter(message=message).select_related("editor"))
        try:
            pair = chosen_pair(
                {r.number for r in revisions}, request.GET.get("from"), request.GET.get("to")
            )
        except Invalid:
            messages.warning(request, _("Choose two different revisions of this message."))
            pair = None
        return self.render(
            request,
            "admin/moderation/message/detail.html",
            title=_("Message %(id)s in %(room)s") % {"id": message.pk, "room": message.room},
            original=message,
            message=message,
            revisions=revisions,
            diffs=revision_diffs(revisions, pair),
            pair=pair,
            hide_form=form,
            review_tags=[wire.review_tag(tag) for tag in message.review_tags],
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
    # In the reader's zone (core.tz), named as Django writes it.
    local = timezone.localtime(new.created_at)
    when = f"{date_format(local, 'DATETIME_FORMAT')} {date_format(local, 'T')}"
    return {
        "html": word_diff(old.body, new.body),
        "same": old.body == new.body,
        "old_label": _("revision %(number)s") % {"number": old.number},
        "new_label": _("revision %(number)s") % {"number": new.number},
        "caption": isolate.html_sentence(
            _("%(editor)s, %(time)s"), names={"editor": new.editor}, time=when
        ),
    }
