"""core.wsprotocol: a socket whose writes stay blocked is reset, and a missed pong resets
rather than waits for a buffer that never drains. (The whole story, with a real server and
a client that never reads: tests/faults/test_slow_client.py.)"""

from __future__ import annotations

import asyncio
import socket
import struct
from typing import Any

from uvicorn.config import Config
from uvicorn.server import ServerState

from core.wsprotocol import BoundedWebSocketProtocol


async def app(scope: Any, receive: Any, send: Any) -> None:  # never called here
    raise AssertionError


class Transport(asyncio.Transport):
    def __init__(self, protocol: BoundedWebSocketProtocol, buffered: int = 0) -> None:
        super().__init__()
        self.protocol = protocol
        self.buffered = buffered
        self.aborted = False
        self.closing = False
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"socket": self.sock, "peername": ("127.0.0.1", 5555)}.get(name, default)

    def write(self, data: Any) -> None:
        pass

    def get_write_buffer_size(self) -> int:
        return self.buffered

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True  # like asyncio's: connection_lost only once the buffer drains

    def abort(self) -> None:
        self.aborted = self.closing = True
        self.protocol.connection_lost(None)


def protocol(monkeypatch: Any, stall: str) -> tuple[BoundedWebSocketProtocol, Transport]:
    monkeypatch.setenv("LIVECHAT_WS_STALL_SECONDS", stall)
    config = Config(app=app, ws="core.wsprotocol:BoundedWebSocketProtocol", ws_ping_timeout=1)
    config.load()
    made = BoundedWebSocketProtocol(config=config, server_state=ServerState(), app_state={})
    transport = Transport(made, buffered=200_000)
    made.connection_made(transport)
    return made, transport


async def test_a_socket_whose_writes_stay_blocked_is_reset(monkeypatch: Any) -> None:
    made, transport = protocol(monkeypatch, "0.05")
    made.pause_writing()
    assert not made.writable.is_set()
    await asyncio.wait_for(made.writable.wait(), 5)  # released by the reset, not by a drain
    assert transport.aborted and made.disconnected
    # Reset, not closed: no buffer kept in the kernel for a peer that does not read.
    linger = transport.sock.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8)
    assert struct.unpack("ii", linger) == (1, 0)
    assert made.queue.get_nowait() == {"type": "websocket.disconnect", "code": 1006}
    transport.sock.close()


async def test_writes_that_resume_in_time_are_not_reset(monkeypatch: Any) -> None:
    made, transport = protocol(monkeypatch, "0.05")
    made.pause_writing()
    made.resume_writing()
    assert made.stall_timer is None
    await asyncio.sleep(0.1)
    assert not transport.aborted
    transport.sock.close()


async def test_a_missed_pong_resets_when_the_buffer_does_not_drain(monkeypatch: Any) -> None:
    made, transport = protocol(monkeypatch, "0")
    made.handshake_complete = True
    made.keepalive_timeout()
    assert transport.aborted and made.disconnected
    transport.sock.close()
