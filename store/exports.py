"""Export reads: every brand mention with its label, streamed in Arrow batches, and daily sums.

The mentions export has one row per mention and brand: a post naming Acme and Globex is
two rows with the same id, one per brand, exactly as the daily export and every brand
trend count it. So the daily export's `mentions` summed over dates and brands equals the
number of rows of the mentions export for the same filters.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow as pa
from brandpulse.store.scope import Scope
from brandpulse.store.trends import daily_volume, data_range

# Rows per Arrow batch: big enough to be fast, small enough to keep memory flat.
BATCH_ROWS = 65_536


def _iso_local(column: str) -> str:
    """Return SQL rendering a TIMESTAMPTZ as ISO 8601 local time with its offset (the tz is
    the first parameter), e.g. 2026-02-28T22:00:00-05:00."""
    local = f"timezone(?, {column})"
    offset = f"CAST(round((epoch({local}) - epoch(timezone('UTC', {column}))) / 60) AS INTEGER)"
    return (
        f"strftime({local}, '%Y-%m-%dT%H:%M:%S')"
        f" || CASE WHEN {offset} < 0 THEN '-' ELSE '+' END"
        f" || lpad(CAST(abs({offset}) // 60 AS VARCHAR), 2, '0') || ':'"
        f" || lpad(CAST(abs({offset}) % 60 AS VARCHAR), 2, '0')"
    )


def mentions_reader(
    con: duckdb.DuckDBPyConnection, scope: Scope, iso_times: bool = True
) -> pa.RecordBatchReader:
    """Return a reader over the export rows, oldest first, in batches of BATCH_ROWS.

    `sentiment` is the label shown everywhere (a user's correction wins, `corrected`
    says so); `sentiment_score` is the scorer's score that decided its label. With
    `iso_times`, published_at is ISO 8601 text in the display time zone with its offset;
    otherwise it stays a UTC timestamp.
    """
    where, params = scope.where()
    published = _iso_local("b.published_at") if iso_times else "b.published_at"
    time_params = [scope.tz] * published.count("timezone(?") if iso_times else []
    sql = f"""
        SELECT b.mention_id AS id, b.source, b.brand, {published} AS published_at,
               m.author, m.title, m.text, m.url,
               b.label AS sentiment, s.score AS sentiment_score,
               s.whole_score AS whole_text_score, c.mention_id IS NOT NULL AS corrected,
               s.scorer, s.scorer_version, b.term AS matched_term, b.engagement,
               m.score, m.comments,
               m.extra ->> 'subreddit' AS subreddit, m.extra ->> 'domain' AS domain,
               m.extra ->> 'feed_title' AS feed, round(b.relevance, 4) AS relevance,
               s.confidence AS sentiment_confidence, m.language, b.copy_of
        FROM mention_brands b
        JOIN mentions m ON m.id = b.mention_id
        LEFT JOIN sentiments s ON s.mention_id = b.mention_id
        LEFT JOIN sentiment_corrections c ON c.mention_id = b.mention_id
        WHERE {where}
        ORDER BY b.published_at, b.mention_id, b.brand
    """
    return con.sql(sql, params=[*time_params, *params]).to_arrow_reader(BATCH_ROWS)


def daily(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Return date, brand, mentions, positive, negative, neutral, net_sentiment, engagement.

    Every day from `first` (else the first mention) to `last` (else the last) appears for
    every brand filtered on (else every brand with a mention in scope), zeros included.
    Mentions without a label count in `mentions` only.
    """
    bounds = data_range(con, scope.tz)
    if bounds is None and (scope.first is None or scope.last is None):
        return pd.DataFrame(columns=["date", "brand", *_DAILY[1:]])
    first = scope.first or bounds[0]  # type: ignore[index]
    last = scope.last or bounds[1]  # type: ignore[index]
    df = daily_volume(con, scope.over(first, last), "day")
    if not scope.brands:
        # Without a brand filter, keep the brands that have a mention in scope.
        present = df.groupby("brand")["mentions"].transform("sum") > 0
        df = df[present]
    df = df.rename(columns={"period": "date"})
    return df[["date", "brand", *_DAILY[1:]]].reset_index(drop=True)


_DAILY = ("brand", "mentions", "positive", "negative", "neutral", "net_sentiment", "engagement")


def campaign_term_mentions(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Return, per campaign, how many mentions used one of its tracked terms in its window."""
    rows = con.execute(
        "SELECT campaign, count(DISTINCT mention_id) FROM mention_campaigns GROUP BY campaign"
    ).fetchall()
    return {str(name): int(count) for name, count in rows}
