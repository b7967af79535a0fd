#!/usr/bin/env bash
# Install (from Debian's packages, when missing) and start the outside services the chat
# can use on this machine, on loopback. None is needed for `make run`; each makes it closer
# to production:
#
#   scripts/services.sh postgres   PostgreSQL on 127.0.0.1:5432 (then DATABASE_URL=...)
#   scripts/services.sh redis      Redis on 127.0.0.1:6379 (then REDIS_URL=...)
#   scripts/services.sh smtp       a mail server on 127.0.0.1:8025 that prints every mail
#                                  (then EMAIL_URL=smtp://127.0.0.1:8025); runs in front
#
# The timers' job queue needs no service of its own: its table lives in the database
# (docs/jobs.md), and `make run` starts its worker.
set -euo pipefail
cd "$(dirname "$0")/.."

install() {
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "$@" >/dev/null
}

case "${1:-}" in
  postgres)
    command -v pg_ctlcluster >/dev/null || install postgresql
    if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
      for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
    fi
    pg_isready -h 127.0.0.1 -p 5432
    echo "DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres"
    ;;
  redis)
    command -v redis-server >/dev/null || install redis-server
    if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
      mkdir -p /var/lib/redis /var/log/redis
      redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
        --appendonly no --dir /var/lib/redis --logfile /var/log/redis/livechat.log
      for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
    fi
    redis-cli -h 127.0.0.1 -p 6379 ping
    echo "REDIS_URL=redis://127.0.0.1:6379/0"
    ;;
  smtp)
    echo "EMAIL_URL=smtp://127.0.0.1:8025 (Ctrl-C stops it)"
    exec .venv/bin/python -m aiosmtpd -n -l 127.0.0.1:8025 -c aiosmtpd.handlers.Debugging
    ;;
  *)
    echo "usage: $0 postgres|redis|smtp" >&2
    exit 2
    ;;
esac
