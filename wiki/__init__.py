"""The MediaWiki client: the one place the chat talks to its wiki (docs/wiki.md).

A small interface of our own (:class:`wiki.client.Wiki`) over mwclient, a well-kept Action
API client; accounts, moderation and the help desk use it. No views, no models."""
