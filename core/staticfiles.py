"""The static files' storage in production (docs/deployment.md "Static files")."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from django.http import FileResponse, HttpRequest
from whitenoise.middleware import WhiteNoiseMiddleware
from whitenoise.storage import CompressedManifestStaticFilesStorage

CHUNK_BYTES = 64 * 1024

_STATIC, _EXPORT, _BARE, _DYNAMIC = (
    ManifestStaticFilesStorage._js_module_import_aggregation_patterns[1]
)
# Django's pattern for import("./x.js") also matches the JSDoc types the scripts use,
# {import("./room.js").ChatRoom}: those would only be rewritten in a comment, but they make
# modules that import each other's types look like import cycles, whose hashes never settle
# ("Max post-process passes exceeded"). A real dynamic import is never right after "{".
_DYNAMIC_NOT_IN_TYPES = (r"""(?P<matched>(?<!\{)import\(["'](?P<url>.*?)["']\))""", _DYNAMIC[1])


class HashedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed, content-hashed storage, with the page's ES modules'
    ``import … from "./x.js"`` and ``import("./x.js")`` rewritten to the hashed names too
    (Django leaves that off by default): a module loaded under a hashed name must load its
    dependencies under theirs, or an upgrade would mix new and cached old modules."""

    patterns = (
        *ManifestStaticFilesStorage.patterns,
        ("*.js", (_STATIC, _EXPORT, _BARE, _DYNAMIC_NOT_IN_TYPES)),
    )


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise's middleware, with its files streamed as an asynchronous iterator: under
    an ASGI server Django would otherwise read a file's synchronous iterator from the event
    loop, warning on every static response ("StreamingHttpResponse must consume
    synchronous iterators…")."""

    @staticmethod
    def serve(static_file: Any, request: HttpRequest) -> FileResponse:
        response = WhiteNoiseMiddleware.serve(static_file, request)
        file = response.file_to_stream
        if file is not None:
            # FileResponse closes the file with the response (its resource closers).
            response.streaming_content = _read_in_thread(file)
        return response


async def _read_in_thread(file: Any) -> AsyncIterator[bytes]:
    while chunk := await asyncio.to_thread(file.read, CHUNK_BYTES):
        yield chunk
