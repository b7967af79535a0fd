from django.conf import settings
from django.db import models


class WikiAccount(models.Model):
    """A wiki account that signed in here. The stand-in's own user is only the session's
    anchor; who the person is comes from the wiki, by id, every time the profile is read."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wiki_account"
    )
    wiki_id = models.PositiveBigIntegerField(unique=True)
    name = models.CharField(max_length=255)  # as at the last sign-in
    # Only the account itself may read its email settings, so this is what the wiki said at
    # the last sign-in (profile field confirmed_email).
    email_confirmed = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.name} ({self.wiki_id})"
