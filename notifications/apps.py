from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Plug into the chat: hear every notification created (to queue its email), serve
        # the settings and mailed-link pages, and handle the email timers (the import
        # registers the handler with timers).
        from livechat.notifications import register_listener
        from livechat.routes import register_routes

        from . import digest, urls

        register_listener(digest.on_notification)
        register_routes(urls.routes())
