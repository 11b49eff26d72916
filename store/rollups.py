"""Hourly rollups of mention_brands, kept exact at write time, and when a reader may use them.

`brand_hours` holds, per UTC hour, brand, source, label and counted flag, how many brand
matches there are and their engagement. Every write that adds, changes or removes
mention_brands rows recomputes the hours of the mentions it touched from mention_brands
itself, in the same transaction, so the rollup never disagrees with the rows.

A reader whose scope only filters on those columns, over local days that start on whole UTC
hours (every zone but a handful like Asia/Kathmandu), reads the rollup: 30 days are a few
thousand rows instead of millions.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import duckdb
from brandpulse.store.days import offset_changes
from brandpulse.store.scope import Scope
from brandpulse.store.sql import copies_once_active, one

_HOUR_US = 3_600_000_000
# The UTC hour a row falls in, as the instant it starts.
HOUR_SQL = "to_timestamp((epoch_us({column}) // 3600000000) * 3600)"

ROLLUP_SELECT = f"""
    SELECT {HOUR_SQL.format(column="published_at")} AS published_at, brand, source, label,
           counted, count(*) AS mentions, coalesce(sum(engagement), 0) AS engagement
    FROM mention_brands
"""


def hours_of(
    con: duckdb.DuckDBPyConnection, ids_sql: str, params: Sequence[Any] = ()
) -> list[tuple[datetime, str]]:
    """Return the (UTC hour, source) pairs of the mentions whose ids `ids_sql` selects.

    Call it before deleting mentions, since their hours are read from `mentions`.
    """
    rows = con.execute(
        f"SELECT DISTINCT {HOUR_SQL.format(column='published_at')}, source FROM mentions"
        f" WHERE id IN ({ids_sql})",
        list(params),
    ).fetchall()
    return [(r[0], str(r[1])) for r in rows]


def refresh(con: duckdb.DuckDBPyConnection, hours: Sequence[tuple[datetime, str]]) -> None:
    """Recompute the rollup of the given (UTC hour, source) pairs from mention_brands.

    Only those sources' rows are touched: a writer holds its sources' locks (on a lake),
    so collectors of other sources never rewrite each other's rollup rows.
    """
    if not hours:
        return
    hour = HOUR_SQL.format(column="b.published_at")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _rollup_hours AS"
        " SELECT unnest(?::TIMESTAMPTZ[]) AS published_at, unnest(?::VARCHAR[]) AS source",
        [[h for h, _ in hours], [s for _, s in hours]],
    )
    touched = (
        "EXISTS (SELECT 1 FROM _rollup_hours h WHERE h.published_at = brand_hours.published_at"
        " AND h.source = brand_hours.source)"
    )
    # A lake delete, even of nothing, conflicts with concurrent inserts: skip it then.
    if one(con, f"SELECT count(*) FROM brand_hours WHERE {touched}")[0]:
        con.execute(f"DELETE FROM brand_hours WHERE {touched}")
    first = min(h for h, _ in hours)
    last = max(h for h, _ in hours)
    con.execute(
        f"""
        INSERT INTO brand_hours
            (published_at, brand, source, label, counted, mentions, engagement)
        SELECT {hour}, b.brand, b.source, b.label, b.counted, count(*),
               coalesce(sum(b.engagement), 0)
        FROM mention_brands b
        JOIN _rollup_hours h ON h.source = b.source AND h.published_at = {hour}
        WHERE b.published_at >= ? AND b.published_at < to_timestamp(epoch(?::TIMESTAMPTZ) + 3600)
        GROUP BY {hour}, b.brand, b.source, b.label, b.counted
        """,
        [first, last],
    )
    con.execute("DROP TABLE _rollup_hours")


def refresh_mentions(
    con: duckdb.DuckDBPyConnection, ids_sql: str, params: Sequence[Any] = ()
) -> None:
    """Recompute the rollup of the hours of the mentions `ids_sql` selects (after a write)."""
    refresh(con, hours_of(con, ids_sql, params))


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute the whole rollup (after a bulk load that bypassed the writers)."""
    con.execute("DELETE FROM brand_hours")
    con.execute(f"INSERT INTO brand_hours {ROLLUP_SELECT} GROUP BY ALL")


def stale_hours(con: duckdb.DuckDBPyConnection) -> int:
    """Return how many rollup rows differ from mention_brands (0 when the rollup is exact)."""
    rows = con.execute(
        f"""
        WITH truth AS ({ROLLUP_SELECT} GROUP BY ALL),
        diff AS (
            (SELECT * FROM truth EXCEPT ALL SELECT * FROM brand_hours)
            UNION ALL
            (SELECT * FROM brand_hours EXCEPT ALL SELECT * FROM truth)
        )
        SELECT count(*) FROM diff
        """
    ).fetchall()
    return int(rows[0][0])


def usable(scope: Scope) -> bool:
    """Return True when the rollup answers the scope exactly.

    It holds brand, time, source, label and counted only; a language, search or triage
    filter needs the rows. Its hours must also fit the local days: each local midnight of
    the window has to fall on a whole UTC hour.
    """
    if scope.languages or scope.search.strip() or scope.statuses or scope.tags:
        return False
    if copies_once_active():  # the rollup does not know which matches are copies
        return False
    if scope.assignees or scope.unread_by is not None:
        return False
    if scope.start is None or scope.end is None:
        return False
    return all(
        offset % _HOUR_US == 0 and at.minute == 0 and at.second == 0 and at.microsecond == 0
        for at, offset in offset_changes(scope.tz, scope.start, scope.end)
    )


def rows_of(scope: Scope) -> tuple[str, str]:
    """Return the table to aggregate for `scope` and the SQL counting its brand matches:
    ("brand_hours", "sum(b.mentions)") when the rollup is usable, else the raw rows."""
    if usable(scope):
        return "brand_hours", "sum(b.mentions)"
    return "mention_brands", "count(*)"
