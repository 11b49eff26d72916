"""Erasure that sticks: forget an author, prune old mentions, and the list collection checks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb
import pyarrow as pa
from brandpulse.store import lake
from brandpulse.store.maintenance import mark_rewrite_pending
from brandpulse.store.sql import one
from brandpulse.store.writes import _delete_mentions_where

# store_meta key: the latest prune cutoff, in microseconds since 1970 (UTC).
PRUNE_FLOOR_KEY = "prune_floor_us"


@dataclass(frozen=True)
class Suppressions:
    """What collection must not store again: author digests, mention ids, and a date floor."""

    authors: frozenset[str] = field(default_factory=frozenset)
    mentions: frozenset[str] = field(default_factory=frozenset)
    floor: datetime | None = None


def suppress(con: duckdb.DuckDBPyConnection, kind: str, values: Iterable[str]) -> None:
    """Add author digests (kind 'author') or mention ids (kind 'mention') to the list."""
    unique = sorted(set(values))
    if not unique:
        return
    table = pa.table(
        {
            "kind": pa.array([kind] * len(unique), pa.string()),
            "value": pa.array(unique, pa.string()),
            "added_at": pa.array([datetime.now(UTC)] * len(unique), pa.timestamp("us", tz="UTC")),
        }
    )
    con.register("_suppress", table)
    try:
        if lake.is_lake_connection(con):
            con.execute(
                "INSERT INTO suppressions SELECT * FROM _suppress s WHERE NOT EXISTS (SELECT 1"
                " FROM suppressions t WHERE t.kind = s.kind AND t.value = s.value)"
            )
        else:
            con.execute("INSERT INTO suppressions SELECT * FROM _suppress ON CONFLICT DO NOTHING")
    finally:
        con.unregister("_suppress")


def load_suppressions(con: duckdb.DuckDBPyConnection) -> Suppressions:
    """Return the suppression list and the prune floor, for collection to check."""
    rows = con.execute("SELECT kind, value FROM suppressions").fetchall()
    floor = one(con, "SELECT max(value) FROM store_meta WHERE key = ?", [PRUNE_FLOOR_KEY])[0]
    return Suppressions(
        authors=frozenset(v for k, v in rows if k == "author"),
        mentions=frozenset(v for k, v in rows if k == "mention"),
        floor=None if floor is None else datetime.fromtimestamp(floor / 1_000_000, UTC),
    )


def forget_author(
    con: duckdb.DuckDBPyConnection, handle: str, pseudonym: str | None, digests: Iterable[str]
) -> int:
    """Erase every mention by an author and suppress the author; return the count.

    A stored author matches when it equals the handle ignoring case (Python's casefold, the
    same rule the pseudonym uses), or equals its pseudonym. `digests` go on the suppression
    list even when nothing is stored yet, so the author is never collected later.
    """
    folded = handle.strip().casefold()
    authors = [
        author
        for (author,) in con.execute(
            "SELECT DISTINCT author FROM mentions WHERE author IS NOT NULL"
        ).fetchall()
        if author.casefold() == folded or author == pseudonym
    ]
    suppress(con, "author", digests)
    if not authors:
        return 0
    con.register("_authors", pa.table({"author": pa.array(authors, pa.string())}))
    try:
        where = "author IN (SELECT author FROM _authors)"
        ids = [row[0] for row in con.execute(f"SELECT id FROM mentions WHERE {where}").fetchall()]
        suppress(con, "mention", ids)
        count = _delete_mentions_where(con, where, [])
    finally:
        con.unregister("_authors")
    if count:
        mark_rewrite_pending(con)
    return count


def prune_before(con: duckdb.DuckDBPyConnection, cutoff: datetime) -> int:
    """Erase every mention published before `cutoff` and keep it as the floor; return the count.

    Collection never stores a mention published before the highest cutoff ever pruned, so
    pruned mentions still in a feed do not come back.
    """
    count = _delete_mentions_where(con, "published_at < ?", [cutoff])
    micros = int(cutoff.timestamp() * 1_000_000)
    if lake.is_lake_connection(con):
        lake.set_meta(con, PRUNE_FLOOR_KEY, micros, keep_max=True)
        if count:
            mark_rewrite_pending(con)
        return count
    con.execute(
        "INSERT INTO store_meta VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = greatest(store_meta.value, excluded.value)",
        [PRUNE_FLOOR_KEY, micros],
    )
    if count:
        mark_rewrite_pending(con)
    return count
