"""Copies of one story in the store: fingerprints, band lookups and each copy's original."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta

import duckdb
import pandas as pd
import pyarrow as pa
from brandpulse.store.records import Fingerprint
from brandpulse.store.sql import one
from brandpulse.store.writes import bump_data_version

# Copies of one story appear within days of each other; an old text said again a month
# later is a new mention.
WINDOW_DAYS = 14
WINDOW = timedelta(days=WINDOW_DAYS)


def candidates(
    con: duckdb.DuckDBPyConnection, prints: Sequence[Fingerprint], window_days: int = WINDOW_DAYS
) -> pd.DataFrame:
    """Return stored mentions sharing a band with each fingerprint, published within the window.

    Columns: mention_id (the new one), other, original (the other's), signature (the
    other's), published_at (the new one's), other_published_at.
    """
    ids = [p.mention_id for p in prints for _ in p.bands]
    keys = [b for p in prints for b in p.bands]
    con.register("_bands", pa.table({"mention_id": ids, "band": pa.array(keys, pa.int64())}))
    try:
        # The band matches first, materialised: without table statistics (a lake has none)
        # the planner otherwise crosses every copy with every band before it filters.
        return con.execute(
            "WITH hits AS MATERIALIZED (SELECT DISTINCT f.mention_id, b.mention_id AS other"
            " FROM _bands f JOIN mention_bands b ON b.band = f.band"
            " WHERE b.mention_id <> f.mention_id)"
            " SELECT h.mention_id, c.mention_id AS other, c.original, c.signature,"
            " m.published_at, c.published_at AS other_published_at"
            " FROM hits h JOIN mention_copies c ON c.mention_id = h.other"
            " JOIN mentions m ON m.id = h.mention_id"
            " WHERE abs(epoch(c.published_at) - epoch(m.published_at)) <= ?"
            " ORDER BY h.mention_id, c.published_at, c.mention_id",
            [window_days * 86400],
        ).df()
    finally:
        con.unregister("_bands")


def published(con: duckdb.DuckDBPyConnection, ids: Sequence[str]) -> dict[str, object]:
    """Return the publication time of each of these mentions."""
    con.register("_ids", pa.table({"id": pa.array(list(ids), pa.string())}))
    try:
        rows = con.execute(
            "SELECT m.id, m.published_at FROM mentions m JOIN _ids USING (id)"
        ).fetchall()
    finally:
        con.unregister("_ids")
    return dict(rows)


def save(
    con: duckdb.DuckDBPyConnection, prints: Sequence[Fingerprint], originals: Mapping[str, str]
) -> int:
    """Store fingerprints with their original (itself when none) and mark the copies' brand
    matches; return how many of them are copies of an earlier mention."""
    if not prints:
        return 0
    ids = [p.mention_id for p in prints]
    table = pa.table(
        {
            "mention_id": pa.array(ids, pa.string()),
            "original": pa.array([originals.get(i, i) for i in ids], pa.string()),
            "signature": pa.array([list(p.signature) for p in prints], pa.list_(pa.int64())),
        }
    )
    band_table = pa.table(
        {
            "band": pa.array([b for p in prints for b in p.bands], pa.int64()),
            "mention_id": pa.array([p.mention_id for p in prints for _ in p.bands], pa.string()),
        }
    )
    con.register("_prints", table)
    con.register("_new_bands", band_table)
    try:
        for stored in ("mention_bands", "mention_copies"):
            where = "mention_id IN (SELECT mention_id FROM _prints)"
            # A lake delete, even of nothing, conflicts with concurrent inserts: skip it then.
            if one(con, f"SELECT count(*) FROM {stored} WHERE {where}")[0]:
                con.execute(f"DELETE FROM {stored} WHERE {where}")
        con.execute(
            "INSERT INTO mention_copies SELECT p.mention_id, p.original, m.published_at,"
            " p.signature FROM _prints p JOIN mentions m ON m.id = p.mention_id"
        )
        con.execute("INSERT INTO mention_bands SELECT band, mention_id FROM _new_bands")
        refresh_copy_marks(con, "SELECT mention_id FROM _prints")
    finally:
        con.unregister("_prints")
        con.unregister("_new_bands")
    copies = sum(1 for i in ids if originals.get(i, i) != i)
    if copies:
        bump_data_version(con)
    return copies


def refresh_copy_marks(con: duckdb.DuckDBPyConnection, ids_sql: str) -> None:
    """Copy each mention's original onto its brand matches (ids from the `ids_sql` query)."""
    con.execute(
        "UPDATE mention_brands SET copy_of = CASE WHEN k.original = k.mention_id THEN NULL"
        " ELSE k.original END FROM mention_copies k WHERE k.mention_id = mention_brands.mention_id"
        f" AND mention_brands.mention_id IN ({ids_sql})"
    )


def group_sizes(con: duckdb.DuckDBPyConnection, ids: Sequence[str]) -> dict[str, int]:
    """Return, for each of these mentions that has copies, how many mentions its story has."""
    if not ids:
        return {}
    con.register("_ids", pa.table({"id": pa.array(list(ids), pa.string())}))
    try:
        rows = con.execute(
            "WITH mine AS (SELECT k.mention_id, k.original FROM mention_copies k"
            " JOIN _ids ON _ids.id = k.mention_id),"
            " sizes AS (SELECT original, count(*) AS n FROM mention_copies"
            " WHERE original IN (SELECT original FROM mine) GROUP BY original)"
            " SELECT mine.mention_id, sizes.n FROM mine JOIN sizes USING (original) WHERE n > 1"
        ).fetchall()
    finally:
        con.unregister("_ids")
    return {str(i): int(n) for i, n in rows}


def copy_summary(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """Return how many stories have copies and how many copies they have beyond the first."""
    row = con.execute(
        "SELECT count(DISTINCT original), count(*) FROM mention_copies WHERE original <> mention_id"
    ).fetchall()[0]
    return int(row[0]), int(row[1])
