from allauth.socialaccount.providers.oauth2.urls import default_urlpatterns

from .provider import WikiProvider

urlpatterns = default_urlpatterns(WikiProvider)
