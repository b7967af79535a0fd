"""Prometheus metrics (docs/operations.md "Metrics").

The hot paths only increment counters here (a lock and an addition, or a write to an
mmapped file in multiprocess mode); what the database knows (questions waiting, the timers'
backlog) is read once per scrape, by :class:`DatabaseCollector`, in two cheap queries.

Several uvicorn workers each keep their own counters: with ``PROMETHEUS_MULTIPROC_DIR``
set (``make serve`` sets it when it starts more than one worker), prometheus_client writes
them to files in that directory and the scrape, whichever worker answers it, sums them.
"""

from __future__ import annotations

import atexit
import hmac
import logging
import os
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))

# -- the chat's metrics ---------------------------------------------------------------------

OPEN_SOCKETS = Gauge(
    "livechat_open_sockets",
    "WebSockets open now (accepted and not yet closed).",
    # Summed over the live workers; a worker's file goes when it exits (see below).
    multiprocess_mode="livesum",
)
DELIVERIES = Counter(
    "livechat_deliveries",
    "Frames sent to sockets (messages, events, presence, acks): rate() gives deliveries/s.",
)
SEND_LATENCY = Histogram(
    "livechat_send_latency_seconds",
    "From the server's receipt of a message.send frame to its ack (the message committed).",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
PUBLISH_FAILURES = Counter(
    "livechat_publish_failures",
    "Committed changes whose channel-layer publish failed (clients catch up by gap fill).",
)
GAPS_FILLED = Counter(
    "livechat_gaps_filled",
    "Gaps in event ids filled from the event log (by a room's fan-out or by one socket).",
)
OUTBOX_DROPS = Counter(
    "livechat_outbox_drops",
    "Room frames not queued for a socket already far behind (its events come from the log).",
)
RESYNCS = Counter(
    "livechat_resyncs",
    "resync frames sent: a client told to reload history instead of catching up.",
)

if MULTIPROCESS:
    from prometheus_client import multiprocess

    # A worker stopping cleanly takes its open-sockets gauge with it; one killed leaves its
    # file until `make serve` starts again (it empties the directory).
    atexit.register(multiprocess.mark_process_dead, os.getpid())


class DatabaseCollector(Collector):
    """Read at scrape time: the help desk's waiting questions and the timers' backlog."""

    def collect(self) -> Iterator[Metric]:
        from core import clock
        from helpdesk.selectors import waiting_summary
        from timers.worker import backlog

        now = clock.now()
        try:
            waiting = waiting_summary(now=now)
            late = backlog(now=now)
        except Exception:
            # A scrape during a database outage still returns the process's counters.
            logger.exception("reading the database metrics failed")
            return
        yield _gauge(
            "livechat_questions_waiting",
            "Help-desk questions waiting for a first answer.",
            waiting["waiting"],
        )
        yield _gauge(
            "livechat_question_oldest_wait_seconds",
            "How long the oldest waiting question has waited (0 when none waits).",
            waiting["oldest_wait_seconds"] or 0,
        )
        oldest = late["oldest_due_at"]
        yield _gauge(
            "livechat_timers_lag_seconds",
            "How late the oldest due timer is (0 when none is overdue).",
            max(0.0, (now - oldest).total_seconds()) if oldest else 0,
        )
        yield _gauge("livechat_timers_overdue", "Timers due and not yet run.", late["overdue"])
        yield _gauge(
            "livechat_timers_parked", "Timers parked after failing too often.", late["parked"]
        )


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


class _ProcessCollector(Collector):
    """This process's own metrics (one worker), from the default registry."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def scrape_registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    if MULTIPROCESS:
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ProcessCollector())
    registry.register(DatabaseCollector())
    return registry


# -- the endpoint ---------------------------------------------------------------------------


def access(request: HttpRequest) -> bool | None:
    """True for a bearer token equal to METRICS_TOKEN or a staff member's session; False
    for a wrong token; None for a request that offered nothing."""
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        offered = header.removeprefix("Bearer ").strip()
        return bool(token) and hmac.compare_digest(offered.encode(), token.encode())
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return bool(user.is_staff)
    return None


@never_cache
@require_safe
def metrics_view(request: HttpRequest) -> HttpResponse:
    allowed = access(request)
    if allowed is None:
        # Not found, for whoever did not ask with credentials: the endpoint does not
        # advertise itself.
        raise Http404
    if not allowed:
        raise PermissionDenied
    return HttpResponse(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST)
