from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _help_room(settings: Any) -> None:
    """The `room` fixture ("help-desk") is a help room here, as it is by default."""
    settings.LIVECHAT_HELP_ROOMS = ["help-desk"]
