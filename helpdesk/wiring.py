"""How the help desk plugs into the chat (called once from HelpdeskConfig.ready()):
its event kinds, socket frames and routes, the hook on every new message, its timers."""

from __future__ import annotations


def install() -> None:
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
        search,
        socket_frames,
    )

    event_kinds.register()
    socket_frames.register()
    consumers.register()  # /ws/helpdesk/, the helpers' queue
    register_routes(api.routes())
    register_message_hook(actions.on_message_created)
    jobs.register()
    coverage.register()
    search.install()
    emails.register()  # one email per question
