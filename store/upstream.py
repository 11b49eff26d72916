"""Read the recently stored items of a source and erase those their source deleted."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import duckdb
from brandpulse.store.writes import _delete_mentions_where


def recent_native_ids(con: duckdb.DuckDBPyConnection, source: str, since: datetime) -> list[str]:
    """Return the native ids (Reddit fullnames) of `source`'s mentions published at or after
    `since`, sorted, so batches of them are the same from run to run."""
    rows = con.execute(
        "SELECT native_id FROM mentions WHERE source = ? AND published_at >= ? ORDER BY native_id",
        [source, since],
    ).fetchall()
    return [row[0] for row in rows]


def erase_native_ids(con: duckdb.DuckDBPyConnection, source: str, native_ids: Sequence[str]) -> int:
    """Erase `source`'s mentions with these native ids and all derived from them (matches,
    labels, corrections); return how many were stored."""
    if not native_ids:
        return 0
    return _delete_mentions_where(
        con, "source = ? AND list_contains(?, native_id)", [source, list(native_ids)]
    )
