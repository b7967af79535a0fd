"""Shared benchmark configuration: the server environment and Django bootstrapping.

Every script reads the same environment, so that servers, seeders and in-process
measurements all talk to the benchmark database and Redis db, never to the test ones.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
PYTHON = str(PROJECT / ".venv" / "bin" / "python")
PASSWORD = "bench-password-123"  # a throwaway account on a loopback-only DB
ROOM_COUNT = 50

# Defaults for every benchmark process; anything already exported wins.
DEFAULT_ENV = {
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/bench",
    "REDIS_URL": "redis://127.0.0.1:6379/3",
    "LIVECHAT_REDIS_PREFIX": "bench",
    "LIVECHAT_CHANNEL_LAYER": "channels_redis.pubsub.RedisPubSubChannelLayer",
    "DEBUG": "0",
    "SECRET_KEY": "bench",
    "ALLOWED_HOSTS": "127.0.0.1",
    "LOG_LEVEL": "WARNING",
    "DJANGO_SETTINGS_MODULE": "config.settings",
    # Load generators send far faster than any person may: the rate limiter still counts
    # every send (its cost is measured) but never refuses one.
    "LIVECHAT_RATE_LIMIT_COUNT": "1000000000",
    "LIVECHAT_RATE_LIMIT_NEW_COUNT": "1000000000",
    # The static files straight from the source folders: the servers run from a tree
    # where nobody ran collectstatic, and the sign-in page links the stylesheets.
    "LIVECHAT_STATIC_MANIFEST": "0",
}

LAYERS = {
    "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
    "core": "channels_redis.core.RedisChannelLayer",
}


def bench_env(**overrides: str) -> dict[str, str]:
    """The environment for a server or seeder process."""
    env = dict(os.environ)
    for key, value in DEFAULT_ENV.items():
        env.setdefault(key, value)
    env.update(overrides)
    return env


def setup_django() -> None:
    """Configure Django in this process against the benchmark database."""
    for key, value in DEFAULT_ENV.items():
        os.environ.setdefault(key, value)
    if str(PROJECT) not in sys.path:
        sys.path.insert(0, str(PROJECT))
    import django

    django.setup()


def username(index: int) -> str:
    return f"bench-{index}"


def room_slug(index: int, prefix: str = "bench-room-") -> str:
    return f"{prefix}{index}"
