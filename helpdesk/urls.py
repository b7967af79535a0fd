"""The help desk's pages (its JSON API joins the chat's routes: helpdesk.api)."""

app_name = "helpdesk"

urlpatterns: list = [
    # The helpers' queue (helpdesk.views.queue), coverage (helpdesk.views.coverage), the
    # public feed (helpdesk.views.feed) and the archives (helpdesk.views.archive).
]
