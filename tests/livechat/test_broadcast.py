"""Publishing from a database thread (livechat.broadcast): run on the loop that gave the
thread its work, and waited for, so a thread's publishes keep their order and an ack sent
after the write never runs ahead of the event's publish (docs/benchmarks.md section 11:
without the wait, listeners of a second process had received only 67–76 % of the acked
sends); a failure is counted, never raised into a write that already committed."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from prometheus_client import REGISTRY

from core.dbthreads import on_db_thread
from livechat import broadcast


def failures() -> float:
    return REGISTRY.get_sample_value("livechat_publish_failures_total") or 0.0


class RecordingLayer:
    """A layer that records what it was asked to publish, or fails every publish."""

    def __init__(self, fail: bool = False) -> None:
        self.published: list[int] = []
        self.fail = fail

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        if self.fail:
            raise ConnectionError("Redis is restarting")
        self.published.append(message["n"])


async def publish_from_a_thread(layer: RecordingLayer, count: int) -> list[int]:
    """Publish ``count`` messages from a database thread; answers how many the layer
    had published when each ``group_send`` returned."""
    seen: list[int] = []

    def publish_all() -> None:
        for n in range(count):
            broadcast.group_send("room-1", {"type": "room.event", "n": n})
            seen.append(len(layer.published))

    with (
        mock.patch.object(broadcast, "get_channel_layer", return_value=layer),
        # The loop that handed the thread its work publishes; no loop of its own.
        mock.patch.object(broadcast, "async_to_sync", side_effect=AssertionError),
    ):
        await on_db_thread(publish_all)()
    return seen


@pytest.mark.asyncio
async def test_a_threads_publishes_are_done_when_it_goes_on_and_keep_their_order() -> None:
    layer = RecordingLayer()
    seen = await publish_from_a_thread(layer, 200)
    assert seen == list(range(1, 201))
    assert layer.published == list(range(200))


@pytest.mark.asyncio
async def test_a_failed_publish_from_a_thread_is_counted_and_not_raised() -> None:
    before = failures()
    await publish_from_a_thread(RecordingLayer(fail=True), 3)
    assert failures() == before + 3
