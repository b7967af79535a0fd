from django.apps import AppConfig


class WikiAuthConfig(AppConfig):
    name = "accounts.wikiauth"
    label = "wikiauth"

    def ready(self) -> None:
        from . import sync  # noqa: F401  (connects the sign-in receiver)
