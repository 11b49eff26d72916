"""Reads behind incidents and KPI coverage: mentions per local hour, and when each source began."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import duckdb
from brandpulse.store.analytics import _where


def hour_profile(
    con: duckdb.DuckDBPyConnection,
    brands: Sequence[str],
    first: date,
    last: date,
    sources: Sequence[str] | None,
    tz: str,
) -> list[int]:
    """Return the mentions of `brands` per local hour of day (24 counts) from `first` to `last`."""
    where, params = _where(list(brands), first, last, sources, None, tz)
    rows = con.execute(
        f"SELECT hour(timezone(?, b.published_at)) AS h, count(*) FROM mention_brands b"
        f" WHERE {where} GROUP BY 1",
        [tz, *params],
    ).fetchall()
    counts = [0] * 24
    for hour, count in rows:
        counts[int(hour)] = int(count)
    return counts


def coverage_start(con: duckdb.DuckDBPyConnection) -> dict[str, datetime]:
    """Return, per source, since when collections cover it: its earliest stored mention.

    A first run loads what a source still lists (a feed's last items, a search's last
    pages), so the earliest mention a source ever gave is where its history begins; before
    that instant "no mentions" means "not collected", not "nobody spoke".
    """
    rows = con.execute(
        "SELECT source, min(published_at) FROM mentions"
        " WHERE source IN (SELECT DISTINCT source FROM collection_runs) GROUP BY source"
    ).fetchall()
    return {str(source): start for source, start in rows if start is not None}
