"""Read queries for the CLI: collection runs, cursors and what the database holds."""

from __future__ import annotations

import json
from typing import Any

import duckdb
from brandpulse.store import lake
from brandpulse.store.sql import one


def source_state(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, Any]:
    """Return the cursor map saved for `source` (key -> decoded JSON value)."""
    rows = con.execute(
        "SELECT key, value FROM source_state WHERE source = ? ORDER BY key", [source]
    ).fetchall()
    return {key: json.loads(value) if value is not None else None for key, value in rows}


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    """Return the counter every write bumps: a cache key for 'the data changed'."""
    if lake.is_lake_connection(con):
        return lake.catalog_version(con)
    return int(one(con, "SELECT value FROM store_meta WHERE key = 'data_version'")[0])


def totals(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Return how many mentions are stored, from which period, and how many are scored."""
    row = one(
        con,
        "SELECT count(*), min(published_at), max(published_at), max(collected_at),"
        " (SELECT count(*) FROM sentiments), (SELECT count(DISTINCT brand) FROM mention_brands)"
        " FROM mentions",
    )
    keys = ("mentions", "first_published", "last_published", "last_collected", "scored", "brands")
    return dict(zip(keys, row, strict=True))


def campaign_mentions(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Return, per campaign, how many stored mentions use its tracked terms in its window."""
    rows = con.execute(
        "SELECT campaign, count(DISTINCT mention_id) FROM mention_campaigns"
        " GROUP BY campaign ORDER BY campaign"
    ).fetchall()
    return {str(campaign): int(count) for campaign, count in rows}
