"""Read queries for the CLI: collection runs, cursors and what the database holds."""

from __future__ import annotations

import json
from typing import Any

import duckdb
import pandas as pd

from store.sql import one


def source_state(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, Any]:
    """Return the cursor map saved for `source` (key -> decoded JSON value)."""
    rows = con.execute(
        "SELECT key, value FROM source_state WHERE source = ? ORDER BY key", [source]
    ).fetchall()
    return {key: json.loads(value) if value is not None else None for key, value in rows}


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    """Return the counter every write bumps: a cache key for 'the data changed'."""
    row = one(con, "SELECT value FROM store_meta WHERE key = 'data_version'")
    return int(row[0]) if row else 0


def totals(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Return how many mentions are stored, from which period, and how many are scored."""
    row = one(
        con,
        "SELECT count(*), min(published_at), max(published_at), max(collected_at),"
        " (SELECT count(*) FROM sentiments), (SELECT count(DISTINCT brand) FROM mention_brands)"
        " FROM mentions",
    )
    assert row is not None
    keys = ("mentions", "first_published", "last_published", "last_collected", "scored", "brands")
    return dict(zip(keys, row, strict=True))


def mentions_by_source(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return source, mentions and newest published time, one row per source."""
    return con.execute(
        "SELECT source, count(*) AS mentions, max(published_at) AS newest"
        " FROM mentions GROUP BY source ORDER BY source"
    ).df()


def latest_runs(con: duckdb.DuckDBPyConnection, limit: int = 20) -> pd.DataFrame:
    """Return the most recent collection runs, newest first, errors as a list per run."""
    return con.execute(
        "SELECT run_id, source, started_at, ended_at, status, fetched, new, updated, skipped,"
        " errors, warnings FROM collection_runs ORDER BY run_id DESC LIMIT ?",
        [limit],
    ).df()


def failing_streak(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Return, per source, how many of its latest runs in a row failed (0 if the last was ok)."""
    rows = con.execute(
        """
        WITH ordered AS (
            SELECT source, status,
                   row_number() OVER (PARTITION BY source ORDER BY run_id DESC) AS n
            FROM collection_runs
        ), first_ok AS (
            SELECT source, min(n) FILTER (WHERE status <> 'failed') AS n_ok, max(n) AS n_all
            FROM ordered GROUP BY source
        )
        SELECT source, coalesce(n_ok - 1, n_all) FROM first_ok ORDER BY source
        """
    ).fetchall()
    return {source: int(streak) for source, streak in rows}


def campaign_mentions(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Return, per campaign, how many stored mentions use its tracked terms in its window."""
    rows = con.execute(
        "SELECT campaign, count(DISTINCT mention_id) FROM mention_campaigns"
        " GROUP BY campaign ORDER BY campaign"
    ).fetchall()
    return {str(campaign): int(count) for campaign, count in rows}
