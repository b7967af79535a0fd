"""The timer worker: fire what is due, else sleep until the earliest due time (at most a
second, so timers scheduled meanwhile are seen). Run one or more anywhere that reaches
the database (docs/jobs.md); `make run` starts one beside runserver.

SIGTERM or SIGINT stops it gracefully: the timer running finishes and commits, the rest
of its batch is released for other workers, and it exits with status 0.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections, connections
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import clock
from timers.registry import startup_hooks
from timers.status import backlog_sentences
from timers.worker import backlog, fire_due_timers, next_due

logger = logging.getLogger("timers.worker")

# The longest sleep: a timer scheduled while the worker sleeps waits at most this long.
MAX_WAIT = 1.0
# The shortest: something is due but was not fired (another worker is leasing it).
MIN_WAIT = 0.01


class Command(BaseCommand):
    help = _("Fire due timers until stopped with SIGTERM or Ctrl-C.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--once", action="store_true", help=_("Fire what is due now, then exit.")
        )
        parser.add_argument(
            "--status", action="store_true", help=_("Print how many timers are overdue.")
        )
        parser.add_argument(
            "--limit",
            type=int,
            default=500,
            help=_("Lease at most this many timers at a time (default: 500)."),
        )

    def handle(self, *args: Any, once: bool, status: bool, limit: int, **options: Any) -> None:
        if limit < 1:
            raise CommandError(_("--limit must be at least 1."))
        if status:
            for sentence in backlog_sentences(backlog()):
                self.stdout.write(sentence)
        elif once:
            fired = fire_due_timers(limit=limit)
            self.stdout.write(
                ngettext("Fired %(count)d timer.", "Fired %(count)d timers.", fired)
                % {"count": fired}
            )
        else:
            self.loop(limit=limit)

    def loop(self, *, limit: int) -> None:
        stop = threading.Event()
        for hook in startup_hooks():
            try:
                hook(clock.now())
            except DatabaseError:
                # Not fatal: the loop below retries the database, and the hook's app has
                # other ways to start (the help desk's coverage page starts sampling too).
                logger.exception("a timer worker start-up hook failed")

        def request_stop(signum: int, frame: Any) -> None:
            stop.set()

        previous: dict[int, Any] = {}
        for signum in (signal.SIGTERM, signal.SIGINT):
            # A SIGINT ignored by whoever started us (a shell's background job) stays
            # ignored, as Python itself would leave it: Ctrl-C is not meant for us then.
            if signal.getsignal(signum) is not signal.SIG_IGN:
                previous[signum] = signal.signal(signum, request_stop)
        self.stdout.write(_("Firing timers; stop with Ctrl-C or SIGTERM."))
        try:
            while not stop.is_set():
                stop.wait(self.iteration(limit=limit, stop=stop))
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            connections.close_all()
        self.stdout.write(_("Stopped firing timers."))

    def iteration(self, *, limit: int, stop: threading.Event) -> float:
        """Fire one batch; return how long to sleep before the next."""
        # A long-running process must drop connections that broke or outlived
        # CONN_MAX_AGE itself; Django does it only around requests.
        close_old_connections()
        try:
            if fire_due_timers(limit=limit, should_stop=stop.is_set):
                return 0  # there may be more
            now = clock.now()
            due = next_due(now=now)
        except DatabaseError:
            # The database restarting or unreachable: keep trying, once a second.
            logger.exception("The timer worker could not reach the database.")
            return MAX_WAIT
        if due is None:
            return MAX_WAIT
        return min(max((due - now).total_seconds(), MIN_WAIT), MAX_WAIT)
