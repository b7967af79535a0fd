from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ModerationConfig(AppConfig):
    name = "moderation"
    default_auto_field = "django.db.models.BigAutoField"
    # apps.py holds two configs: this one is what "moderation" in INSTALLED_APPS means.
    default = True


class ModerationAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the moderators' site as ``admin.site``: in INSTALLED_APPS
    as "moderation.apps.ModerationAdminConfig" instead of "django.contrib.admin"."""

    default = False
    default_site = "moderation.admin_site.ModerationAdminSite"
