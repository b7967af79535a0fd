"""Signals accounts sends for other apps to act on, so that they depend on accounts and
never the other way round."""

from django.dispatch import Signal

# A person signed in with their wiki account; sent with ``user`` and ``profile`` (the
# OAuth profile: sub, username, editcount, groups, blocked, registered). Moderation reads
# their wiki blocks afresh on it (docs/wiki.md, "Blocks").
wiki_signed_in = Signal()
