from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ModerationConfig(AppConfig):
    name = "moderation"
    default_auto_field = "django.db.models.BigAutoField"
    # apps.py holds two configs: this one is what "moderation" in INSTALLED_APPS means.
    default = True

    def ready(self) -> None:
        # Plug into the chat: the guard on every write, the moderation frames and routes.
        from livechat.guard import install_block_check, install_guard
        from livechat.routes import register_routes

        from . import api, blocklist, socket_frames  # noqa: F401
        from .guard import check_write

        install_guard(check_write)
        install_block_check(blocklist.blocked_among)
        register_routes(api.routes())


class ModerationAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the moderators' site as ``admin.site``: in INSTALLED_APPS
    as "moderation.apps.ModerationAdminConfig" instead of "django.contrib.admin"."""

    default = False
    default_site = "moderation.admin_site.ModerationAdminSite"
