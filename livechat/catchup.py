"""The room's newest event id, read for the sockets' catch-up (RoomConsumer.catch_up).

Every socket of a room asks now and then whether an event slipped past it; one read per
room and process answers them all for ``max_age`` seconds, so two thousand sockets in a
room cost one query per interval, not two thousand. Concurrent askers share the read in
flight.
"""

from __future__ import annotations

import asyncio
import time

from core.dbthreads import on_db_thread

from .models import Room

# room id -> (when read, the read: done or in flight), per event loop (a test's loop ends
# with it; a server has one).
_reads: dict[tuple[int, int], tuple[float, asyncio.Future[int]]] = {}


def _read(room_id: int) -> int:
    return int(Room.objects.filter(pk=room_id).values_list("last_event_id", flat=True).get())


async def latest_event_id(room_id: int, *, max_age: float) -> int:
    loop = asyncio.get_running_loop()
    key = (id(loop), room_id)
    now = time.monotonic()
    entry = _reads.get(key)
    if entry is None or now - entry[0] > max_age or entry[1].cancelled():
        future = asyncio.ensure_future(on_db_thread(_read)(room_id))
        _reads[key] = entry = (now, future)
    future = entry[1]
    try:
        return await asyncio.shield(future)
    except Exception:
        # A failed read (the database is down) is not kept: the next asker tries again.
        if _reads.get(key) == entry:
            del _reads[key]
        raise
