"""The help desk's pages (its JSON API joins the chat's routes: helpdesk.api)."""

from django.urls import path

from .views import archive, coverage, feed, queue, wiki_loader

app_name = "helpdesk"

urlpatterns: list = [
    # The helpers' queue (helpdesk.views.queue), coverage (helpdesk.views.coverage), the
    # public feed (helpdesk.views.feed) and the archives (helpdesk.views.archive).
    path("helpdesk/", queue.queue_page, name="queue"),
    path("helpdesk/coverage/", coverage.coverage_page, name="coverage"),
    path("api/helpdesk/coverage/", coverage.coverage_json, name="api-coverage"),
    path("helpdesk/feed/", feed.atom_feed, name="feed"),
    path("helpdesk/feed.json", feed.json_feed, name="feed-json"),
    # The archives: months and days, search, a message's permalink, a day's transcript
    # (last: any other word there is a bad date, answered with a 404 that says so).
    path("rooms/<slug:slug>/archive/", archive.archive_index, name="archive"),
    path("rooms/<slug:slug>/archive/search/", archive.archive_search, name="archive-search"),
    path(
        "rooms/<slug:slug>/archive/messages/<int:message_id>/",
        archive.archive_message,
        name="archive-message",
    ),
    path("rooms/<slug:slug>/archive/<str:day>/", archive.archive_day, name="archive-day"),
    path("api/rooms/<slug:slug>/folded/", archive.folded_threads, name="api-folded-threads"),
]

# The chat on the wiki's pages: outside the app's namespace, at the paths a wiki's
# Common.js names (docs/wiki.md).
wiki_urlpatterns: list = [
    path("wiki/loader.js", wiki_loader.loader_script, name="wiki-loader"),
    path("wiki/status.json", wiki_loader.wiki_status, name="wiki-status"),
]
