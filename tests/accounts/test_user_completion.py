"""@mention completion: GET /api/users/?prefix=…&room=…"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from livechat import actions
from livechat.presence import member_key, store
from tests.conftest import json_client, make_user

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    return [user["username"] for user in response.json()["users"]]


@pytest.fixture
def client(alice):
    return json_client(alice)


def test_it_matches_a_prefix_in_any_case_up_to_ten(client, room):
    for name in ["albert", "Alberta", "ALFRED", "bob2", *(f"al{i:02d}" for i in range(12))]:
        make_user(name)
    found = names(client.get("/api/users/?prefix=AL"))
    assert len(found) == 10
    assert all(name.lower().startswith("al") for name in found)
    assert names(client.get("/api/users/?prefix=@alb")) == ["albert", "Alberta"]
    assert names(client.get("/api/users/?prefix=")) == []


def test_online_people_and_room_writers_come_first(client, alice, room):
    quiet, writer, online = make_user("Sam"), make_user("Sally"), make_user("Sarah")
    actions.send_message(user=writer, room=room, body="hello")
    import asyncio

    member = member_key("chan!1", {"id": online.pk, "username": "Sarah", "roles": []})
    asyncio.run(store().touch(room.pk, member))  # Sarah has the room open
    response = client.get("/api/users/?prefix=sa&room=help-desk")
    assert names(response) == ["Sarah", "Sally", "Sam"]
    assert response.json()["users"][0]["online"] is True
    assert quiet.username == "Sam"


def test_inactive_users_are_not_offered(client):
    make_user("Gone", is_active=False)
    assert names(client.get("/api/users/?prefix=go")) == []


def test_it_uses_the_prefix_index_on_postgresql(client):
    if connection.vendor != "postgresql":
        pytest.skip("the pattern index exists on PostgreSQL only (see accounts 0003)")
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/users/?prefix=al")
    search = next(q["sql"] for q in queries.captured_queries if "LIKE" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("EXPLAIN " + search)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "user_username_upper_prefix_idx" in plan, plan
