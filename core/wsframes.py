"""A text frame prepared once for many sockets (the chat's fan-out, livechat.fanout).

An ASGI ``send`` makes every socket encode its text and frame it again, through a coroutine
per socket. A frame that goes to a whole room is the same bytes on every socket that
negotiated no extension (a server's frames are not masked), so it is encoded and framed
once here, as ``websockets.broadcast`` does, and written as is by each socket
(core.wsprotocol's direct write). A socket with per-message deflate compresses it in its
own context instead (``data``).
"""

from __future__ import annotations

from websockets.frames import Frame, Opcode


class PreparedFrame:
    __slots__ = ("_data", "_wire", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._data: bytes | None = None
        self._wire: bytes | None = None

    @property
    def data(self) -> bytes:
        """The UTF-8 payload."""
        if self._data is None:
            self._data = self.text.encode()
        return self._data

    @property
    def wire(self) -> bytes:
        """The whole unmasked, uncompressed text frame (header and payload)."""
        if self._wire is None:
            self._wire = Frame(Opcode.TEXT, self.data).serialize(mask=False, extensions=[])
        return self._wire

    def __repr__(self) -> str:
        return f"PreparedFrame({self.text[:60]!r})"
