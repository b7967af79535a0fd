from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from . import data_views, views

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The widget's sign-in popup and its token (docs/wiki.md, "The widget").
    path("widget/sign-in/", views.widget_sign_in, name="widget-sign-in"),
    path("widget/signed-in/", views.widget_signed_in, name="widget-signed-in"),
    path("widget/token/", views.widget_token, name="widget-token"),
    # "Download my data" (docs/privacy.md): the signed-in person's own data, as JSON.
    path("my-data/", data_views.my_data, name="my-data"),
    # allauth's page for connecting and disconnecting other accounts: a chat account is
    # one wiki account, with nothing to manage.
    path("3rdparty/", RedirectView.as_view(url="/"), name="socialaccount_connections"),
    # Sign in with the wiki: allauth's views (its local-account pages are off,
    # SOCIALACCOUNT_ONLY), with /accounts/wiki/login/ and its callback.
    path("", include("allauth.urls")),
]
