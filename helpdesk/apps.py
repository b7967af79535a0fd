from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpdeskConfig(AppConfig):
    name = "helpdesk"
    verbose_name = _("Help desk")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Plug into the chat: question events, the socket frames, the routes, the hook on
        # every new message, and the timers' handlers.
        from . import wiring

        wiring.install()
