"""Publishing from a database thread: handed to the socket's loop, in order, failures
counted (livechat.broadcast)."""

from __future__ import annotations

import asyncio
from typing import Any
from unittest import mock

import pytest
from prometheus_client import REGISTRY

from core.dbthreads import on_db_thread
from livechat import broadcast

pytestmark = pytest.mark.asyncio


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


async def published_by_one_thread(layer: RecordingLayer, count: int) -> None:
    def publish_all() -> None:
        for n in range(count):
            broadcast.group_send("room-1", {"type": "room.event", "n": n})

    with (
        mock.patch.object(broadcast, "get_channel_layer", return_value=layer),
        # The loop that handed the thread its work publishes; no loop of its own.
        mock.patch.object(broadcast, "async_to_sync", side_effect=AssertionError),
    ):
        await on_db_thread(publish_all)()
        # The thread does not wait for its publishes: let the loop run them.
        while broadcast._publishing or len(layer.published) < count and not layer.fail:
            await asyncio.sleep(0)


async def test_a_threads_publishes_reach_the_layer_in_order() -> None:
    layer = RecordingLayer()
    await published_by_one_thread(layer, 200)
    assert layer.published == list(range(200))


async def test_a_failed_publish_from_a_thread_is_counted_and_not_raised() -> None:
    before = failures()
    await published_by_one_thread(RecordingLayer(fail=True), 3)
    assert failures() == before + 3
