"""Sign in with the wiki account: MediaWiki's OAuth 2 (Extension:OAuth) through
django-allauth's ``mediawiki`` provider (docs/wiki.md, "Sign-in").

allauth is the well-kept library that speaks MediaWiki's OAuth 2 (social-core's MediaWiki
backend is OAuth 1.0a only). This package adapts it: the provider keeps the whole profile
(groups, edit count, registration, blocks) and reads its addresses from the settings when
it runs, not when it is imported; the adapter makes the profile's ``sub`` the account and
the wiki name its username.
"""
