"""Small helpers for running a statement and reading its single row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb


def one(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...]:
    """Return the first row of a query, reading the result to its end.

    DuckDB 2 refuses further work on a connection whose last result was only partly read,
    which `fetchone()` on a one-row result leaves behind.
    """
    rows = con.execute(sql, list(params)).fetchall()
    if not rows:
        raise LookupError(f"query returned no row: {sql}")
    return tuple(rows[0])


def counted_condition(alias: str = "b", everything: bool = False) -> str:
    """Return the SQL condition keeping brand matches that count (all of them with `everything`).

    Every reader of counts, charts, spikes and exports adds this one condition, so a
    mention below its brand's relevance threshold (or marked "not about us") leaves them
    all at once; rows scored before relevance existed (NULL) count.
    """
    return "TRUE" if everything else f"{alias}.counted IS NOT FALSE"
