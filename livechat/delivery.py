"""Per-socket delivery bookkeeping: which event ids this socket has been given.

The channel layer delivers at most once, may drop frames when a socket falls behind, and
two processes can publish consecutive events in swapped order. The socket therefore
forwards live events strictly in id order: a frame it has already passed is dropped, and
a frame past a gap first pulls the missing events from the log. The client still checks
ids itself, as the last line of defence across reconnects.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class EventCursor:
    # The room's last event id when the socket joined: the client loads what came before
    # from history, or asks for it with `resume`.
    joined_at: int
    # The newest event id forwarded live on this socket.
    delivered: int = -1

    def __post_init__(self) -> None:
        if self.delivered < 0:
            self.delivered = self.joined_at

    def is_stale(self, event_id: int) -> bool:
        return event_id <= self.delivered

    def gap_before(self, event_id: int) -> range:
        """Event ids missing before ``event_id`` can be forwarded."""
        return range(self.delivered + 1, event_id)

    def advance(self, event_id: int) -> None:
        self.delivered = max(self.delivered, event_id)

    def needs_replay(self, event_id: int) -> bool:
        """For `resume`: was this event *not* already forwarded live on this socket?
        (Events after ``joined_at`` up to ``delivered`` were.)"""
        return not (self.joined_at < event_id <= self.delivered)
