"""Moderation's reads: the report queue and the list of blocks, for moderators only.
Each page costs a constant number of queries, whatever its length."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from accounts.models import User

from .actions import require_moderator
from .models import Block, Report
from .payloads import load_roles

Row = TypeVar("Row")


@dataclass(frozen=True)
class Page(Generic[Row]):
    rows: list[Row]
    has_more: bool


def _page(rows: list[Row], limit: int) -> Page[Row]:
    return Page(rows=rows[:limit], has_more=len(rows) > limit)


def report_queue(
    *, viewer: User, status: str | None, after: int | None, limit: int
) -> Page[Report]:
    """Reports with ``status`` (open by default; "all" for every one), oldest first: a
    queue. Ids grow with time, so the id is the cursor."""
    require_moderator(viewer)
    queryset = Report.objects.with_status(status or Report.Status.OPEN).select_related(
        "message__room", "message__author", "reporter", "resolved_by"
    )
    if after is not None:
        queryset = queryset.filter(pk__gt=after)
    page = _page(list(queryset.order_by("pk")[: limit + 1]), limit)
    load_roles(u for r in page.rows for u in (r.reporter, r.message.author, r.resolved_by))
    return page


def block_list(
    *, viewer: User, status: str | None, user_id: int | None, before: int | None, limit: int
) -> Page[Block]:
    """Blocks with ``status`` (active by default; "all" for every one), of one person or
    everyone, newest first as in the admin's list; the id is the cursor."""
    require_moderator(viewer)
    queryset = Block.objects.with_status(status or Block.Status.ACTIVE)
    if user_id is not None:
        queryset = queryset.filter(user_id=user_id)
    if before is not None:
        queryset = queryset.filter(pk__lt=before)
    queryset = queryset.select_related("user", "created_by", "lifted_by").prefetch_related("rooms")
    page = _page(list(queryset.order_by("-pk")[: limit + 1]), limit)
    load_roles(u for b in page.rows for u in (b.user, b.created_by, b.lifted_by))
    return page
