"""Abuse filters in the admin: the editor (save, check the syntax, try the rule on recent
messages; as you type, the syntax check of ``check/`` and completion from the language's
variables and functions, static/moderation/rule-editor.js), the history of versions with a
diff between any two, and "Import from the wiki" (moderation/wiki_filters.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MinValueValidator
from django.db.models import Count, Q, QuerySet
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    QueryDict,
)
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.errors import DomainError, Invalid
from moderation.admin.wire import FILTER_ACTIONS, labels

from .. import filters, wiki_filters
from ..diff import word_diff
from ..models import AbuseFilter, AbuseFilterVersion
from ..rules import FUNCTIONS, VARIABLES, check_syntax
from .base import ModeratorAdmin, chosen_pair

TEST_LIMIT_MAX = 1000
TEXT_FIELDS = ("name", "description", "rule", "warn_message")
NUMBER_FIELDS = ("throttle_count", "throttle_period", "block_duration")


def _formfield(field: Any, **kwargs: Any) -> forms.Field | None:
    """The model field's own form field, with its MinValueValidator as the form's
    min_value too, so that the browser's number input says the same as the model."""
    minimums = [v.limit_value for v in field.validators if isinstance(v, MinValueValidator)]
    if minimums:
        kwargs.setdefault("min_value", max(minimums))
    return field.formfield(**kwargs)


def _model_field(name: str) -> Any:
    return AbuseFilter._meta.get_field(name)


class AbuseFilterForm(forms.ModelForm):
    """The editor's fields, derived from AbuseFilter's: lengths, help texts, minimums and
    labels are the model's. Only ``actions`` (a JSON list in the model) is declared here,
    as the choice of actions it holds. Saving goes through filters.save_filter, never
    ``form.save()``."""

    actions = forms.MultipleChoiceField(
        label=capfirst(_model_field("actions").verbose_name),
        choices=AbuseFilter.Action.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_model_field("actions").help_text,
    )

    class Meta:
        model = AbuseFilter
        fields = filters.FILTER_FIELDS
        formfield_callback = _formfield
        widgets = {
            "rule": forms.Textarea(
                attrs={
                    "rows": 10,
                    "class": "mod-rule",
                    "spellcheck": "false",
                    "autocomplete": "off",
                    # Code, not words in any language: screen readers and translation
                    # tools leave it as written, and it reads left to right in Arabic.
                    "lang": "zxx",
                    "translate": "no",
                    "dir": "ltr",
                }
            ),
            "warn_message": forms.Textarea(attrs={"rows": 2}),
        }

    @classmethod
    def of(cls, abuse_filter: AbuseFilter | None) -> AbuseFilterForm:
        if abuse_filter is None:
            return cls()
        return cls(initial={name: getattr(abuse_filter, name) for name in filters.FILTER_FIELDS})

    @classmethod
    def as_typed(cls, data: QueryDict) -> AbuseFilterForm:
        """What was typed, shown again unvalidated: checking or trying a rule saves
        nothing, so a filter without a name yet is no error there."""
        initial: dict[str, Any] = {name: data.get(name, "") for name in TEXT_FIELDS + NUMBER_FIELDS}
        initial |= {"enabled": "enabled" in data, "actions": data.getlist("actions")}
        return cls(initial=initial)


class TestRunForm(forms.Form):
    limit = forms.IntegerField(
        label=_("Messages"),
        min_value=1,
        max_value=TEST_LIMIT_MAX,
        initial=100,
        widget=forms.NumberInput(attrs={"class": "mod-limit"}),
    )


@admin.register(AbuseFilter)
class AbuseFilterAdmin(ModeratorAdmin):
    list_title = _("Abuse filters")
    list_display = ["name", "enabled", "acts", "state", "version", "matches_24h", "updated_at"]
    list_filter = ["enabled", "suspended", "needs_attention"]
    search_fields = ["name", "description", "rule"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AbuseFilter]:
        since = timezone.now() - timedelta(hours=24)
        matches = Count("log", filter=Q(log__created_at__gte=since))
        return super().get_queryset(request).annotate(recent_matches=matches)

    @admin.display(description=_("actions"))
    def acts(self, abuse_filter: AbuseFilter) -> str:
        return action_labels(abuse_filter.actions)

    @admin.display(description=_("state"))
    def state(self, abuse_filter: AbuseFilter) -> SafeString | str:
        if abuse_filter.suspended:
            return format_html(
                '<span class="mod-badge mod-{}">{}</span>', "suspended", _("suspended")
            )
        if abuse_filter.needs_attention:
            return format_html(
                '<span class="mod-badge mod-{}">{}</span>', "attention", _("needs attention")
            )
        return ""

    @admin.display(description=_("matches, 24 h"), ordering="recent_matches")
    def matches_24h(self, abuse_filter: AbuseFilter) -> SafeString:
        url = reverse("admin:moderation_abuselog_changelist")
        return format_html(
            '<a href="{}?filter__id__exact={}">{}</a>',
            url,
            abuse_filter.pk,
            abuse_filter.recent_matches,  # type: ignore[attr-defined]
        )

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        # Before the stock patterns: "<path:object_id>/" would swallow "wiki/".
        return [
            path("check/", view(require_POST(self.check_view)), name=f"{prefix}_check"),
            path("wiki/", view(self.wiki_view), name=f"{prefix}_wiki"),
            path(
                "wiki/<int:wiki_id>/",
                view(require_POST(self.wiki_import_view)),
                name=f"{prefix}_wiki_import",
            ),
            *super().get_urls(),
        ]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        wiki = {"wiki_import_url": self.url("wiki")} if wiki_filters.configured() else {}
        return super().changelist_view(request, {**wiki, **(extra_context or {})})

    def check_view(self, request: HttpRequest) -> JsonResponse:
        """The editor's syntax check as you type: ``rule`` (form-encoded) -> ``{"errors":
        [{"message", "detail", "line", "column"}]}``, [] when it parses. Saves nothing;
        moderators only (the admin site), with the CSRF token like every POST here."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        return JsonResponse({"errors": rule_problems(request.POST.get("rule", ""))})

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return self._edit(request, None)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        return self._edit(request, self.get_or_404(request, object_id))

    def _edit(self, request: HttpRequest, abuse_filter: AbuseFilter | None) -> HttpResponse:
        """One page, three buttons: save; check the syntax; try the rule on the last N
        messages. The last two answer on this page and save nothing."""
        context: dict[str, Any] = {"test_form": TestRunForm()}
        if request.method != "POST":
            form = AbuseFilterForm.of(abuse_filter)
        elif "_check" in request.POST:
            form = AbuseFilterForm.as_typed(request.POST)
            context["syntax_errors"] = filters.syntax_errors(request.POST.get("rule", ""))
        elif "_test" in request.POST:
            form = AbuseFilterForm.as_typed(request.POST)
            context.update(self._try(request.POST))
        else:
            form = AbuseFilterForm(request.POST)
            saved = self._save(request, form, abuse_filter) if form.is_valid() else None
            if saved is not None:
                messages.success(
                    request,
                    _("“%(name)s” is saved: version %(version)s.")
                    % {"name": saved, "version": saved.version},
                )
                return HttpResponseRedirect(self.url("change", saved.pk))
        return self.render(
            request,
            "admin/moderation/abusefilter/edit.html",
            title=(
                _("Abuse filter “%(name)s”") % {"name": abuse_filter}
                if abuse_filter
                else _("Add abuse filter")
            ),
            original=abuse_filter,
            abuse_filter=abuse_filter,
            form=form,
            editor_config=editor_config(self.url("check")),
            **context,
        )

    def _try(self, data: QueryDict) -> dict[str, Any]:
        test_form = TestRunForm(data)
        if not test_form.is_valid():
            return {"test_form": test_form}
        limit = test_form.cleaned_data["limit"]
        try:
            results = filters.try_rule(data.get("rule", ""), limit=limit)
        except Invalid as error:
            return {"test_form": test_form, "syntax_errors": [error.detail]}
        return {"test_form": test_form, "trial": trial_summary(results, limit=limit)}

    def _save(
        self, request: HttpRequest, form: AbuseFilterForm, abuse_filter: AbuseFilter | None
    ) -> AbuseFilter | None:
        try:
            return filters.save_filter(
                moderator=request.user, abuse_filter=abuse_filter, **form.cleaned_data
            )
        except Invalid as error:
            # The form has checked every other field: what save_filter refuses is the rule.
            form.add_error("rule", error.detail)
        except ValidationError as error:  # the model's own checks, in save_filter
            form.add_error(None, error)
        except DomainError as error:
            form.add_error(None, error.detail)
        return None

    # -- import from the wiki -----------------------------------------------------------

    def wiki_view(self, request: HttpRequest) -> HttpResponse:
        """The wiki's public filters, each with an Import button (or the filter it became
        here); the wiki down or not configured is said on the page."""
        try:
            entries, problem = wiki_filters.listing(), None
        except DomainError as error:  # WikiOff, WikiDown
            entries, problem = [], error
        return self._wiki_page(request, entries=entries, problem=problem)

    def _wiki_page(
        self, request: HttpRequest, *, problem: DomainError | None = None, **context: Any
    ) -> HttpResponse:
        response = self.render(
            request,
            "admin/moderation/abusefilter/wiki.html",
            title=_("Import from the wiki"),
            problem=problem.detail if problem else "",
            **context,
        )
        # The wiki down is a 503 (try again later); no wiki configured is a page that says
        # so, as this chat is set up, not an error.
        if isinstance(problem, wiki_filters.WikiDown):
            response.status_code = 503
        return response

    def wiki_import_view(self, request: HttpRequest, wiki_id: int) -> HttpResponse:
        """Without ``_confirm``: the preview (syntax check, dry run). With it: the import,
        as a disabled filter, of the rule previewed."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        test_form = TestRunForm(request.POST if "limit" in request.POST else None)
        limit = test_form.cleaned_data["limit"] if test_form.is_valid() else 100
        try:
            if "_confirm" not in request.POST:
                return self._wiki_preview(request, wiki_filters.preview(wiki_id, limit=limit))
            imported = wiki_filters.import_filter(
                moderator=request.user,  # type: ignore[arg-type]
                filter_id=wiki_id,
                fingerprint=request.POST.get("fingerprint", ""),
            )
        except Invalid as error:
            try:
                preview = wiki_filters.preview(wiki_id, limit=limit)
            except DomainError as again:
                return self._wiki_page(request, entries=[], problem=again)
            return self._wiki_preview(request, preview, refusal=error.detail)
        except DomainError as error:  # WikiOff, WikiDown
            return self._wiki_page(request, entries=[], problem=error)
        abuse_filter = imported.abuse_filter
        if imported.created:
            messages.success(
                request,
                _("“%(name)s” is imported from the wiki, disabled: enable it when it is ready.")
                % {"name": abuse_filter},
            )
        else:
            messages.info(
                request,
                _("This wiki filter was imported already, as “%(name)s”: nothing changed.")
                % {"name": abuse_filter},
            )
        return HttpResponseRedirect(self.url("change", abuse_filter.pk))

    def _wiki_preview(
        self, request: HttpRequest, preview: wiki_filters.Preview, refusal: str = ""
    ) -> HttpResponse:
        entry = preview.listing
        return self.render(
            request,
            "admin/moderation/abusefilter/wiki_preview.html",
            title=_("Import “%(description)s” from the wiki")
            % {"description": entry.original.description or entry.original.id},
            entry=entry,
            preview=preview,
            refusal=refusal,
            test_form=TestRunForm(initial={"limit": 100}),
            trial=(
                trial_summary(preview.trial, limit=len(preview.trial))
                if entry.importable and not preview.syntax_errors
                else None
            ),
        )

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        abuse_filter = self.get_or_404(request, object_id)
        versions = list(abuse_filter.versions.select_related("author").order_by("-number"))
        for version in versions:
            version.action_labels = action_labels(version.actions)
        try:
            pair = chosen_pair(
                {v.number for v in versions}, request.GET.get("from"), request.GET.get("to")
            )
        except Invalid:
            messages.warning(request, _("Choose two different versions of this filter."))
            pair = None
        if pair is None and len(versions) >= 2:
            pair = (versions[1].number, versions[0].number)
        by_number = {version.number: version for version in versions}
        return self.render(
            request,
            "admin/moderation/abusefilter/history.html",
            title=_("History of “%(name)s”") % {"name": abuse_filter},
            original=abuse_filter,
            abuse_filter=abuse_filter,
            versions=versions,
            pair=pair,
            comparison=compare(by_number[pair[0]], by_number[pair[1]]) if pair else None,
        )


VERSION_FIELDS: list[tuple[str, Callable[[AbuseFilterVersion], object]]] = [
    (_("Name"), lambda v: v.name),
    (_("Description"), lambda v: v.description),
    (_("Enabled"), lambda v: str(_("yes") if v.enabled else _("no"))),
    (_("Actions"), lambda v: action_labels(v.actions)),
    (_("Warn message"), lambda v: v.options.get("warn_message", "")),
    (_("Throttle count"), lambda v: v.options.get("throttle_count")),
    (_("Throttle period (s)"), lambda v: v.options.get("throttle_period")),
    (_("Block duration (s)"), lambda v: v.options.get("block_duration")),
]


def action_labels(actions: list[str]) -> str:
    """A filter's stored actions by their labels, in the reader's language."""
    return labels(FILTER_ACTIONS, actions) or str(_("log only"))


def compare(old: AbuseFilterVersion, new: AbuseFilterVersion) -> dict[str, Any]:
    """Two versions: the rule diffed word by word, the other fields that differ old → new."""
    return {
        "old": old,
        "new": new,
        "old_label": _("version %(number)s") % {"number": old.number},
        "new_label": _("version %(number)s") % {"number": new.number},
        "rule_diff": word_diff(old.rule, new.rule),
        "rule_same": old.rule == new.rule,
        "changes": [
            {"field": label, "old": get(old), "new": get(new)}
            for label, get in VERSION_FIELDS
            if get(old) != get(new)
        ],
    }


def trial_summary(results: list[filters.TrialResult], *, limit: int) -> dict[str, Any]:
    """A dry run as the page shows it: the counts, and each message that matched or
    failed with the variables the rule saw there (values as JSON: strings quoted, lists
    in brackets, null), for the collapsible list under it."""
    return {
        "limit": limit,
        "tried": len(results),
        "shown": [
            {
                "message": r.message,
                "matched": r.matched,
                "error": r.error,
                "variables": [
                    (name, json.dumps(value, ensure_ascii=False, default=str))
                    for name, value in r.variables.items()
                ],
            }
            for r in results
            if r.matched or r.error
        ],
        "matched": sum(r.matched for r in results),
        "errors": sum(bool(r.error) for r in results),
    }


def rule_problems(source: str) -> list[dict[str, Any]]:
    """The rule's syntax errors with their positions, for the editor; then, once it
    parses, anything else saving would refuse (without a position)."""
    errors = [
        {
            "message": str(error),
            "detail": error.message,
            "line": error.line,
            "column": error.column,
        }
        for error in check_syntax(source)
    ]
    if errors:
        return errors
    return [
        {"message": message, "detail": message, "line": None, "column": None}
        for message in filters.syntax_errors(source)
    ]


def editor_config(check_url: str) -> dict[str, Any]:
    """What rule-editor.js needs (the page's json_script): where to check the syntax, and
    the variables and functions to complete, with their descriptions."""
    return {
        "check_url": check_url,
        "variables": [
            {"name": name, "description": str(description)}
            for name, description in sorted(VARIABLES.items())
        ],
        "functions": [
            {"name": name, "signature": function.signature, "description": str(function.summary)}
            for name, function in sorted(FUNCTIONS.items())
        ],
    }
