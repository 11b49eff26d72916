"""The headline figures: per-brand totals of a window against the equally long one before it."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import duckdb
import pandas as pd
from brandpulse.store.rollups import rows_of
from brandpulse.store.scope import Scope
from brandpulse.store.trends import COUNT_COLUMNS, int_columns, net


def kpis(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Return per-brand totals for the window and the equally long window just before it.

    Columns: brand, mentions, positive, negative, neutral, net_sentiment, engagement, the
    same with a `prev_` prefix, and mentions_change and engagement_change (relative:
    0.25 is +25%, NaN when the previous period had none) and net_sentiment_change
    (difference of the two net sentiments, in points of the -1..1 scale).
    """
    first, last = scope.days()
    days = (last - first).days + 1
    start = scope.start
    both = replace(scope, first=first - timedelta(days=days))
    where, params = both.where()
    table, n = rows_of(both)
    current = ", ".join(
        f"{n} FILTER (WHERE b.published_at >= ? {cond}) AS {name}"
        for name, cond in (
            ("mentions", ""),
            ("positive", "AND b.label = 'positive'"),
            ("negative", "AND b.label = 'negative'"),
            ("neutral", "AND b.label = 'neutral'"),
        )
    )
    previous = current.replace(">= ?", "< ?").replace(" AS ", " AS prev_")
    df = con.execute(
        f"SELECT b.brand, {current},"
        " coalesce(sum(b.engagement) FILTER (WHERE b.published_at >= ?), 0) AS engagement,"
        f" {previous},"
        " coalesce(sum(b.engagement) FILTER (WHERE b.published_at < ?), 0) AS prev_engagement"
        f" FROM {table} b WHERE {where} GROUP BY b.brand",
        [start] * 5 + [start] * 5 + params,
    ).df()
    names = list(scope.brands) or sorted(df["brand"].tolist())
    df = df.set_index("brand").reindex(names).reset_index()
    df = int_columns(df, COUNT_COLUMNS + [f"prev_{c}" for c in COUNT_COLUMNS])
    df["net_sentiment"] = net(df)
    df["prev_net_sentiment"] = net(df, "prev_")
    for name in ("mentions", "engagement"):
        prev = df[f"prev_{name}"].astype("float64")
        df[f"{name}_change"] = ((df[name] - prev) / prev).where(prev > 0)
    df["net_sentiment_change"] = df["net_sentiment"] - df["prev_net_sentiment"]
    return df
