"""Create the benchmark users (bench-0..N-1, one shared password) and rooms
(bench-room-0..49). Idempotent: run it again with a larger --users to add more.

    .venv/bin/python bench/setup_data.py --users 500
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.benv import PASSWORD, ROOM_COUNT, room_slug, setup_django, username  # noqa: E402


def create_users(count: int) -> int:
    from django.contrib.auth.hashers import make_password

    from accounts.models import User

    # Hash once: PBKDF2 at Django's default cost takes ~0.5 s here, and every account
    # shares the password anyway. Logging in still pays the full cost on the server.
    encoded = make_password(PASSWORD)
    existing = set(
        User.objects.filter(username__startswith="bench-").values_list("username", flat=True)
    )
    new = [
        User(username=username(i), password=encoded)
        for i in range(count)
        if username(i) not in existing
    ]
    User.objects.bulk_create(new, batch_size=1000)
    return len(new)


def create_rooms(count: int) -> int:
    from livechat.models import Room

    created = 0
    for index in range(count):
        slug = room_slug(index)
        _, was_created = Room.objects.get_or_create(
            slug=slug, defaults={"name": f"Bench room {index}"}
        )
        created += was_created
    return created


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--rooms", type=int, default=ROOM_COUNT)
    args = parser.parse_args()
    setup_django()
    users = create_users(args.users)
    rooms = create_rooms(args.rooms)
    print(f"created {users} users and {rooms} rooms (password {PASSWORD!r})")


if __name__ == "__main__":
    main()
