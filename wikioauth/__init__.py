"""The stand-in for MediaWiki's Extension:OAuth (OAuth 2), run by `make wiki` beside the local wiki.

Extension:OAuth cannot be installed on this machine, so this small Django project of its own
(its own settings, database and process; never part of the chat) serves the same three paths
and the same profile, backed by the local MediaWiki's accounts: the sign-in form checks the
password against the wiki's API and the profile reads the wiki live. docs/wiki.md says what
it covers and what it does not (the consent screen, grants other than identity).
"""
