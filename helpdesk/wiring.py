"""How the help desk plugs into the chat (called once from HelpdeskConfig.ready()):
its event kinds, socket frames and routes, the hook on every new message, its timers."""

from __future__ import annotations


def install() -> None:
    from accounts.wiki_roles import on_wiki_mentors
    from livechat.actions import register_message_hook
    from livechat.routes import register_routes

    from . import (
        actions,
        api,
        consumers,
        coverage,
        emails,
        event_kinds,
        jobs,
        mentor_actions,
        search,
        socket_frames,
        suggestions_api,
        wiki_archive,
        wiki_handoff,
    )

    event_kinds.register()
    socket_frames.register()
    consumers.register()  # /ws/helpdesk/, the helpers' queue
    register_routes(api.routes())
    register_routes(suggestions_api.routes())  # help while waiting
    register_message_hook(actions.on_message_created, applies=actions.is_help_room_of)
    jobs.register()
    # Mentors on the wiki's list get their weights from it (accounts.wiki_roles).
    on_wiki_mentors(mentor_actions.sync_wiki_weights)
    coverage.register()
    search.install()
    emails.register()  # one email per question
    wiki_handoff.register()  # questions to the wiki's help desk, replies back
    wiki_archive.register()  # monthly transcript pages on the wiki
