from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LivechatConfig(AppConfig):
    name = "livechat"
    verbose_name = _("Chat")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The chat's own socket frames and event kinds, registered like any app's.
        from . import event_kinds, socket_frames  # noqa: F401
