"""Reads behind incidents, terms and KPI coverage: hourly profile, texts, source history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import duckdb
import pandas as pd
from brandpulse.store import lake
from brandpulse.store.scope import Scope


def hour_profile(con: duckdb.DuckDBPyConnection, scope: Scope) -> list[int]:
    """Return the scope's mentions per local hour of day (24 counts)."""
    where, params = scope.where()
    rows = con.execute(
        f"SELECT hour(timezone(?, b.published_at)) AS h, count(*) FROM mention_brands b"
        f" WHERE {where} GROUP BY 1",
        [scope.tz, *params],
    ).fetchall()
    counts = [0] * 24
    for hour, count in rows:
        counts[int(hour)] = int(count)
    return counts


def coverage_start(con: duckdb.DuckDBPyConnection) -> dict[str, datetime]:
    """Return, per mention source, since when collections cover it: its earliest mention.

    A first run loads what a source still lists (a feed's back items, a search's last
    pages; the demo loads four months at once), so the earliest mention a source ever gave
    is where its history begins; before that "no mentions" means "not collected", not
    "nobody spoke".
    """
    rows = con.execute("SELECT source, min(published_at) FROM mentions GROUP BY source").fetchall()
    return {str(source): start for source, start in rows if start is not None}


def last_collected(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """Return when the latest collection run that stored anything ended (alerts runs aside)."""
    row = con.execute(
        "SELECT max(ended_at) FROM collection_runs WHERE source <> 'alerts' AND status <> 'failed'"
    ).fetchone()
    return row[0] if row else None


def totals_between(
    con: duckdb.DuckDBPyConnection,
    scope: Scope,
    now: tuple[datetime, datetime],
    before: tuple[datetime, datetime],
) -> pd.DataFrame:
    """Return per brand mentions, positive, negative and engagement in the instants `now`
    [start, end) and the same with a prev_ prefix for `before`; the scope's days must
    cover both spans."""
    where, params = scope.where()
    parts, args = [], []
    for prefix, (start, end) in (("", now), ("prev_", before)):
        inside = "b.published_at >= ? AND b.published_at < ?"
        parts += [
            f"count(*) FILTER (WHERE {inside}) AS {prefix}mentions",
            f"count(*) FILTER (WHERE {inside} AND b.label = 'positive') AS {prefix}positive",
            f"count(*) FILTER (WHERE {inside} AND b.label = 'negative') AS {prefix}negative",
            f"coalesce(sum(b.engagement) FILTER (WHERE {inside}), 0) AS {prefix}engagement",
        ]
        args += [start, end] * 4
    return con.execute(
        f"SELECT b.brand, {', '.join(parts)} FROM mention_brands b WHERE {where} GROUP BY b.brand",
        [*args, *params],
    ).df()


def mention_texts(
    con: duckdb.DuckDBPyConnection, ids: Sequence[str], scope: Scope | None = None
) -> list[tuple[str, str | None]]:
    """Return (title + text, language) of the given mentions, for counting their terms.

    With the `scope` the ids were sampled from, only its time window of `mentions` is read:
    DuckDB then skips the rest of the table instead of probing every id.
    """
    if not ids:
        return []
    window, window_params = (scope or Scope()).window("m")
    found = (
        f"SELECT {{column}} FROM mentions m WHERE {window} AND id IN (SELECT unnest(?::VARCHAR[]))"
    )
    if not lake.is_lake_connection(con):
        # Finding the rows reads only ids; their texts are then read by row id, which is
        # several times faster than reading the whole window's texts to keep a few.
        found = f"SELECT {{column}} FROM mentions WHERE rowid IN ({found.format(column='rowid')})"
    rows = con.execute(
        found.format(column="title, text, json_extract_string(extra, '$.language')"),
        [*window_params, list(ids)],
    ).fetchall()
    return [(f"{title}. {text}", language) for title, text, language in rows]
