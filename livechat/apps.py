from django.apps import AppConfig


class LivechatConfig(AppConfig):
    name = "livechat"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The chat's own socket frames and event kinds, registered like any app's.
        from . import event_kinds, socket_frames  # noqa: F401
