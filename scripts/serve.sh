#!/usr/bin/env bash
# `make serve`: the chat in production mode (docs/deployment.md "make serve"): migrate,
# collect the static files (hashed and compressed, served by WhiteNoise), then uvicorn with
# a worker per core and the timers' worker beside it. Settings come from the environment;
# DEBUG is off unless set.
#
#   WEB_CONCURRENCY  workers (default: the cores, `nproc`); more than one needs REDIS_URL
#   HOST, PORT       where to listen (127.0.0.1:8000: the reverse proxy is in front)
#   FORWARDED_ALLOW_IPS  proxies whose X-Forwarded-For/-Proto are believed (127.0.0.1)
#   COLLECTSTATIC    1 (default); 0 when the image collected them at build
#   RUN_TIMERS       1 (default): run `manage.py run_timers` beside the server and stop it
#                    with it; 0 when the timers run as their own service (systemd, compose)
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON_BIN:-.venv/bin/python}
export DEBUG=${DEBUG:-0}
if [ -z "${SECRET_KEY:-}" ] && [ "$DEBUG" = 0 ]; then
  echo "SECRET_KEY is not set: production mode needs one (docs/deployment.md)." >&2
  exit 1
fi

cores=$(nproc 2>/dev/null || echo 1)
workers=${WEB_CONCURRENCY:-$cores}
if [ "$workers" -gt 1 ] && [ -z "${REDIS_URL:-}" ]; then
  # Without Redis each worker has its own channel layer, presence and rate limits: a
  # message sent through one worker would never reach the sockets of another.
  if [ -n "${WEB_CONCURRENCY:-}" ]; then
    echo "WEB_CONCURRENCY=$workers needs REDIS_URL (the workers share sockets' messages" \
      "through Redis); set REDIS_URL or WEB_CONCURRENCY=1." >&2
    exit 1
  fi
  echo "REDIS_URL is not set: starting 1 worker instead of $workers (docs/deployment.md)." >&2
  workers=1
fi
if [ "$workers" -gt 1 ]; then
  # Each worker writes its metrics here and /metrics sums them (docs/operations.md);
  # emptied at every start, or a dead worker's numbers would count forever.
  export PROMETHEUS_MULTIPROC_DIR=${PROMETHEUS_MULTIPROC_DIR:-${TMPDIR:-/tmp}/livechat-metrics-${PORT:-8000}}
fi
if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
  rm -rf "$PROMETHEUS_MULTIPROC_DIR"
  mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
fi

"$PY" manage.py migrate --noinput
# COLLECTSTATIC=0 where the files were collected already (the container image, at build).
if [ "${COLLECTSTATIC:-1}" = 1 ]; then
  "$PY" manage.py collectstatic --noinput --verbosity 0
fi

frame_limit=${LIVECHAT_MAX_FRAME_BYTES:-65536}
server=(
  "$PY" -m uvicorn config.asgi:application
  --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}"
  --workers "$workers"
  # Client address and scheme from the proxy's X-Forwarded-* headers, from these only.
  --proxy-headers --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}"
  # Frames past the chat's limit refused from their header (docs/deployment.md); no
  # per-message deflate (every frame compressed once per socket); pings find dead peers.
  # uvicorn's websockets-sansio, plus a reset for a peer that takes no data for
  # LIVECHAT_WS_STALL_SECONDS (20): its memory stays bounded (core/wsprotocol.py).
  --ws core.wsprotocol:BoundedWebSocketProtocol --ws-max-size "$frame_limit"
  --ws-per-message-deflate false
  --ws-ping-interval 20 --ws-ping-timeout 20
  # Channels' router has no lifespan protocol.
  --lifespan off
  # On SIGTERM, open sockets get this long to close before the worker exits.
  --timeout-graceful-shutdown "${GRACEFUL_SECONDS:-30}"
  # One access line per request comes from the application, with its request id.
  --no-access-log
)

if [ "${RUN_TIMERS:-1}" = 1 ]; then
  "$PY" manage.py run_timers & timers=$!
  trap 'status=$?; kill $timers 2>/dev/null; wait $timers || :; exit $status' EXIT
  "${server[@]}" & web=$!
  trap 'kill -TERM $web 2>/dev/null; wait $web; exit 143' INT TERM
  wait $web
else
  exec "${server[@]}"
fi
