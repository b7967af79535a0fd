"""HTTP requests under ASGI close their database connections when they end.

Django's ASGI handler runs the synchronous part of each request on a thread of its own
(asgiref's ``ThreadSensitiveContext``), and a connection belongs to its thread: it is
never reused by another request. With ``CONN_MAX_AGE`` above 0 (kept for the sockets'
long-lived database threads, core.dbthreads, and Channels' own thread) Django leaves the
request's connection open at its end, and it stayed open until the garbage collector
freed it: 50 requests at once ran a default PostgreSQL (100 slots) out of connections,
and 155 of 1,000 answered 503 (docs/benchmarks.md section 12). Closed here, the
connections open at once are at most the requests in flight, and a database outage is
still answered at once (a pool would make each request wait for its timeout first).
"""

from __future__ import annotations

from typing import Any

from django.core.handlers.asgi import ASGIHandler
from django.core.signals import request_finished
from django.db import connections


def close_request_connections(**kwargs: Any) -> None:
    # Sent from the request's own context (ASGIHandler closes the response on the
    # request's thread), so these are the request's connections and nobody else's.
    for connection in connections.all(initialized_only=True):
        # Never under an open transaction: Django would mark it broken for its owner.
        if not connection.in_atomic_block:
            connection.close()


def connect() -> None:
    # Only ASGI's handler: the test client and WSGI keep Django's own handling.
    request_finished.connect(
        close_request_connections, sender=ASGIHandler, dispatch_uid="core.requestdb"
    )
