"""Relevance in the store: scores per brand match, the team's marks, and the "counted" condition."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

import duckdb
import pandas as pd
import pyarrow as pa
from brandpulse.store import rollups
from brandpulse.store.records import RelevanceScore
from brandpulse.store.scope import Scope
from brandpulse.store.sql import counted_condition, one

__all__ = ["counted_condition", "marks", "set_mark", "write_relevance"]
from brandpulse.store import lake
from brandpulse.store.writes import bump_data_version

RELATED, UNRELATED = "related", "unrelated"
_TS = pa.timestamp("us", tz="UTC")


def write_relevance(con: duckdb.DuckDBPyConnection, scores: Sequence[RelevanceScore]) -> int:
    """Store relevance scores on their brand matches; return how many rows changed counting."""
    if not scores:
        return 0
    table = pa.table(
        {
            "mention_id": pa.array([s.mention_id for s in scores], pa.string()),
            "brand": pa.array([s.brand for s in scores], pa.string()),
            "relevance": pa.array([s.score for s in scores], pa.float64()),
            "counted": pa.array([s.counted for s in scores], pa.bool_()),
            "version": pa.array([s.version for s in scores], pa.string()),
        }
    )
    con.register("_relevance", table)
    try:
        flipped = one(
            con,
            "SELECT count(*) FROM mention_brands b JOIN _relevance r"
            " ON r.mention_id = b.mention_id AND r.brand = b.brand"
            " WHERE b.counted IS DISTINCT FROM r.counted",
        )[0]
        con.execute(
            "UPDATE mention_brands SET relevance = r.relevance, counted = r.counted,"
            " relevance_version = r.version FROM _relevance r"
            " WHERE mention_brands.mention_id = r.mention_id AND mention_brands.brand = r.brand"
        )
        rollups.refresh_mentions(con, "SELECT mention_id FROM _relevance")
    finally:
        con.unregister("_relevance")
    bump_data_version(con)
    return int(flipped)


def set_mark(
    con: duckdb.DuckDBPyConnection,
    mention_id: str,
    brand: str,
    label: str,
    who: str | None = None,
    when: datetime | None = None,
) -> bool:
    """Record a person's mark and count (or drop) the match at once; False if no such match."""
    found = one(
        con,
        "SELECT count(*) FROM mention_brands WHERE mention_id = ? AND brand = ?",
        [mention_id, brand],
    )
    if not found[0]:
        return False
    values = [mention_id, brand, label, who, when or datetime.now(UTC)]
    if lake.is_lake_connection(con):
        con.execute(
            "DELETE FROM relevance_marks WHERE mention_id = ? AND brand = ?", [mention_id, brand]
        )
        con.execute("INSERT INTO relevance_marks VALUES (?, ?, ?, ?, ?)", values)
    else:
        con.execute(
            "INSERT INTO relevance_marks VALUES (?, ?, ?, ?, ?) ON CONFLICT (mention_id, brand)"
            " DO UPDATE SET label = excluded.label, marked_by = excluded.marked_by,"
            " marked_at = excluded.marked_at",
            values,
        )
    con.execute(
        "UPDATE mention_brands SET counted = ? WHERE mention_id = ? AND brand = ?",
        [label == RELATED, mention_id, brand],
    )
    rollups.refresh_mentions(con, "SELECT ?", [mention_id])
    bump_data_version(con)
    return True


def marks(con: duckdb.DuckDBPyConnection, brand: str | None = None) -> pd.DataFrame:
    """Return marks with their mention's text: mention_id, brand, label, who, when, title, text."""
    where, params = ("WHERE k.brand = ?", [brand]) if brand else ("", [])
    return con.execute(
        "SELECT k.mention_id, k.brand, k.label, k.marked_by, k.marked_at, m.title, m.text"
        f" FROM relevance_marks k JOIN mentions m ON m.id = k.mention_id {where}"
        " ORDER BY k.brand, k.marked_at, k.mention_id",
        params,
    ).df()


def brand_mention_texts(con: duckdb.DuckDBPyConnection, brand: str) -> pd.DataFrame:
    """Return every mention matched to `brand`: mention_id, title, text."""
    return con.execute(
        "SELECT m.id AS mention_id, m.title, m.text FROM mention_brands b"
        " JOIN mentions m ON m.id = b.mention_id WHERE b.brand = ? ORDER BY m.id",
        [brand],
    ).df()


def unmarked_sample(con: duckdb.DuckDBPyConnection, brand: str, limit: int) -> pd.DataFrame:
    """Return up to `limit` unmarked mentions of `brand` (title, text), the same ones each
    time the mentions are the same (the lowest sample keys, as store/term_cache.py samples)."""
    return con.execute(
        "SELECT m.title, m.text FROM mention_brands b JOIN mentions m ON m.id = b.mention_id"
        " WHERE b.brand = ? AND NOT EXISTS (SELECT 1 FROM relevance_marks k"
        "  WHERE k.mention_id = b.mention_id AND k.brand = b.brand)"
        " ORDER BY b.sample_key, m.id LIMIT ?",
        [brand, limit],
    ).df()


def mark_summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return per brand: marks, related marks, counted and not-counted matches."""
    return con.execute(
        """
        SELECT b.brand,
               count(*) FILTER (WHERE b.counted IS NOT FALSE) AS counted,
               count(*) FILTER (WHERE b.counted IS FALSE) AS left_out,
               (SELECT count(*) FROM relevance_marks k WHERE k.brand = b.brand) AS marks,
               (SELECT count(*) FROM relevance_marks k
                 WHERE k.brand = b.brand AND k.label = 'related') AS related_marks
        FROM mention_brands b GROUP BY b.brand ORDER BY b.brand
        """
    ).df()


def review_queue(
    con: duckdb.DuckDBPyConnection, scope: Scope, brand: str, threshold: float, limit: int = 20
) -> pd.DataFrame:
    """Return a brand's unmarked matches in scope, the most uncertain first.

    Uncertain means a score nearest the brand's threshold: a mark there teaches the model
    most. Columns: id, published_at, source, title, text, url, relevance, counted.
    """
    where, params = replace(scope, brands=(brand,), everything=True).where()
    return con.execute(
        "SELECT b.mention_id AS id, b.published_at, b.source, m.title, m.text, m.url,"
        " b.relevance, b.counted IS NOT FALSE AS counted"
        " FROM mention_brands b JOIN mentions m ON m.id = b.mention_id"
        " LEFT JOIN relevance_marks k ON k.mention_id = b.mention_id AND k.brand = b.brand"
        f" WHERE {where} AND k.mention_id IS NULL AND b.relevance IS NOT NULL"
        " ORDER BY abs(b.relevance - ?), b.mention_id LIMIT ?",
        [*params, threshold, int(limit)],
    ).df()


def counted_in_scope(con: duckdb.DuckDBPyConnection, scope: Scope, brand: str) -> tuple[int, int]:
    """Return how many of a brand's matches in scope count and how many are left out."""
    where, params = replace(scope, brands=(brand,), everything=True).where()
    row = one(
        con,
        "SELECT count(*) FILTER (WHERE b.counted IS NOT FALSE),"
        f" count(*) FILTER (WHERE b.counted IS FALSE) FROM mention_brands b WHERE {where}",
        params,
    )
    return int(row[0]), int(row[1])
