"""The help desk's pages (its JSON API joins the chat's routes: helpdesk.api)."""

from django.urls import path

from .views import feed

app_name = "helpdesk"

urlpatterns: list = [
    # The helpers' queue (helpdesk.views.queue), coverage (helpdesk.views.coverage), the
    # public feed (helpdesk.views.feed) and the archives (helpdesk.views.archive).
    path("helpdesk/feed/", feed.atom_feed, name="feed"),
    path("helpdesk/feed.json", feed.json_feed, name="feed-json"),
]
