"""uvicorn's WebSocket protocol (``websockets-sansio``) with a bound on a peer that takes no
data: ``--ws core.wsprotocol:BoundedWebSocketProtocol`` (scripts/serve.sh).

uvicorn makes the application wait while a socket's write buffer is full (``send`` awaits
the transport's ``resume_writing``), which is right for a peer that reads slowly; but a peer
that never reads keeps it waiting forever. The consumer then stops taking its channel-layer
messages, and the layer queues every event of the room for it in the server's memory, with
no limit (measured: 1.3 MB a second in a busy room, for as long as the peer stays; the
keepalive ping does not end it, because uvicorn's ``transport.close()`` waits for a buffer
that never drains). Here a socket whose writes stay blocked for
``LIVECHAT_WS_STALL_SECONDS`` (20 s) is aborted — a TCP reset, its buffers dropped — and a
keepalive timeout aborts as well; the consumer's ``disconnect`` runs, and the page
reconnects and resumes from its last event id (docs/operations.md, "Faults").

It also offers the application a direct write (the ``livechat.direct_write`` scope
extension): the room fan-out writes a frame prepared once (core.wsframes) straight to the
connection, without a coroutine and an ASGI message per socket; the one frame that goes
to 2,000 sockets costs 2,000 ``transport.write`` calls and nothing else. It writes only
when uvicorn's own ``send`` would write at once; otherwise (the peer's buffer is full, the
socket is closing) it says no, and the caller takes the ordinary, awaited ``send``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import struct
from asyncio import TimerHandle
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.http11 import Request
from websockets.protocol import State

from core.wsframes import PreparedFrame

logger = logging.getLogger(__name__)

# The scope extension through which the application finds ``write_now`` (ASGI lets a
# server offer its own extensions; an application that does not know it ignores it).
DIRECT_WRITE = "livechat.direct_write"


def stall_seconds() -> float:
    return float(os.environ.get("LIVECHAT_WS_STALL_SECONDS", "20"))


class BoundedWebSocketProtocol(WebSocketsSansIOProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stall_timer: TimerHandle | None = None
        self.stall_limit = stall_seconds()

    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        scope = getattr(self, "scope", None)  # none when the handshake was refused
        if scope is not None:
            scope["extensions"][DIRECT_WRITE] = {"write": self.write_now}

    def write_now(self, frame: PreparedFrame) -> bool:
        """Write one text frame now; False when uvicorn's ``send`` would wait or refuse
        (the peer's buffer is full, the socket is not open), and nothing was written."""
        if (
            self.disconnected
            or self.close_sent
            or not self.handshake_complete
            or self.initial_response is not None
            or not self.writable.is_set()
            or self.conn.state is not State.OPEN
        ):
            return False
        if self.conn.extensions:
            # Per-message deflate: each socket compresses in its own context.
            self.conn.send_text(frame.data)
            self.transport.write(b"".join(self.conn.data_to_send()))
        else:
            self.transport.write(frame.wire)
        return True

    def pause_writing(self) -> None:
        super().pause_writing()
        if self.stall_timer is None and self.stall_limit > 0:
            self.stall_timer = self.loop.call_later(self.stall_limit, self.stalled)

    def resume_writing(self) -> None:
        super().resume_writing()
        self.cancel_stall_timer()

    def cancel_stall_timer(self) -> None:
        if self.stall_timer is not None:
            self.stall_timer.cancel()
            self.stall_timer = None

    def stalled(self) -> None:
        self.stall_timer = None
        if self.disconnected:
            return
        peer = f"{self.client[0]}:{self.client[1]}" if self.client else "?"
        logger.warning("websocket peer %s took no data for %s s: connection reset", peer,
                       self.stall_limit)  # fmt: skip
        self.abort()

    def keepalive_timeout(self) -> None:
        super().keepalive_timeout()
        # uvicorn closed the transport, which waits for its buffer to drain: a peer that
        # neither answers pings nor reads would keep it (and its buffer) for ever.
        if not self.disconnected and self.transport.get_write_buffer_size():
            self.abort()

    def abort(self) -> None:
        """Reset the connection now: the kernel's send buffer is dropped too (SO_LINGER 0),
        not kept trying to reach a peer that does not read."""
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.transport.abort()  # connection_lost: the application's send stops waiting

    def connection_lost(self, exc: Exception | None) -> None:
        self.cancel_stall_timer()
        super().connection_lost(exc)
