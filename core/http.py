"""JSON views, the same for every app: session authentication, allowed methods, domain
errors as ``{"error": {"code", "detail", ...}}`` with their HTTP status."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _

from core.jsonsafe import has_lone_surrogate

from .errors import DomainError, Forbidden, Invalid
from .outage import OUTAGE_ERRORS, log_outage, unavailable_response

View = Callable[..., JsonResponse]


def error_response(error: DomainError) -> JsonResponse:
    return JsonResponse({"error": error.as_dict()}, status=error.status)


def api_view(*methods: str) -> Callable[[View], View]:
    """Session-authenticated JSON view: domain errors become ``{"error": {...}}``."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
            if request.method not in methods:
                response = error_response(
                    Invalid(
                        _("%(method)s is not allowed here; use %(allowed)s.")
                        % {"method": request.method, "allowed": ", ".join(methods)}
                    )
                )
                response.status_code = 405
                response["Allow"] = ", ".join(methods)
                return response
            if not request.user.is_authenticated:
                return error_response(Forbidden(_("Sign in to use the chat.")))
            try:
                return view(request, *args, **kwargs)
            except DomainError as error:
                return error_response(error)
            except OUTAGE_ERRORS as error:
                # The database or Redis is down: "try again", not a 500 (core.outage).
                log_outage(error, request.path)
                return unavailable_response(request)

        return wrapper

    return decorate


def json_body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}", parse_constant=_not_json)
    except (ValueError, UnicodeDecodeError):
        raise Invalid(_("The request body is not valid JSON.")) from None
    except RecursionError:
        # Thousands of nested brackets fit in a small body; json gives up on them with
        # RecursionError, which would otherwise be a 500.
        raise Invalid(_("The request body is nested too deeply.")) from None
    if not isinstance(data, dict):
        raise Invalid(_("The request body must be a JSON object."))
    if has_lone_surrogate(data):
        raise Invalid(_("The request body holds text that is not valid Unicode."))
    return data


def _not_json(word: str) -> float:
    # NaN and Infinity: Python reads these words; JSON does not.
    raise ValueError(word)
