from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = _("Moderation")
    default_auto_field = "django.db.models.BigAutoField"
    # apps.py holds two configs: this one is what "moderation" in INSTALLED_APPS means.
    default = True

    def ready(self) -> None:
        # Plug into the chat: the guard on every write, the moderation frames and routes,
        # and the wiki's blocks (moderation.wiki_blocks).
        from accounts.signals import wiki_signed_in
        from livechat.frames import register_connect_hook
        from livechat.guard import install_block_check, install_guard
        from livechat.routes import register_routes

        from . import api, socket_frames, wiki_blocks  # noqa: F401
        from .guard import blocked_among, check_write

        install_guard(check_write)
        install_block_check(blocked_among)
        register_routes(api.routes())
        # The wiki's blocks: read at sign-in, warmed when a room socket opens, the block
        # log followed.
        register_connect_hook(wiki_blocks.warm)
        wiki_signed_in.connect(wiki_blocks.signed_in, dispatch_uid="moderation.wiki_blocks")
        wiki_blocks.register()


class ModerationAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the moderators' site as ``admin.site``: in INSTALLED_APPS
    as "moderation.apps.ModerationAdminConfig" instead of "django.contrib.admin"."""

    default = False
    default_site = "moderation.admin_site.ModerationAdminSite"
