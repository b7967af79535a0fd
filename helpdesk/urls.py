"""The help desk's pages (its JSON API joins the chat's routes: helpdesk.api)."""

from django.urls import path

from .views import coverage, feed, queue

app_name = "helpdesk"

urlpatterns: list = [
    # The helpers' queue (helpdesk.views.queue), coverage (helpdesk.views.coverage), the
    # public feed (helpdesk.views.feed) and the archives (helpdesk.views.archive).
    path("helpdesk/", queue.queue_page, name="queue"),
    path("helpdesk/coverage/", coverage.coverage_page, name="coverage"),
    path("api/helpdesk/coverage/", coverage.coverage_json, name="api-coverage"),
    path("helpdesk/feed/", feed.atom_feed, name="feed"),
    path("helpdesk/feed.json", feed.json_feed, name="feed-json"),
]
