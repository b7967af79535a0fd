"""What every moderation admin shares: who may see it, closed stock writes, custom object
views, and small display helpers."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from core.errors import DomainError, Invalid

from ..admin_site import may_moderate


class ModeratorAdmin(admin.ModelAdmin):
    """Moderators (and superusers) see these models without Django's per-model
    permissions; everyone else sees nothing. Adding and changing happen in custom views
    that call the actions; nothing is ever deleted from here (a deleted block, report or
    filter would vanish from the record the moderation log keeps)."""

    read_only = False  # the logs: view only
    list_title = ""  # instead of Django's "Select <model> to change"
    # Custom object views, ``<id>/<suffix>/`` (POST only): suffix -> method name.
    object_views: dict[str, str] = {}

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_moderate(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return may_moderate(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not self.read_only and may_moderate(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return not self.read_only and may_moderate(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    # The stock forms would save with Model.save(), skipping the actions and their log.
    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        raise PermissionDenied(_("Changes go through the moderation actions."))

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        raise PermissionDenied(_("Nothing is deleted from the moderation admin."))

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        title = {"title": self.list_title} if self.list_title else {}
        return super().changelist_view(request, {**title, **(extra_context or {})})

    def get_urls(self) -> list[URLPattern]:
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        extra = [
            path(
                f"<path:object_id>/{suffix}/",
                self.admin_site.admin_view(require_POST(getattr(self, method))),
                name=f"{prefix}_{suffix.replace('-', '_')}",
            )
            for suffix, method in self.object_views.items()
        ]
        # Before the stock patterns: "<path:object_id>/" would swallow "5/lift/".
        return extra + super().get_urls()

    def render(self, request: HttpRequest, template: str, **context: Any) -> TemplateResponse:
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request,
            template,
            {**self.admin_site.each_context(request), "opts": self.opts, **context},
        )

    def get_or_404(self, request: HttpRequest, object_id: str) -> Any:
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(
                _("No %(name)s with id %(id)s.")
                % {"name": self.opts.verbose_name, "id": repr(object_id)}
            )
        return obj

    def detail(self, request: HttpRequest, obj: Any, form: forms.Form) -> HttpResponse:
        """The object's page, with ``form`` (the object views' form) as it stands."""
        raise NotImplementedError

    def object_action(
        self,
        request: HttpRequest,
        object_id: str,
        form_class: type[forms.Form],
        act: Callable[[Any, dict[str, Any]], str],
        *,
        done: str = "change",
    ) -> HttpResponse:
        """What every object view does around its one action: find the object (404),
        check the form (its page again, with the errors), ``act`` on the cleaned data and
        say what happened (``act`` answers the sentence), then go to the object's page or,
        with ``done="changelist"``, back to the list. A refusal that names one of the
        form's fields shows on that field; any other shows as a message on the object's
        page (a conflict: someone else was quicker)."""
        obj = self.get_or_404(request, object_id)
        form = form_class(request.POST)
        if not form.is_valid():
            return self.detail(request, obj, form)
        try:
            success = act(obj, form.cleaned_data)
        except DomainError as error:
            field = error.extra.get("field")
            if isinstance(error, Invalid) and field in form.fields:
                form.add_error(field, error.detail)
                return self.detail(request, obj, form)
            report_error(request, error)
            return HttpResponseRedirect(self.url("change", obj.pk))
        messages.success(request, success)
        if done == "changelist":
            return HttpResponseRedirect(self.url("changelist"))
        return HttpResponseRedirect(self.url("change", obj.pk))

    def url(self, name: str, *args: Any) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_{name}",
            args=args,
            current_app=self.admin_site.name,
        )


def user_filter(field: str, title: str) -> type[admin.SimpleListFilter]:
    """Rows of one user, chosen by links elsewhere (``?<field>=<id>``). A list of every
    user would be useless on a wiki, so the filter shows only while it is in use; search
    finds users by name."""

    class UserFilter(admin.SimpleListFilter):
        parameter_name = field

        def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
            value = self.value()
            user = User.objects.filter(pk=value).first() if value and value.isdigit() else None
            return [(str(user.pk), user.username)] if user else []

        def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
            value = self.value()
            if value is None:
                return queryset
            if not value.isdigit():
                return queryset.none()
            return queryset.filter(**{f"{field}_id": int(value)})

    UserFilter.title = title
    return UserFilter


def chosen_pair(
    available: set[int], first: str | None, second: str | None
) -> tuple[int, int] | None:
    """The two revisions or versions asked for (``?from=&to=``), older first; None when
    none were asked for. Raises Invalid unless they are two different existing ones."""
    if first is None and second is None:
        return None
    numbers = {_int(first), _int(second)}
    if len(numbers) != 2 or not numbers <= available:
        raise Invalid(_("Choose two different versions to compare."))
    old, new = sorted(numbers)  # type: ignore[type-var]
    return old, new


def _int(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() else None


def excerpt(text: str, length: int = 80) -> str:
    return Truncator(" ".join(text.split())).chars(length)


def pretty_json(value: Any) -> SafeString:
    return format_html(
        '<pre class="mod-json">{}</pre>', json.dumps(value, indent=2, ensure_ascii=False)
    )


def compact(values: dict[str, Any], length: int = 80) -> str:
    return excerpt(
        ", ".join(f"{k}={v}" for k, v in values.items() if v not in (None, "", [])), length
    )


def admin_link(viewname: str, pk: Any, label: str) -> SafeString:
    return format_html('<a href="{}">{}</a>', reverse(viewname, args=[pk]), label)


def report_error(request: HttpRequest, error: DomainError) -> None:
    messages.error(request, error.detail)
