"""Inputs for re-analysis and the scorer's agreement with users' corrections."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
from brandpulse.store.records import Mention


def mentions_after(con: duckdb.DuckDBPyConnection, after_id: str, limit: int) -> list[Mention]:
    """Return up to `limit` stored mentions with ids after `after_id`, in id order.

    Paging by id keeps each read short, so a long re-analysis lets readers in between.
    """
    rows = con.execute(
        "SELECT id, source, native_id, url, author, title, text, published_at, collected_at,"
        " score, comments, extra, language FROM mentions WHERE id > ? ORDER BY id LIMIT ?",
        [after_id, int(limit)],
    ).fetchall()
    return [
        Mention(
            id=r[0],
            source=r[1],
            native_id=r[2],
            url=r[3],
            author=r[4],
            title=r[5],
            text=r[6],
            published_at=r[7],
            collected_at=r[8],
            score=r[9],
            comments=r[10],
            extra=json.loads(r[11]) if r[11] else {},
            language=r[12],
        )
        for r in rows
    ]


def analysis_state(
    con: duckdb.DuckDBPyConnection, ids: Sequence[str]
) -> dict[str, tuple[str | None, frozenset[str]]]:
    """Return, per mention id, its scorer version (None when unscored) and matched brands."""
    if not ids:
        return {}
    table = pa.table({"id": pa.array(list(ids), pa.string())})
    con.register("_ids", table)
    try:
        rows = con.execute(
            """
            SELECT i.id, any_value(s.scorer_version),
                   list(b.brand) FILTER (WHERE b.brand IS NOT NULL)
            FROM _ids i
            LEFT JOIN sentiments s ON s.mention_id = i.id
            LEFT JOIN mention_brands b ON b.mention_id = i.id
            GROUP BY i.id
            """
        ).fetchall()
    finally:
        con.unregister("_ids")
    return {r[0]: (r[1], frozenset(r[2] or ())) for r in rows}


def correction_agreement(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return how often the scorer's current label agrees with users' corrections.

    One row per (scorer_label, user_label) pair with its count; a mention a user
    re-labelled with the label the scorer gave counts as agreement. Read it with
    `agreement_rate`.
    """
    return con.execute(
        """
        SELECT coalesce(s.label, c.scorer_label) AS scorer_label, c.label AS user_label,
               count(*) AS mentions
        FROM sentiment_corrections c LEFT JOIN sentiments s ON s.mention_id = c.mention_id
        GROUP BY ALL ORDER BY ALL
        """
    ).df()


def agreement_rate(pairs: pd.DataFrame) -> tuple[int, float]:
    """Return (corrections, share where scorer and user agree); NaN share for none."""
    total = int(pairs["mentions"].sum()) if not pairs.empty else 0
    if not total:
        return 0, float("nan")
    same = int(pairs.loc[pairs["scorer_label"] == pairs["user_label"], "mentions"].sum())
    return total, same / total


def correction_counts(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """Return (team labels, those that confirmed the label the scorer gave at the time)."""
    row = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE label = scorer_label) FROM sentiment_corrections"
    ).fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def correction_examples(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """Return (title, text, user label) of every corrected mention, oldest correction first."""
    rows = con.execute(
        "SELECT m.title, m.text, c.label FROM sentiment_corrections c"
        " JOIN mentions m ON m.id = c.mention_id"
        " WHERE c.label IN ('positive', 'neutral', 'negative')"
        " ORDER BY c.corrected_at, c.mention_id"
    ).fetchall()
    return [(str(r[0] or ""), str(r[1] or ""), str(r[2])) for r in rows]


def last_training(con: duckdb.DuckDBPyConnection) -> dict[str, Any] | None:
    """Return the last `sentiment train` run (trained_at, corrections, adopted), or None."""
    row = con.execute(
        "SELECT trained_at, corrections, adopted FROM sentiment_trainings"
        " ORDER BY trained_at DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    return {"trained_at": row[0], "corrections": int(row[1]), "adopted": bool(row[2])}
