"""Blocks in the admin: the list (active, expired, lifted), placing one, lifting one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core import isolate, tz
from core.errors import DomainError
from livechat.models import Room

from .. import actions
from ..actions import REASON_MAX_LENGTH
from ..models import Block, Report
from .base import ModeratorAdmin, excerpt, user_filter

DURATIONS: dict[str, tuple[str, timedelta | None]] = {
    "1h": (_("1 hour"), timedelta(hours=1)),
    "1d": (_("1 day"), timedelta(days=1)),
    "3d": (_("3 days"), timedelta(days=3)),
    "1w": (_("1 week"), timedelta(weeks=1)),
    "1m": (_("1 month (31 days)"), timedelta(days=31)),
    "never": (_("Indefinitely"), None),
    "until": (_("Until the date below"), None),
}


class PlaceBlockForm(forms.Form):
    username = forms.CharField(label=_("User"), max_length=150)
    rooms = forms.ModelMultipleChoiceField(
        Room.objects.all(),
        label=_("Rooms"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick none for a site-wide block. Blocked people can still read."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON_MAX_LENGTH,
        help_text=_("Shown to the person when they try to write, and kept in the log."),
    )
    duration = forms.ChoiceField(
        label=_("Duration"),
        choices=[(key, label) for key, (label, _length) in DURATIONS.items()],
        initial="1d",
    )
    expires_at = forms.DateTimeField(
        label=_("Expires at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Read in the reader's zone (core.tz), as Django's form reads the date: say which.
        self.fields["expires_at"].help_text = gettext(
            "In your time zone (%(zone)s); only with “Until the date below”."
        ) % {"zone": tz.abbreviation()}

    def clean_username(self) -> User:
        name = self.cleaned_data["username"].strip()
        user = actions.user_named(name)
        if user is None:
            raise ValidationError(
                _("There is no user called “%(name)s”.") % {"name": isolate.text(name)}
            )
        return user

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        until = data.get("duration") == "until"
        if until and not data.get("expires_at"):
            self.add_error("expires_at", _("Give the date the block ends."))
        if not until and data.get("expires_at"):
            self.add_error("expires_at", _("Choose “Until the date below” to use a date."))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=REASON_MAX_LENGTH,
    )


class BlockStatusFilter(admin.SimpleListFilter):
    """Active, expired, lifted: as the model's queryset defines them."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return Block.Status.choices

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value in Block.Status.values:
            return queryset.with_status(value)  # type: ignore[attr-defined]
        return queryset


def block_status(block: Block) -> Block.Status:
    return block.status()


@admin.register(Block)
class BlockAdmin(ModeratorAdmin):
    list_title = _("Blocks")
    list_display = [
        "user",
        "where",
        "short_reason",
        "expires_at",
        "status",
        "created_by",
        "created_at",
    ]
    list_filter = [BlockStatusFilter, "scope", user_filter("user", _("user"))]
    search_fields = ["user__username", "reason"]
    list_select_related = ["user", "created_by"]
    object_views = {"lift": "lift_view"}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Block]:
        return super().get_queryset(request).prefetch_related("rooms")

    @admin.display(description=_("where"))
    def where(self, block: Block) -> str:
        if block.scope == Block.Scope.SITE:
            return str(Block.Scope.SITE.label)
        return ", ".join(room.name for room in block.rooms.all())

    @admin.display(description=_("reason"))
    def short_reason(self, block: Block) -> str:
        return excerpt(block.reason)

    @admin.display(description=_("status"))
    def status(self, block: Block) -> SafeString:
        status = block_status(block)
        return format_html('<span class="mod-badge mod-{}">{}</span>', status, status.label)

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Place a block; from a report's page, also resolve the report as "blocked"."""
        report = self._report_from(request)
        form = PlaceBlockForm(request.POST or None, initial=self._initial(request, report))
        if request.method == "POST" and form.is_valid():
            try:
                block = self._place(request, form.cleaned_data, report)
            except DomainError as error:
                form.add_error(None, error.detail)
            else:
                messages.success(
                    request, _("%(user)s is blocked.") % {"user": isolate.text(block.user)}
                )
                return HttpResponseRedirect(self.url("change", block.pk))
        return self.render(
            request,
            "admin/moderation/block/place.html",
            title=_("Place a block"),
            form=form,
            report=report,
        )

    def _report_from(self, request: HttpRequest) -> Report | None:
        value = request.GET.get("report", "")
        if not value.isdigit():
            return None
        # Only an open report: resolving a resolved one would refuse the block with it.
        reports = Report.objects.select_related("message__author")
        return reports.filter(pk=value, status=Report.Status.OPEN).first()

    def _initial(self, request: HttpRequest, report: Report | None) -> dict[str, Any]:
        if report is not None:
            return {"username": report.message.author.username}
        value = request.GET.get("user", "")
        user = User.objects.filter(pk=value).first() if value.isdigit() else None
        return {"username": user.username} if user else {}

    def _place(self, request: HttpRequest, data: dict[str, Any], report: Report | None) -> Block:
        until = data["duration"] == "until"
        terms: dict[str, Any] = {
            "moderator": request.user,
            "user": data["username"],
            "reason": data["reason"],
            "rooms": list(data["rooms"]) or None,
            "duration": DURATIONS[data["duration"]][1],
            "expires_at": data["expires_at"] if until else None,
        }
        if report is None:
            return actions.place_block(**terms)
        return actions.block_and_resolve(report=report, **terms)[0]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        return self.detail(request, self.get_or_404(request, object_id), ReasonForm())

    def lift_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        def lift(block: Block, data: dict[str, Any]) -> str:
            actions.lift_block(moderator=request.user, block=block, reason=data["reason"])
            return _("The block of %(user)s is lifted.") % {"user": isolate.text(block.user)}

        return self.object_action(request, object_id, ReasonForm, lift)

    def detail(self, request: HttpRequest, block: Block, form: forms.Form) -> HttpResponse:
        return self.render(
            request,
            "admin/moderation/block/detail.html",
            title=str(block),
            original=block,
            # Not "block": templates use that name for {{ block.super }}.
            user_block=block,
            status=block_status(block),
            rooms=list(block.rooms.all()),
            lift_form=form,
        )
