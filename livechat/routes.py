"""The JSON API's routes: livechat's own, plus what other apps register in ``ready()``
(moderation: hiding, reports, blocks). livechat/urls.py serves them all, in the
``livechat`` URL namespace, so that an app adds endpoints without livechat naming it."""

from __future__ import annotations

from django.urls import URLPattern

_routes: list[URLPattern] = []


def register_routes(patterns: list[URLPattern]) -> None:
    _routes.extend(patterns)


def registered_routes() -> list[URLPattern]:
    return list(_routes)
