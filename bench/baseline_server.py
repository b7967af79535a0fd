"""The ceiling: a bare ``websockets`` broadcast server speaking the chat's frames.

No auth, no database, no channel layer: on connect it sends ``hello``; on ``message.send``
it numbers the message, serialises one ``event`` frame and writes that same string to
every socket of the room (``websockets.broadcast``), then acks the sender. Whatever the
real server does on top of this is what the "ratio to baseline" figures measure.

    .venv/bin/python bench/baseline_server.py --port 8100
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

from websockets.asyncio.server import ServerConnection, broadcast, serve
from websockets.http11 import Request, Response

ROOM_PATH = re.compile(r"^/ws/rooms/([-\w]+)/$")
ANONYMOUS = {"id": 0, "username": "bench", "roles": []}


def dumps(frame: dict[str, Any]) -> str:
    # The same compact encoding as livechat.events.dumps.
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


@dataclass
class Room:
    slug: str
    sockets: set[ServerConnection] = field(default_factory=set)
    last_event_id: int = 0


rooms: dict[str, Room] = {}
message_ids = itertools.count(1)


def message_frame(room: Room, frame: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The event frame for a new message (serialised once) and the sender's ack."""
    room.last_event_id += 1
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    message = {
        "id": next(message_ids),
        "room": room.slug,
        "author": ANONYMOUS,
        "body": frame.get("body", ""),
        "html": f"<p>{frame.get('body', '')}</p>",
        "created_at": now,
        "edited_at": None,
        "revision": 1,
        "hidden": False,
        "reply_to": None,
        "client_id": frame.get("client_id"),
        "reactions": [],
        "mentions": [],
    }
    event = {
        "type": "event",
        "event_id": room.last_event_id,
        "kind": "message.created",
        "message": message,
    }
    ack = {
        "type": "ack",
        "client_id": message["client_id"],
        "message_id": message["id"],
        "event_id": room.last_event_id,
    }
    return dumps(event), ack


async def handle(ws: ServerConnection) -> None:
    match = ROOM_PATH.match(ws.request.path if ws.request else "")
    if match is None:
        await ws.close(code=4404)
        return
    room = rooms.setdefault(match.group(1), Room(slug=match.group(1)))
    room.sockets.add(ws)
    try:
        await ws.send(
            dumps(
                {
                    "type": "hello",
                    "room": {"slug": room.slug, "name": room.slug},
                    "user": ANONYMOUS,
                    "last_event_id": room.last_event_id,
                    "online": [],
                }
            )
        )
        async for text in ws:
            frame = json.loads(text)
            if frame.get("type") == "message.send":
                event, ack = message_frame(room, frame)
                broadcast(room.sockets, event)
                await ws.send(dumps(ack))
    finally:
        room.sockets.discard(ws)


def refuse_other_paths(ws: ServerConnection, request: Request) -> Response | None:
    if ROOM_PATH.match(request.path):
        return None
    return ws.respond(HTTPStatus.NOT_FOUND, "Only /ws/rooms/<slug>/ lives here.\n")


async def serve_forever(host: str, port: int) -> None:
    async with serve(
        handle, host, port, process_request=refuse_other_paths, compression=None, ping_interval=None
    ) as server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    args = parser.parse_args()
    try:
        import uvloop
    except ImportError:
        asyncio.run(serve_forever(args.host, args.port))
    else:
        uvloop.run(serve_forever(args.host, args.port))


if __name__ == "__main__":
    main()
