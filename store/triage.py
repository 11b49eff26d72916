"""The team's triage of mentions: read state per person, status, tags, assignee, notes, audit.

Every change names who made it and lands in `triage_audit` with the time, in the same
transaction as the change itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import duckdb
import pandas as pd
from brandpulse.store import lake
from brandpulse.store.errors import ConfigError
from brandpulse.store.sql import one
from brandpulse.store.writes import bump_data_version, correct_sentiments

STATUSES = ("new", "in progress", "done", "ignored")
# The actor of a change when nobody is signed in and no user is configured.
LOCAL_USER = "local"
MAX_TAG_CHARS = 40
MAX_NOTE_CHARS = 4000


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)


# -- writes --------------------------------------------------------------------------------


def _existing(con: duckdb.DuckDBPyConnection, ids: Sequence[str]) -> list[str]:
    ids = list(dict.fromkeys(ids))
    if not ids:
        return []
    rows = con.execute(f"SELECT id FROM mentions WHERE id IN ({_marks(ids)})", ids).fetchall()
    found = {r[0] for r in rows}
    return [i for i in ids if i in found]


def _audit(
    con: duckdb.DuckDBPyConnection, ids: Sequence[str], actor: str, action: str, detail: str | None
) -> None:
    if lake.is_lake_connection(con):
        numbers = lake.next_ids(con, "triage_audit_ids", len(ids))
        con.executemany(
            "INSERT INTO triage_audit (audit_id, mention_id, actor, changed_at, action, detail)"
            " VALUES (?, ?, ?, now(), ?, ?)",
            [[n, i, actor, action, detail] for n, i in zip(numbers, ids, strict=True)],
        )
        return
    con.executemany(
        "INSERT INTO triage_audit (mention_id, actor, changed_at, action, detail)"
        " VALUES (?, ?, now(), ?, ?)",
        [[i, actor, action, detail] for i in ids],
    )


def _ensure_rows(con: duckdb.DuckDBPyConnection, ids: Sequence[str], actor: str) -> None:
    if lake.is_lake_connection(con):
        lake.insert_missing(
            con,
            "triage",
            ("mention_id", "status", "updated_at", "updated_by"),
            [[i, "new", datetime.now(UTC), actor] for i in ids],
        )
        return
    con.executemany(
        "INSERT INTO triage (mention_id, status, updated_at, updated_by)"
        " VALUES (?, 'new', now(), ?) ON CONFLICT (mention_id) DO NOTHING",
        [[i, actor] for i in ids],
    )


def _clean_actor(actor: str) -> str:
    actor = " ".join((actor or "").split())
    return actor or LOCAL_USER


def mark_read(
    con: duckdb.DuckDBPyConnection, ids: Sequence[str], person: str, read: bool = True
) -> int:
    """Mark mentions read (or unread) for one person; return how many exist."""
    person = _clean_actor(person)
    ids = _existing(con, ids)
    if not ids:
        return 0
    if read:
        # Each read carries its mention's time (see Scope's unread filter).
        times = dict(
            con.execute(
                f"SELECT id, published_at FROM mentions WHERE id IN ({_marks(ids)})", ids
            ).fetchall()
        )
    if read and lake.is_lake_connection(con):
        lake.insert_missing(
            con,
            "mention_reads",
            ("mention_id", "person", "read_at", "published_at"),
            [[i, person, datetime.now(UTC), times.get(i)] for i in ids],
        )
    elif read:
        con.executemany(
            "INSERT INTO mention_reads (mention_id, person, read_at, published_at)"
            " VALUES (?, ?, now(), ?) ON CONFLICT DO NOTHING",
            [[i, person, times.get(i)] for i in ids],
        )
    else:
        con.execute(
            f"DELETE FROM mention_reads WHERE person = ? AND mention_id IN ({_marks(ids)})",
            [person, *ids],
        )
    _audit(con, ids, person, "read" if read else "unread", None)
    bump_data_version(con)
    return len(ids)


def set_status(con: duckdb.DuckDBPyConnection, ids: Sequence[str], status: str, actor: str) -> int:
    """Set the status of mentions; return how many exist."""
    if status not in STATUSES:
        raise ConfigError(f"unknown status {status!r}", f"use one of: {', '.join(STATUSES)}")
    actor = _clean_actor(actor)
    ids = _existing(con, ids)
    if not ids:
        return 0
    _ensure_rows(con, ids, actor)
    con.execute(
        f"UPDATE triage SET status = ?, updated_at = now(), updated_by = ?"
        f" WHERE mention_id IN ({_marks(ids)})",
        [status, actor, *ids],
    )
    _audit(con, ids, actor, "status", status)
    bump_data_version(con)
    return len(ids)


def assign(
    con: duckdb.DuckDBPyConnection, ids: Sequence[str], assignee: str | None, actor: str
) -> int:
    """Assign mentions to a person (None or "" unassigns); return how many exist."""
    actor = _clean_actor(actor)
    who = " ".join((assignee or "").split()) or None
    ids = _existing(con, ids)
    if not ids:
        return 0
    _ensure_rows(con, ids, actor)
    con.execute(
        f"UPDATE triage SET assignee = ?, updated_at = now(), updated_by = ?"
        f" WHERE mention_id IN ({_marks(ids)})",
        [who, actor, *ids],
    )
    _audit(con, ids, actor, "assign", who or "nobody")
    bump_data_version(con)
    return len(ids)


def clean_tag(tag: str) -> str:
    """Return a tag as stored: single spaces, at most MAX_TAG_CHARS; refuse an empty one."""
    cleaned = " ".join((tag or "").split())[:MAX_TAG_CHARS]
    if not cleaned:
        raise ConfigError("the tag is empty", "type a word or two, e.g. 'press'")
    return cleaned


def tag(
    con: duckdb.DuckDBPyConnection, ids: Sequence[str], label: str, actor: str, add: bool = True
) -> int:
    """Add (or remove) a tag on mentions; return how many exist."""
    actor = _clean_actor(actor)
    label = clean_tag(label)
    ids = _existing(con, ids)
    if not ids:
        return 0
    if add and lake.is_lake_connection(con):
        lake.insert_missing(con, "mention_tags", ("mention_id", "tag"), [[i, label] for i in ids])
    elif add:
        con.executemany(
            "INSERT INTO mention_tags VALUES (?, ?) ON CONFLICT DO NOTHING",
            [[i, label] for i in ids],
        )
    else:
        con.execute(
            f"DELETE FROM mention_tags WHERE tag = ? AND mention_id IN ({_marks(ids)})",
            [label, *ids],
        )
    _audit(con, ids, actor, "tag" if add else "untag", label)
    bump_data_version(con)
    return len(ids)


def add_note(con: duckdb.DuckDBPyConnection, mention_id: str, body: str, actor: str) -> bool:
    """Add a note to a mention's thread; return False when no such mention exists."""
    actor = _clean_actor(actor)
    text = (body or "").strip()[:MAX_NOTE_CHARS]
    if not text:
        raise ConfigError("the note is empty", "write something before saving")
    if not _existing(con, [mention_id]):
        return False
    if lake.is_lake_connection(con):
        con.execute(
            "INSERT INTO mention_notes (note_id, mention_id, author, created_at, body)"
            " VALUES (?, ?, ?, now(), ?)",
            [lake.next_id(con, "mention_note_ids"), mention_id, actor, text],
        )
    else:
        con.execute(
            "INSERT INTO mention_notes (mention_id, author, created_at, body)"
            " VALUES (?, ?, now(), ?)",
            [mention_id, actor, text],
        )
    _audit(con, [mention_id], actor, "note", None)
    bump_data_version(con)
    return True


def relabel(con: duckdb.DuckDBPyConnection, ids: Sequence[str], label: str, actor: str) -> int:
    """Correct the sentiment of mentions, as `brandpulse correct` does, and audit it."""
    actor = _clean_actor(actor)
    done = correct_sentiments(con, [(i, label) for i in dict.fromkeys(ids)])
    _audit(con, done, actor, "sentiment", label)
    return len(done)


def confirm_labels(con: duckdb.DuckDBPyConnection, ids: Sequence[str], actor: str) -> int:
    """Save the scorer's label of each mention as the team's own, and audit it.

    A confirmed label is a correction that agrees with the scorer: `sentiment train` then
    learns from a sample of the brand's mentions, not from its mistakes alone. Mentions
    that already carry a team label, or whose label is not positive, neutral or negative
    (unscored), are left as they are. Returns how many were confirmed.
    """
    actor = _clean_actor(actor)
    ids = _existing(con, ids)
    if not ids:
        return 0
    rows = con.execute(
        f"SELECT mention_id, label FROM sentiments WHERE mention_id IN ({_marks(ids)})"
        " AND label IN ('positive', 'neutral', 'negative')"
        " AND mention_id NOT IN (SELECT mention_id FROM sentiment_corrections)",
        ids,
    ).fetchall()
    correct_sentiments(con, rows)
    for label in sorted({label for _, label in rows}):
        _audit(con, [i for i, given in rows if given == label], actor, "sentiment confirmed", label)
    return len(rows)


def mark_not_about_us(con: duckdb.DuckDBPyConnection, ids: Sequence[str], actor: str) -> int:
    """Mark mentions as not about their brands: a relevance mark "unrelated" for each brand
    match (so the match stops counting and the relevance model learns from it), status
    "ignored", audited as "not about us"."""
    # Imported here: relevance reads through browse, which imports this module.
    from brandpulse.store.relevance import UNRELATED, set_mark

    actor = _clean_actor(actor)
    ids = _existing(con, ids)
    if not ids:
        return 0
    pairs = con.execute(
        f"SELECT mention_id, brand FROM mention_brands WHERE mention_id IN ({_marks(ids)})", ids
    ).fetchall()
    for mention_id, brand in pairs:
        set_mark(con, mention_id, brand, UNRELATED, actor)
    set_status(con, ids, "ignored", actor)
    _audit(con, ids, actor, "not about us", None)
    return len(ids)


# -- reads ---------------------------------------------------------------------------------


def triage_of(con: duckdb.DuckDBPyConnection, ids: Sequence[str], person: str) -> pd.DataFrame:
    """Return id, status, assignee, tags (a sorted list) and read (for `person`) per mention."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return pd.DataFrame(columns=["id", "status", "assignee", "tags", "read"])
    marks = _marks(ids)
    return con.execute(
        f"""
        SELECT i.id,
               coalesce(t.status, 'new') AS status,
               t.assignee,
               coalesce((SELECT list(g.tag ORDER BY g.tag) FROM mention_tags g
                         WHERE g.mention_id = i.id), []) AS tags,
               EXISTS (SELECT 1 FROM mention_reads r
                       WHERE r.mention_id = i.id AND r.person = ?) AS read
        FROM (SELECT unnest([{marks}]) AS id) i
        LEFT JOIN triage t ON t.mention_id = i.id
        """,
        [person, *ids],
    ).df()


def notes_of(con: duckdb.DuckDBPyConnection, mention_id: str) -> pd.DataFrame:
    """Return a mention's notes, oldest first: author, created_at, body."""
    return con.execute(
        "SELECT author, created_at, body FROM mention_notes WHERE mention_id = ?"
        " ORDER BY created_at, note_id",
        [mention_id],
    ).df()


def audit_of(con: duckdb.DuckDBPyConnection, mention_id: str) -> pd.DataFrame:
    """Return a mention's history, newest first: at, actor, action, detail."""
    return con.execute(
        "SELECT changed_at AS at, actor, action, detail FROM triage_audit WHERE mention_id = ?"
        " ORDER BY changed_at DESC, audit_id DESC",
        [mention_id],
    ).df()


def known_tags(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Return every tag in use, most used first."""
    rows = con.execute(
        "SELECT tag FROM mention_tags GROUP BY tag ORDER BY count(*) DESC, tag"
    ).fetchall()
    return [r[0] for r in rows]


def known_assignees(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Return everyone a mention is assigned to, by name."""
    rows = con.execute(
        "SELECT DISTINCT assignee FROM triage WHERE assignee IS NOT NULL ORDER BY assignee"
    ).fetchall()
    return [r[0] for r in rows]


def inbox_counts(
    con: duckdb.DuckDBPyConnection, person: str, where: str, params: Sequence[Any]
) -> pd.DataFrame:
    """Return per brand the mentions in scope (`where` over mention_brands b) that `person`
    has not read and that are still "new": brand, unread, new."""
    return con.execute(
        f"""
        SELECT b.brand,
               count(*) FILTER (WHERE r.mention_id IS NULL) AS unread,
               count(*) FILTER (WHERE coalesce(t.status, 'new') = 'new') AS new
        FROM mention_brands b
        LEFT JOIN mention_reads r ON r.mention_id = b.mention_id AND r.person = ?
        LEFT JOIN triage t ON t.mention_id = b.mention_id
        WHERE {where}
        GROUP BY b.brand ORDER BY b.brand
        """,
        [person, *params],
    ).df()


# -- saved views -----------------------------------------------------------------------------


def save_view(con: duckdb.DuckDBPyConnection, name: str, query: str, actor: str) -> None:
    """Save (or replace) a named view: the URL query string that reproduces it."""
    name = " ".join((name or "").split())[:80]
    if not name:
        raise ConfigError("the view has no name", "type a name, e.g. 'Negative on Reddit'")
    if lake.is_lake_connection(con):
        # A replaced view keeps its default flag, as the file's upsert does.
        default = con.execute("SELECT is_default FROM saved_views WHERE name = ?", [name])
        is_default = bool((default.fetchall() or [(False,)])[0][0])
        con.execute("DELETE FROM saved_views WHERE name = ?", [name])
        con.execute(
            "INSERT INTO saved_views (name, query, created_by, created_at, is_default)"
            " VALUES (?, ?, ?, now(), ?)",
            [name, query, _clean_actor(actor), is_default],
        )
    else:
        con.execute(
            "INSERT INTO saved_views (name, query, created_by, created_at) VALUES (?, ?, ?, now())"
            " ON CONFLICT (name) DO UPDATE SET query = excluded.query,"
            " created_by = excluded.created_by, created_at = excluded.created_at",
            [name, query, _clean_actor(actor)],
        )
    bump_data_version(con)


def delete_view(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Delete a saved view; return False when there was none of that name."""
    found = one(con, "SELECT count(*) FROM saved_views WHERE name = ?", [name])
    con.execute("DELETE FROM saved_views WHERE name = ?", [name])
    bump_data_version(con)
    return bool(found and found[0])


def set_default_view(con: duckdb.DuckDBPyConnection, name: str | None) -> None:
    """Make a saved view the team's default (None: no default)."""
    con.execute("UPDATE saved_views SET is_default = (name = ?)", [name or ""])
    bump_data_version(con)


def saved_views(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return the saved views by name: name, query, created_by, created_at, is_default."""
    return con.execute(
        "SELECT name, query, created_by, created_at, is_default FROM saved_views ORDER BY name"
    ).df()
