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

It also lets a statement be prepared when its cursor asks (``execute(…, prepare=True)``;
livechat.message_rows does for the statement of every plain send), unless
``LIVECHAT_DB_PREPARED_STATEMENTS`` is off. Django turns psycopg's preparing off
altogether, for poolers in transaction mode; nothing is prepared here unless asked.
"""

from __future__ import annotations

import select
import sys
from typing import Any

from django.conf import settings
from django.db.backends.postgresql import base, operations
from psycopg import errors
from psycopg.pq import TransactionStatus

# psycopg prepares a statement run this many times, or one whose cursor asks: so only
# the ones asked for (Django's client-side cursors never prepare).
ONLY_WHEN_ASKED = sys.maxsize


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor: Any, sql: Any, params: Any) -> str | None:
        query = super().last_executed_query(cursor, sql, params)
        if query is None and isinstance(sql, str):
            # A prepared statement's run: psycopg keeps no text of it, so the query log
            # (DEBUG, the tests' query pins) shows it with its values as Django would.
            try:
                return self.compose_sql(sql, params)
            except errors.DataError:
                return sql
        return query


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        if settings.LIVECHAT_DB_PREPARED_STATEMENTS and connection.prepare_threshold is None:
            connection.prepare_threshold = ONLY_WHEN_ASKED
        return connection

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
