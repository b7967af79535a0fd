"""Django's PostgreSQL backend, with a health check that costs no round trip.

With ``CONN_HEALTH_CHECKS`` Django checks a kept connection with ``SELECT 1`` before its
first use in each request, and each database call of a socket counts as a request
(Channels closes old connections around it): every frame paid a round trip for the check,
and 2.4 % of a send-bound process's CPU (docs/benchmarks.md section 10).

An idle connection's server says nothing unless it is ending the session: a shutdown or
restart sends a FATAL notice and closes, a killed server's socket reads end-of-file. So
an idle connection whose socket has nothing to read is usable, and one with anything to
read, or in any other state, gets Django's own ``SELECT 1``. What this cannot see is a
peer gone silently (a network partition): then the first query fails, is reported as an
outage (core.outage), and Django drops the connection after the failed call, as it would
for a server lost in the middle of a request.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        if connection.info.transaction_status == TransactionStatus.IDLE and not _has_input(
            connection.fileno()
        ):
            return True
        return super().is_usable()


def _has_input(fd: int) -> bool:
    # poll, not select: a process with 10,000 sockets has descriptors past select's 1024.
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))
