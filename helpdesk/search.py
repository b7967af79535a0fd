"""Full-text search over the help rooms' messages (docs/archives.md "Search").

Two backends, one behaviour: what a person types is read the way web search engines read
it (words must all appear, ``"a phrase"``, ``or``, ``-word`` leaves a word out), the
newest matches come first, and hidden messages never match (checked when searching, so
hiding and unhiding re-index nothing). Both look only at a message's current text (edits
re-index it; old revisions are not searched), and neither stems: the help desk's messages
are in many languages, and one language's rules would mangle the others.

- PostgreSQL: ``vector @@ websearch_to_tsquery('simple', q)`` over
  ``helpdesk_message_search`` (message id, room, hidden, ``to_tsvector('simple', body)``),
  a table of this app kept in sync with livechat's messages by triggers and searched
  through a GIN index. A GIN *expression* index on the message table was measured first
  and missed the target: whenever the planner walks the room newest first (the right
  plan for common words) it must recompute ``to_tsvector`` for every message it passes,
  ~15 µs each, and words in 0.3-2% of the messages cost 30-200 ms at 1M messages
  (bench/archive_search_bench.py). The stored vector costs ~0.4 µs a row.
- SQLite (the embedded default): an external-content FTS5 table over the message table
  (``unicode61`` tokenizer), kept in sync by triggers. The query is translated into
  FTS5's syntax by :func:`parse_query`.

Migration 0003 creates the structures of the database it runs on. SQLite loses triggers
and custom indexes whenever Django rebuilds the message table for a later migration
(SQLite has no ALTER COLUMN: the table is copied and the old one dropped), so
:func:`ensure_structures` also runs after every ``migrate`` and re-indexes what it missed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.db import connection as default_connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.errors import Invalid

# PostgreSQL: the help desk's search table and its text-search configuration.
PG_TABLE = "helpdesk_message_search"
PG_CONFIG = "simple"
PG_QUERY = f"websearch_to_tsquery('{PG_CONFIG}'::regconfig, %(q)s)"
# The first query looks at this many of the room's newest messages (below the cursor).
PG_NEWEST = 10_000
FTS_TABLE = "helpdesk_message_fts"
# The archive's day pages and the live window's cut look messages up by time.
MAX_QUERY_LENGTH = 200


# --- the query language ---------------------------------------------------------------------

# A word as both backends' tokenizers see it: letters and digits (not "_", which both treat
# as a separator).
_WORD = re.compile(r"[^\W_]+")
_PIECE = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Term:
    """One word, or a phrase of several words in this order."""

    words: tuple[str, ...]

    def fts5(self) -> str:
        # Only letters and digits are left: nothing to escape inside the quotes.
        return '"' + " ".join(self.words) + '"'


@dataclass(frozen=True)
class SearchQuery:
    """What to look for: every group must match (a group matches if any of its terms
    does), and none of the excluded terms may."""

    text: str
    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...] = field(default=())

    @property
    def words(self) -> list[str]:
        """The words a result contains, lowercased: the ones to highlight."""
        seen = dict.fromkeys(w for group in self.groups for term in group for w in term.words)
        return list(seen)

    def fts5(self) -> str:
        """The query in FTS5's syntax, every term quoted (so that no word is ever read as
        an operator or a column name)."""
        groups = [
            group[0].fts5() if len(group) == 1 else "(" + " OR ".join(t.fts5() for t in group) + ")"
            for group in self.groups
        ]
        expression = " AND ".join(groups)
        if self.excluded:
            expression = f"({expression})" + "".join(f" NOT {t.fts5()}" for t in self.excluded)
        return expression


def parse_query(text: object) -> SearchQuery:
    """Read a search box the way PostgreSQL's ``websearch_to_tsquery`` does. Raises
    :class:`Invalid` when nothing is left to look for (only punctuation, only excluded
    words: a search for "everything but" would read the whole archive)."""
    if not isinstance(text, str):
        raise Invalid(_("Type the words to search for."), field="q")
    text = unicodedata.normalize("NFC", text).strip()
    if len(text) > MAX_QUERY_LENGTH:
        raise Invalid(
            _("Search for at most %(limit)d characters.") % {"limit": MAX_QUERY_LENGTH},
            field="q",
        )
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    join_next = False
    for match in _PIECE.finditer(text):
        minus, phrase, bare = match.groups()
        if bare is not None:
            if bare.casefold() == "or":
                join_next = bool(groups)
                continue
            minus, phrase = ("-", bare[1:]) if bare.startswith("-") else ("", bare)
        words = tuple(word.casefold() for word in _WORD.findall(phrase))
        if not words:
            continue
        term = Term(words)
        if minus:
            excluded.append(term)
        elif join_next:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
    if not groups:
        raise Invalid(_("Type at least one word to search for."), field="q")
    return SearchQuery(text=text, groups=tuple(tuple(g) for g in groups), excluded=tuple(excluded))


# --- searching ------------------------------------------------------------------------------


def matching_ids(*, room_id: int, query: SearchQuery, before: int | None, limit: int) -> list[int]:
    """Ids of the room's visible messages that match, newest first, below ``before``."""
    vendor = default_connection.vendor
    if vendor == "postgresql":
        return _postgresql_ids(room_id=room_id, query=query, before=before, limit=limit)
    if vendor == "sqlite":
        return _sqlite_ids(room_id=room_id, query=query, before=before, limit=limit)
    raise NotImplementedError(f"archive search has no backend for {vendor}")


# Two queries at most, each with a bounded cost whatever the planner believes about how
# common the words are. The first walks the room's PG_NEWEST newest messages below the
# cursor, newest first, testing each (a stored vector: ~0.5 µs a message) until the page
# is full: enough for any word in more than ~0.2% of messages. Only when that leaves the
# page short is the word rare, and the second query takes its older matches from the GIN
# index and sorts them (materialised, so that the planner cannot choose to walk the whole
# room instead: it would, for a word its statistics do not know). When the walk reached
# the room's first message there is nothing older: the second query's one-time filter
# then stops it before it reads the index.
#
# The walks are written `(room_id, message_id) < (room, before) AND room_id >= room`
# with ORDER BY room_id, message_id and a LIMIT: the form livechat's history_page uses,
# the only one measured to keep the planner on the (room_id, message_id) index for a
# room with a small share of the table (with `room_id = room` it walks the primary key,
# passing every other room's messages) and to start the walk at the cursor.
_PG_NEWEST_SQL = f"""
SELECT newest.message_id FROM (
    SELECT s.room_id, s.message_id, s.hidden, s.vector FROM {PG_TABLE} s
    WHERE (s.room_id, s.message_id) < (%(room)s, %(before)s) AND s.room_id >= %(room)s
    ORDER BY s.room_id DESC, s.message_id DESC LIMIT %(newest)s
) newest
WHERE NOT newest.hidden AND newest.vector @@ {PG_QUERY}
ORDER BY newest.room_id DESC, newest.message_id DESC
LIMIT %(limit)s
"""
_PG_OLDER_SQL = f"""
WITH floor AS MATERIALIZED (
    SELECT f.message_id AS id FROM {PG_TABLE} f
    WHERE (f.room_id, f.message_id) < (%(room)s, %(before)s) AND f.room_id >= %(room)s
    ORDER BY f.room_id DESC, f.message_id DESC OFFSET %(newest)s LIMIT 1
), matches AS MATERIALIZED (
    SELECT s.message_id FROM {PG_TABLE} s
    WHERE (SELECT id FROM floor) IS NOT NULL
      AND s.room_id = %(room)s AND s.message_id <= (SELECT id FROM floor)
      AND NOT s.hidden AND s.vector @@ {PG_QUERY}
)
SELECT message_id FROM matches ORDER BY message_id DESC LIMIT %(limit)s
"""


def _postgresql_ids(
    *, room_id: int, query: SearchQuery, before: int | None, limit: int
) -> list[int]:
    # PostgreSQL parses the text itself, with the same parser that built the vectors, so
    # that words like "3.14" or "en.wikipedia.org" are read alike on both sides.
    params: dict[str, Any] = {
        "room": room_id,
        "before": before if before is not None else 2**63 - 1,
        "newest": PG_NEWEST,
        "limit": limit,
        "q": query.text,
    }
    with default_connection.cursor() as cursor:
        cursor.execute(_PG_NEWEST_SQL, params)
        ids = [row[0] for row in cursor.fetchall()]
        if len(ids) < limit:
            cursor.execute(_PG_OLDER_SQL, {**params, "limit": limit - len(ids)})
            ids += [row[0] for row in cursor.fetchall()]
    return ids


def _sqlite_ids(*, room_id: int, query: SearchQuery, before: int | None, limit: int) -> list[int]:
    # The FTS table drives, newest rowid first (FTS5 walks its index in rowid order and
    # stops at the LIMIT); each candidate is checked against its message row by rowid.
    sql = (
        f"SELECT m.id FROM {FTS_TABLE} f JOIN livechat_message m ON m.id = f.rowid "
        f"WHERE {FTS_TABLE} MATCH %s AND m.room_id = %s AND NOT m.hidden AND f.rowid < %s "
        "ORDER BY f.rowid DESC LIMIT %s"
    )
    params: list[Any] = [query.fts5(), room_id, before if before is not None else 2**63 - 1]
    with default_connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        return [row[0] for row in cursor.fetchall()]


# --- showing a result -----------------------------------------------------------------------

SNIPPET_CHARS = 240


def plain_text(html: str) -> str:
    """A message's rendered text without its markup (what a snippet quotes)."""
    import html as html_module

    return " ".join(html_module.unescape(strip_tags(html)).split())


def highlight(text: str, words: list[str], *, width: int = SNIPPET_CHARS) -> SafeString:
    """``text`` escaped, cut to about ``width`` characters around the first word found,
    every whole-word occurrence of ``words`` in ``<mark>``."""
    if not words:
        return escape(text[:width])
    pattern = re.compile(
        r"(?<![^\W_])(" + "|".join(re.escape(w) for w in words) + r")(?![^\W_])", re.IGNORECASE
    )
    first = pattern.search(text)
    start = 0
    if first and first.start() > width // 3:
        # Start at a word boundary a little before the first match.
        start = text.rfind(" ", 0, first.start() - width // 4) + 1
    end = min(len(text), start + width)
    if end < len(text):
        end = max(text.rfind(" ", start, end), start + width // 2)
    excerpt = text[start:end]
    parts = []
    last = 0
    for match in pattern.finditer(excerpt):
        parts.append(escape(excerpt[last : match.start()]))
        parts.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    parts.append(escape(excerpt[last:]))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(prefix + "".join(parts) + suffix)  # noqa: S308 - every piece escaped


# --- the structures, created by migration 0002 and restored after every migrate -------------

_SQLITE_TRIGGERS = {
    f"{FTS_TABLE}_insert": (
        f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_insert AFTER INSERT ON livechat_message "
        f"BEGIN INSERT INTO {FTS_TABLE}(rowid, body) VALUES (new.id, new.body); END"
    ),
    f"{FTS_TABLE}_delete": (
        f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_delete AFTER DELETE ON livechat_message "
        f"BEGIN INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, body) "
        "VALUES ('delete', old.id, old.body); END"
    ),
    f"{FTS_TABLE}_update": (
        f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_update AFTER UPDATE OF body "
        f"ON livechat_message BEGIN "
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, body) VALUES ('delete', old.id, old.body); "
        f"INSERT INTO {FTS_TABLE}(rowid, body) VALUES (new.id, new.body); END"
    ),
}


def ensure_structures(connection: BaseDatabaseWrapper) -> None:
    """Create what search and the archive need on ``connection`` if it is missing."""
    if connection.vendor == "postgresql":
        _ensure_postgresql(connection)
    elif connection.vendor == "sqlite":
        _ensure_sqlite(connection)


def drop_structures(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for trigger in ("sync", "truncate"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {PG_TABLE}_{trigger} ON livechat_message")
            cursor.execute(f"DROP TABLE IF EXISTS {PG_TABLE}")
            cursor.execute(f"DROP FUNCTION IF EXISTS {PG_TABLE}_sync()")
            cursor.execute(f"DROP FUNCTION IF EXISTS {PG_TABLE}_truncate()")
        elif connection.vendor == "sqlite":
            for name in _SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


_PG_VECTOR = f"to_tsvector('{PG_CONFIG}'::regconfig, NEW.body)"
_PG_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION {PG_TABLE}_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO {PG_TABLE} (message_id, room_id, hidden, vector)
        VALUES (NEW.id, NEW.room_id, NEW.hidden, {_PG_VECTOR});
    ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM {PG_TABLE} WHERE message_id = OLD.id;
    ELSIF NEW.body IS DISTINCT FROM OLD.body THEN
        UPDATE {PG_TABLE} SET room_id = NEW.room_id, hidden = NEW.hidden,
            vector = {_PG_VECTOR} WHERE message_id = NEW.id;
    ELSE
        UPDATE {PG_TABLE} SET room_id = NEW.room_id, hidden = NEW.hidden
        WHERE message_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION {PG_TABLE}_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE {PG_TABLE};
    RETURN NULL;
END $$;
"""
_PG_TRIGGERS = {
    f"{PG_TABLE}_sync": (
        f"CREATE TRIGGER {PG_TABLE}_sync AFTER INSERT OR DELETE OR UPDATE OF body, hidden, "
        f"room_id ON livechat_message FOR EACH ROW EXECUTE FUNCTION {PG_TABLE}_sync()"
    ),
    # Django's test flush truncates the message table; TRUNCATE fires no row triggers.
    f"{PG_TABLE}_truncate": (
        f"CREATE TRIGGER {PG_TABLE}_truncate AFTER TRUNCATE ON livechat_message "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_TABLE}_truncate()"
    ),
}
_PG_INDEXES = {
    f"{PG_TABLE}_vector": f"{PG_TABLE} USING gin (vector)",
    f"{PG_TABLE}_room": f"{PG_TABLE} (room_id, message_id)",
}


def _ensure_postgresql(connection: BaseDatabaseWrapper) -> None:
    # Indexes CONCURRENTLY where possible: building them over a large table must not
    # block the chat's writes (migration 0003 is non-atomic for this). An interrupted
    # concurrent build leaves an INVALID index behind, which is dropped and rebuilt.
    concurrently = "" if connection.in_atomic_block else " CONCURRENTLY"
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [PG_TABLE])
        if cursor.fetchone()[0] is None:
            cursor.execute(
                f"CREATE TABLE {PG_TABLE} ("
                "message_id bigint PRIMARY KEY, room_id bigint NOT NULL, "
                "hidden boolean NOT NULL, vector tsvector NOT NULL)"
            )
            # More most-common words than the default 1,000: the planner then knows how
            # rare a word is well into the long tail.
            cursor.execute(f"ALTER TABLE {PG_TABLE} ALTER COLUMN vector SET STATISTICS 1000")
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = 'livechat_message'::regclass")
        triggers = {row[0] for row in cursor.fetchall()}
        if not set(_PG_TRIGGERS) <= triggers:
            cursor.execute(_PG_FUNCTIONS)
            for name, statement in _PG_TRIGGERS.items():
                if name not in triggers:
                    cursor.execute(statement)
            # Every message written before the triggers existed; the triggers already
            # cover the ones written meanwhile.
            cursor.execute(
                f"INSERT INTO {PG_TABLE} (message_id, room_id, hidden, vector) "
                f"SELECT id, room_id, hidden, to_tsvector('{PG_CONFIG}'::regconfig, body) "
                "FROM livechat_message ON CONFLICT (message_id) DO NOTHING"
            )
        for name, definition in _PG_INDEXES.items():
            cursor.execute(
                "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE c.relname = %s AND pg_table_is_visible(c.oid)",
                [name],
            )
            row = cursor.fetchone()
            if row and row[0]:
                continue
            if row:
                cursor.execute(f"DROP INDEX{concurrently} {name}")
            cursor.execute(f"CREATE INDEX{concurrently} {name} ON {definition}")
            if name.startswith(PG_TABLE):
                cursor.execute(f"ANALYZE {PG_TABLE}")


def _ensure_sqlite(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        existing = {row[0] for row in cursor.fetchall()}
        missing = (FTS_TABLE not in existing) or any(t not in existing for t in _SQLITE_TRIGGERS)
        if not missing:
            return
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
            "body, content='livechat_message', content_rowid='id', "
            "tokenize='unicode61 remove_diacritics 2')"
        )
        for statement in _SQLITE_TRIGGERS.values():
            cursor.execute(statement)
        # Messages written while the triggers were gone are not indexed: index them all.
        cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


MIGRATION = ("helpdesk", "0003_archive_search")


def restore_after_migrate(*, using: str = "default", **kwargs: Any) -> None:
    """post_migrate: put back what a rebuild of the message table dropped, as long as
    the migration that made it is applied (not after migrating back before it)."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    connection = connections[using]
    if MIGRATION in MigrationRecorder(connection).applied_migrations():
        ensure_structures(connection)


def install() -> None:
    """From the app's ready(): restore the structures after every migrate."""
    from django.apps import apps
    from django.db.models.signals import post_migrate

    post_migrate.connect(
        restore_after_migrate,
        sender=apps.get_app_config("helpdesk"),
        dispatch_uid="helpdesk.search.restore_after_migrate",
    )
