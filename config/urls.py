from django.contrib import admin
from django.urls import include, path

from core.i18n import JavaScriptCatalog
from core.metrics import metrics_view
from helpdesk import urls as helpdesk_urls

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    # The scripts' catalog: gettext(), ngettext() and interpolate() for static/livechat,
    # in the language of the page that loads it (?uselang=; for qqx, keys: core.i18n).
    path("jsi18n/", JavaScriptCatalog.as_view(domain="djangojs"), name="javascript-catalog"),
    # Prometheus (docs/operations.md); /healthz and /readyz are answered by core.health's
    # middleware, before the host check and the sessions.
    path("metrics", metrics_view, name="metrics"),
    path("", include("helpdesk.urls")),
    path("", include(helpdesk_urls.wiki_urlpatterns)),
    path("", include("livechat.urls")),
]
