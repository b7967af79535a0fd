"""The pages, registered into livechat's URLs (livechat.routes) from the app's ready(),
so their names are in the ``livechat`` namespace."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import views


def routes() -> list[URLPattern]:
    return [
        path("notifications/settings/", views.settings_page, name="notifications-settings"),
        path(
            "notifications/settings/verify/",
            views.request_verification,
            name="notifications-request-verification",
        ),
        path(
            "notifications/settings/archives/",
            views.archive_name,
            name="notifications-archive-name",
        ),
        path(
            "notifications/settings/language/",
            views.language,
            name="notifications-language",
        ),
        path(
            "notifications/settings/time-zone/",
            views.time_zone,
            name="notifications-time-zone",
        ),
        path("notifications/verify/<str:token>/", views.verify, name="notifications-verify"),
        path(
            "notifications/unsubscribe/<str:token>/",
            views.unsubscribe,
            name="notifications-unsubscribe",
        ),
        path("notifications/go/<str:token>/", views.go, name="notifications-go"),
    ]
