"""Small helpers for running a statement and reading its single row."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
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
    keep = "TRUE" if everything else f"{alias}.counted IS NOT FALSE"
    if _COPIES_ONCE.get():
        keep += f" AND {copies_condition(alias)}"
    return keep


# "Count copies once" is a way of reading, chosen by the dashboard's switch or an export
# option for everything read inside `copies_once()`; every reader already adds
# `counted_condition`, so the condition travels with it instead of through each signature.
_COPIES_ONCE: ContextVar[bool] = ContextVar("copies_once", default=False)


def copies_once_active() -> bool:
    """Return True inside a `copies_once()` block (readers that cannot tell copies apart
    must then read the rows)."""
    return _COPIES_ONCE.get()


def copies_condition(alias: str = "b") -> str:
    """Return the SQL condition keeping one match per story: originals and uncopied mentions."""
    return f"{alias}.copy_of IS NULL"


@contextmanager
def copies_once(on: bool = True) -> Iterator[None]:
    """Count each story's copies once in every count read inside this block (when `on`)."""
    token = _COPIES_ONCE.set(on)
    try:
        yield
    finally:
        _COPIES_ONCE.reset(token)
