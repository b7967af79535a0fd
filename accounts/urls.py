from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The widget's sign-in popup and its token (docs/wiki.md, "The widget").
    path("widget/sign-in/", views.widget_sign_in, name="widget-sign-in"),
    path("widget/signed-in/", views.widget_signed_in, name="widget-signed-in"),
    path("widget/token/", views.widget_token, name="widget-token"),
    # Sign in with the wiki: allauth's views (its local-account pages are off,
    # SOCIALACCOUNT_ONLY), with /accounts/wiki/login/ and its callback.
    path("", include("allauth.urls")),
]
