from django.contrib import admin
from django.urls import include, path

from core.i18n import JavaScriptCatalog
from helpdesk import urls as helpdesk_urls

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    # The scripts' catalog: gettext(), ngettext() and interpolate() for static/livechat,
    # in the language of the page that loads it (?uselang=; for qqx, keys: core.i18n).
    path("jsi18n/", JavaScriptCatalog.as_view(domain="djangojs"), name="javascript-catalog"),
    path("", include("helpdesk.urls")),
    path("", include(helpdesk_urls.wiki_urlpatterns)),
    path("", include("livechat.urls")),
]
