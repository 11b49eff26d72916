"""Trend reads for the dashboard and reports: counts per period and brand, share of voice.

Every reader takes the connection and a `Scope` with a first and last local day; days are
days in the scope's time zone. A mention that names two brands counts once for each brand.

Net sentiment is (positive - negative) / mentions, where mentions include unscored ones;
it is NaN when there are no mentions.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import duckdb
import pandas as pd
from brandpulse.store.days import EPOCH, bucket, periods
from brandpulse.store.rollups import rows_of
from brandpulse.store.scope import Scope


def counts(n: str = "count(*)") -> str:
    """Return the SQL of mentions, positive, negative, neutral and engagement, where `n` counts
    brand matches (count(*) over mention_brands, sum(b.mentions) over the rollup)."""
    return f"""
        {n} AS mentions,
        {n} FILTER (WHERE b.label = 'positive') AS positive,
        {n} FILTER (WHERE b.label = 'negative') AS negative,
        {n} FILTER (WHERE b.label = 'neutral') AS neutral,
        coalesce(sum(b.engagement), 0) AS engagement
    """


COUNT_COLUMNS = ["mentions", "positive", "negative", "neutral", "engagement"]


def net(df: pd.DataFrame, prefix: str = "") -> pd.Series:
    """Return (positive - negative) / mentions per row, NaN where there are no mentions."""
    total = df[f"{prefix}mentions"].astype("float64")
    value = (df[f"{prefix}positive"] - df[f"{prefix}negative"]).astype("float64") / total
    return value.where(total > 0)


def int_columns(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Return `df` with the given columns as int64, missing values as 0."""
    for column in columns:
        df[column] = df[column].fillna(0).astype("int64")
    return df


def daily_volume(
    con: duckdb.DuckDBPyConnection, scope: Scope, granularity: str = "day"
) -> pd.DataFrame:
    """Return mentions by sentiment per period and brand, with every empty period as zeros.

    Columns: period (date: the day, or the Monday of the week), brand, mentions, positive,
    negative, neutral, net_sentiment, engagement. Brands named but never mentioned get zero
    rows too, so charts show the gap instead of skipping it.
    """
    first, last = scope.days()
    where, params = scope.where()
    table, n = rows_of(scope)
    period, period_params = bucket(granularity, first, last, scope.tz)
    df = con.execute(
        f"SELECT {period} AS period, b.brand, {counts(n)} FROM {table} b WHERE {where}"
        " GROUP BY ALL",
        [*period_params, *params],
    ).df()
    names = list(scope.brands) or sorted(df["brand"].unique().tolist())
    grid = pd.MultiIndex.from_product(
        [periods(first, last, granularity), names], names=["period", "brand"]
    )
    df["period"] = [EPOCH + timedelta(days=int(n)) for n in df["period"]]
    df = df.set_index(["period", "brand"]).reindex(grid).reset_index()
    df = int_columns(df, COUNT_COLUMNS)
    df["net_sentiment"] = net(df)
    return df[
        [
            "period",
            "brand",
            "mentions",
            "positive",
            "negative",
            "neutral",
            "net_sentiment",
            "engagement",
        ]
    ]


def share_of_voice(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Return each brand's share of the mentions (and engagement) of all the brands given.

    Columns: brand, mentions, share, engagement, engagement_share, net_sentiment. Shares
    are fractions summing to 1 over the brands (NaN when none of them was mentioned).
    """
    scope.days()
    where, params = scope.where()
    table, n = rows_of(scope)
    df = con.execute(
        f"SELECT b.brand, {counts(n)} FROM {table} b WHERE {where} GROUP BY b.brand", params
    ).df()
    df = df.set_index("brand").reindex(list(scope.brands) or df["brand"].tolist()).reset_index()
    df = int_columns(df, COUNT_COLUMNS)
    total, engaged = df["mentions"].sum(), df["engagement"].sum()
    df["share"] = df["mentions"] / total if total else float("nan")
    df["engagement_share"] = df["engagement"] / engaged if engaged else float("nan")
    df["net_sentiment"] = net(df)
    return df[["brand", "mentions", "share", "engagement", "engagement_share", "net_sentiment"]]


def share_of_voice_over_time(
    con: duckdb.DuckDBPyConnection, scope: Scope, granularity: str = "week"
) -> pd.DataFrame:
    """Return period, brand, mentions and share (of that period's mentions of these brands)."""
    df = daily_volume(con, scope, granularity)
    totals = df.groupby("period")["mentions"].transform("sum")
    df["share"] = (df["mentions"] / totals).where(totals > 0)
    return df[["period", "brand", "mentions", "share"]]


def data_range(con: duckdb.DuckDBPyConnection, tz: str = "UTC") -> tuple[date, date] | None:
    """Return the first and last local day with a brand mention, or None when there are none."""
    row = con.execute(
        "SELECT CAST(timezone(?, min(published_at)) AS DATE),"
        " CAST(timezone(?, max(published_at)) AS DATE) FROM mention_brands",
        [tz, tz],
    ).fetchall()[0]
    if row[0] is None:
        return None
    return row[0], row[1]


def brands_present(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Return every brand with at least one stored mention, sorted."""
    # The rollup has every brand with a match, in a few thousand rows instead of millions.
    rows = con.execute("SELECT DISTINCT brand FROM brand_hours ORDER BY brand").fetchall()
    return [str(r[0]) for r in rows]
