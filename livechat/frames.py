"""The socket's client frames: one registry, filled by every app in its ``ready()``.

A handler is a plain synchronous function of the socket's context and the frame; it
calls one action and returns the frame to answer the sender with (an ``ack``, say) or
``None``. The consumer runs it on the database thread and turns a domain error into an
``error`` frame, so a handler holds no socket plumbing and no rules of its own.

livechat registers the chat's frames (livechat.socket_frames); moderation its own
(hide, unhide, report); the help desk will register its frames the same way.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from core.errors import Invalid, TooLong
from core.jsonsafe import has_lone_surrogate

if TYPE_CHECKING:
    from accounts.models import User

    from .models import Room

Frame = dict[str, Any]


@dataclass(frozen=True)
class FrameContext:
    """What a frame handler knows of the socket it arrived on."""

    user: User
    room: Room


FrameHandler = Callable[[FrameContext, Frame], Frame | None]

_handlers: dict[str, FrameHandler] = {}
# Frames the consumer answers itself (they need the socket: its cursor, the layer).
RESERVED = frozenset({"typing", "resume"})


def register_frame(frame_type: str, handler: FrameHandler) -> None:
    if frame_type in RESERVED or frame_type in _handlers:
        raise ImproperlyConfigured(f"The socket frame {frame_type!r} is registered twice.")
    _handlers[frame_type] = handler


def frame(frame_type: str) -> Callable[[FrameHandler], FrameHandler]:
    """Decorator form of :func:`register_frame`."""

    def decorate(handler: FrameHandler) -> FrameHandler:
        register_frame(frame_type, handler)
        return handler

    return decorate


_connect_hooks: list[Callable[[FrameContext], None]] = []


def register_connect_hook(hook: Callable[[FrameContext], None]) -> None:
    """Run ``hook`` (on the database thread) whenever a room socket opens, after its
    hello: moderation loads the person's wiki blocks so their first write is quick."""
    if hook not in _connect_hooks:
        _connect_hooks.append(hook)


def connect_hooks() -> list[Callable[[FrameContext], None]]:
    return list(_connect_hooks)


_disconnect_hooks: list[Callable[[FrameContext], None]] = []


def register_disconnect_hook(hook: Callable[[FrameContext], None]) -> None:
    """Run ``hook`` (on the database thread) whenever a room socket closes."""
    if hook not in _disconnect_hooks:
        _disconnect_hooks.append(hook)


def disconnect_hooks() -> list[Callable[[FrameContext], None]]:
    return list(_disconnect_hooks)


def parse_frame(text: str | None) -> Frame:
    """A client frame from the socket's text: a JSON object with a "type", no larger than
    LIVECHAT_MAX_FRAME_BYTES. Every socket parses with this, so each refuses bad input
    in the same words."""
    if text is None:
        raise Invalid(_("Frames must be JSON text, not binary."))
    limit = settings.LIVECHAT_MAX_FRAME_BYTES
    # A character is 1 to 4 bytes, so most frames are settled without encoding them.
    if len(text) * 4 > limit and len(text.encode("utf-8", "surrogatepass")) > limit:
        raise TooLong(_("The frame is larger than %(limit)d bytes.") % {"limit": limit})
    try:
        # NaN, Infinity and numbers past a float's range (1e400) are refused: echoed back
        # in an error frame (its client_id, message_id) they would make it non-JSON for
        # the browser's JSON.parse.
        frame = json.loads(text, parse_constant=_not_json, parse_float=_finite_float)
    except ValueError:
        raise Invalid(_("The frame is not valid JSON.")) from None
    except RecursionError:
        # Thousands of nested brackets fit under the size limit; json gives up on them
        # with RecursionError, which would otherwise end the socket.
        raise Invalid(_("The frame is nested too deeply.")) from None
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise Invalid(_('A frame must be a JSON object with a "type".'))
    if has_lone_surrogate(frame):
        raise Invalid(_("The frame holds text that is not valid Unicode."))
    return frame


def _not_json(word: str) -> float:
    # Python reads these words; JSON (and the browser's JSON.parse) does not.
    raise Invalid(_("The frame is not valid JSON."))


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise Invalid(_("The frame holds a number too large to use."))
    return number


def handler_for(frame_type: str) -> FrameHandler | None:
    return _handlers.get(frame_type)


def registered() -> frozenset[str]:
    return frozenset(_handlers) | RESERVED
