"""Extension:OAuth's OAuth 2 paths, under rest.php as on a wiki (https://…/w/rest.php)."""

from django.urls import path
from oauth2_provider.views import AuthorizationView, TokenView

from wikioauth import views

urlpatterns = [
    path("rest.php/oauth2/authorize", AuthorizationView.as_view(), name="authorize"),
    path("rest.php/oauth2/access_token", TokenView.as_view(), name="access_token"),
    path("rest.php/oauth2/resource/profile", views.profile, name="profile"),
    path("login", views.sign_in, name="login"),
]
