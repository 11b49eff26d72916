"""Trend reads for the dashboard and reports: aggregates computed in DuckDB over mention_brands.

Every reader takes the connection, then brands, the first and last local day (inclusive),
sources and sentiment labels (empty means all), the display time zone and, where it makes
sense, the granularity (`day` or `week`, weeks starting on Monday). Days are days in the
display time zone: with tz "America/New_York", a post at 03:00 UTC on 1 March counts on
28 February. A mention that names two brands counts once for each brand.

Net sentiment is (positive - negative) / mentions, where mentions include unscored ones;
it is NaN when there are no mentions.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import pyarrow as pa
from brandpulse.store.records import Mention
from brandpulse.store.sql import counted_condition

GRANULARITIES = ("day", "week")
DIMENSIONS = ("author", "subreddit", "domain", "feed", "source")

# SQL giving each dimension's value from `mentions m` (joined to mention_brands b).
_DIMENSION_SQL = {
    "author": "m.author",
    "subreddit": "lower(m.extra ->> 'subreddit')",
    "domain": (
        "coalesce(lower(m.extra ->> 'domain'), regexp_extract(lower(m.url),"
        " '^[a-z][a-z0-9+.-]*://(?:www\\.)?([^/:?#]+)', 1))"
    ),
    "feed": "coalesce(m.extra ->> 'feed_title', m.extra ->> 'feed')",
    "source": "m.source",
}


def utc_bounds(first: date, last: date, tz: str) -> tuple[datetime, datetime]:
    """Return the instants where local day `first` starts and the day after `last` starts."""
    zone = ZoneInfo(tz)
    return (
        datetime.combine(first, time(0), zone),
        datetime.combine(last + timedelta(days=1), time(0), zone),
    )


def _as_list(values: str | Sequence[str] | None) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        return [values]
    return list(values)


def _where(
    brands: str | Sequence[str] | None,
    first: date,
    last: date,
    sources: Sequence[str] | None,
    sentiments: Sequence[str] | None,
    tz: str,
    alias: str = "b",
    everything: bool = False,
    languages: Sequence[str] | None = None,
) -> tuple[str, list[Any]]:
    """Return the condition over mention_brands rows in scope, and its parameters.

    Matches below their brand's relevance threshold are out of scope unless `everything`.
    """
    start, end = utc_bounds(first, last, tz)
    parts = [
        f"{alias}.published_at >= ?",
        f"{alias}.published_at < ?",
        counted_condition(alias, everything),
    ]
    params: list[Any] = [start, end]
    for column, values in (
        ("brand", _as_list(brands)),
        ("source", _as_list(sources)),
        ("label", _as_list(sentiments)),
    ):
        if values:
            parts.append(f"{alias}.{column} IN ({', '.join('?' for _ in values)})")
            params += values
    codes = _as_list(languages)
    if codes:
        parts.append(language_condition(codes, alias))
        params += codes
    return " AND ".join(parts), params


def language_condition(codes: Sequence[str], alias: str = "b") -> str:
    """Return SQL keeping mention_brands rows whose mention is in one of `codes` ("" = unknown)."""
    marks = ", ".join("?" for _ in codes)
    return (
        f"{alias}.mention_id IN (SELECT id FROM mentions WHERE coalesce(language, '') IN ({marks}))"
    )


# A term: a word or #hashtag/@handle of letters (Latin accents included), digits, ', _ and -.
TERM_PATTERN = "[#@]?[a-z0-9\\x{00c0}-\\x{024f}][a-z0-9\\x{00c0}-\\x{024f}'_-]*"

# The scope's time window again, on the joined mentions table: it repeats what `_where`
# says of mention_brands, but lets DuckDB skip the row groups of `mentions` outside the
# window instead of scanning all of it for the join.
_MENTIONS_WINDOW = "m.published_at >= ? AND m.published_at < ?"


def _window_params(first: date, last: date, tz: str) -> list[Any]:
    return list(utc_bounds(first, last, tz))


def offset_changes(tz: str, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """Return the UTC offset (microseconds) in force at `start` and at each change before
    `end`, as (from instant, offset) pairs: a year of Europe/Paris gives three."""
    zone = ZoneInfo(tz)
    start, end = start.astimezone(UTC), end.astimezone(UTC)

    def offset(at: datetime) -> int:
        delta = at.astimezone(zone).utcoffset() or timedelta(0)
        return int(delta / timedelta(microseconds=1))

    changes = [(start, offset(start))]
    step = timedelta(hours=6)  # no zone changes its offset twice within six hours
    low = start
    while low < end:
        high = min(low + step, end)
        if offset(high) != changes[-1][1]:
            # Narrow the change down to the second; transitions fall on whole seconds.
            a, b = math.floor(low.timestamp()), math.ceil(high.timestamp())
            while b - a > 1:
                mid = (a + b) // 2
                if offset(datetime.fromtimestamp(mid, UTC)) == changes[-1][1]:
                    a = mid
                else:
                    b = mid
            at = datetime.fromtimestamp(b, UTC)
            changes.append((at, offset(at)))
        low = high
    return changes


def _local_day(tz: str, start: datetime, end: datetime, alias: str = "b") -> tuple[str, list[Any]]:
    """Return SQL for the local day of each row, as whole days since 1970-01-01, for rows
    published in [start, end), and its parameters.

    The UTC offset is looked up from the few offset changes in the window rather than
    converted per row with the time-zone library: over 10M rows that is four times faster.
    """
    changes = offset_changes(tz, start, end)
    if len(changes) == 1:
        shift = str(changes[0][1])
        params: list[Any] = []
    else:
        cases = " ".join(f"WHEN {alias}.published_at < ? THEN {off}" for _, off in changes[:-1])
        shift = f"CASE {cases} ELSE {changes[-1][1]} END"
        params = [at for at, _ in changes[1:]]
    return f"((epoch_us({alias}.published_at) + {shift}) // {_DAY_US})", params


_DAY_US = 86_400_000_000
_EPOCH = date(1970, 1, 1)


def _bucket(
    granularity: str, first: date, last: date, tz: str, alias: str = "b"
) -> tuple[str, list[Any]]:
    """Return SQL numbering each row's day (or its week's Monday) since 1970, and params."""
    if granularity not in GRANULARITIES:
        raise ValueError(f"granularity must be one of {', '.join(GRANULARITIES)}")
    day, params = _local_day(tz, *utc_bounds(first, last, tz), alias)
    if granularity == "week":
        # 1 January 1970 was a Thursday: (day + 3) % 7 is 0 on Mondays.
        return f"({day} - ({day} + 3) % 7)", params * 2
    return day, params


def _periods(first: date, last: date, granularity: str) -> list[date]:
    """Return the start of every day or Monday-week from `first` to `last`."""
    if granularity == "week":
        start = first - timedelta(days=first.weekday())
        step = 7
    else:
        start, step = first, 1
    out = []
    day = start
    while day <= last:
        out.append(day)
        day += timedelta(days=step)
    return out


_COUNTS = """
    count(*) AS mentions,
    count(*) FILTER (WHERE b.label = 'positive') AS positive,
    count(*) FILTER (WHERE b.label = 'negative') AS negative,
    count(*) FILTER (WHERE b.label = 'neutral') AS neutral,
    coalesce(sum(b.engagement), 0) AS engagement
"""


def _net(df: pd.DataFrame, prefix: str = "") -> pd.Series:
    total = df[f"{prefix}mentions"].astype("float64")
    net = (df[f"{prefix}positive"] - df[f"{prefix}negative"]).astype("float64") / total
    return net.where(total > 0)


def _int_columns(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    for column in columns:
        df[column] = df[column].fillna(0).astype("int64")
    return df


def daily_volume(
    con: duckdb.DuckDBPyConnection,
    brands: str | Sequence[str] | None,
    first: date,
    last: date,
    sources: Sequence[str] | None = None,
    sentiments: Sequence[str] | None = None,
    tz: str = "UTC",
    granularity: str = "day",
    everything: bool = False,
    languages: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Return mentions by sentiment per period and brand, with every empty period as zeros.

    Columns: period (date: the day, or the Monday of the week), brand, mentions, positive,
    negative, neutral, net_sentiment, engagement. Brands named but never mentioned get zero
    rows too, so charts show the gap instead of skipping it.
    """
    where, params = _where(
        brands, first, last, sources, sentiments, tz, everything=everything, languages=languages
    )
    bucket, bucket_params = _bucket(granularity, first, last, tz)
    df = con.execute(
        f"SELECT {bucket} AS period, b.brand, {_COUNTS} FROM mention_brands b WHERE {where}"
        " GROUP BY ALL",
        [*bucket_params, *params],
    ).df()
    names = _as_list(brands) or sorted(df["brand"].unique().tolist())
    grid = pd.MultiIndex.from_product(
        [_periods(first, last, granularity), names], names=["period", "brand"]
    )
    df["period"] = [_EPOCH + timedelta(days=int(n)) for n in df["period"]]
    df = df.set_index(["period", "brand"]).reindex(grid).reset_index()
    df = _int_columns(df, ["mentions", "positive", "negative", "neutral", "engagement"])
    df["net_sentiment"] = _net(df)
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


def share_of_voice(
    con: duckdb.DuckDBPyConnection,
    brands: Sequence[str],
    first: date,
    last: date,
    sources: Sequence[str] | None = None,
    sentiments: Sequence[str] | None = None,
    tz: str = "UTC",
    everything: bool = False,
    languages: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Return each brand's share of the mentions (and engagement) of all the brands given.

    Columns: brand, mentions, share, engagement, engagement_share, net_sentiment. Shares
    are fractions summing to 1 over the brands (NaN when none of them was mentioned).
    """
    names = _as_list(brands)
    where, params = _where(
        names, first, last, sources, sentiments, tz, everything=everything, languages=languages
    )
    df = con.execute(
        f"SELECT b.brand, {_COUNTS} FROM mention_brands b WHERE {where} GROUP BY b.brand", params
    ).df()
    df = df.set_index("brand").reindex(names or df["brand"].tolist()).reset_index()
    df = _int_columns(df, ["mentions", "positive", "negative", "neutral", "engagement"])
    total, engaged = df["mentions"].sum(), df["engagement"].sum()
    df["share"] = df["mentions"] / total if total else float("nan")
    df["engagement_share"] = df["engagement"] / engaged if engaged else float("nan")
    df["net_sentiment"] = _net(df)
    return df[["brand", "mentions", "share", "engagement", "engagement_share", "net_sentiment"]]


def share_of_voice_over_time(
    con: duckdb.DuckDBPyConnection,
    brands: Sequence[str],
    first: date,
    last: date,
    sources: Sequence[str] | None = None,
    sentiments: Sequence[str] | None = None,
    tz: str = "UTC",
    granularity: str = "week",
    everything: bool = False,
    languages: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Return period, brand, mentions and share (of that period's mentions of these brands)."""
    df = daily_volume(
        con,
        brands,
        first,
        last,
        sources,
        sentiments,
        tz,
        granularity,
        everything,
        languages=languages,
    )
    totals = df.groupby("period")["mentions"].transform("sum")
    df["share"] = (df["mentions"] / totals).where(totals > 0)
    return df[["period", "brand", "mentions", "share"]]


def kpis(
    con: duckdb.DuckDBPyConnection,
    brands: str | Sequence[str] | None,
    first: date,
    last: date,
    sources: Sequence[str] | None = None,
    sentiments: Sequence[str] | None = None,
    tz: str = "UTC",
    everything: bool = False,
    languages: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Return per-brand totals for the window and the equally long window just before it.

    Columns: brand, mentions, positive, negative, neutral, net_sentiment, engagement, the
    same with a `prev_` prefix, and mentions_change and engagement_change (relative:
    0.25 is +25%, NaN when the previous period had none) and net_sentiment_change
    (difference of the two net sentiments, in points of the -1..1 scale).
    """
    days = (last - first).days + 1
    prev_first = first - timedelta(days=days)
    start, _ = utc_bounds(first, last, tz)
    where, params = _where(
        brands,
        prev_first,
        last,
        sources,
        sentiments,
        tz,
        everything=everything,
        languages=languages,
    )
    counts = ["mentions", "positive", "negative", "neutral", "engagement"]
    current = ", ".join(
        f"count(*) FILTER (WHERE b.published_at >= ? {cond}) AS {name}"
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
        f" FROM mention_brands b WHERE {where} GROUP BY b.brand",
        [start] * 5 + [start] * 5 + params,
    ).df()
    names = _as_list(brands) or sorted(df["brand"].tolist())
    df = df.set_index("brand").reindex(names).reset_index()
    df = _int_columns(df, counts + [f"prev_{c}" for c in counts])
    df["net_sentiment"] = _net(df)
    df["prev_net_sentiment"] = _net(df, "prev_")
    for name in ("mentions", "engagement"):
        prev = df[f"prev_{name}"].astype("float64")
        df[f"{name}_change"] = ((df[name] - prev) / prev).where(prev > 0)
    df["net_sentiment_change"] = df["net_sentiment"] - df["prev_net_sentiment"]
    return df


def top_by(
    con: duckdb.DuckDBPyConnection,
    dimension: str,
    brands: str | Sequence[str] | None,
    first: date,
    last: date,
    sources: Sequence[str] | None = None,
    sentiments: Sequence[str] | None = None,
    tz: str = "UTC",
    order: str = "mentions",
    limit: int = 10,
    everything: bool = False,
    languages: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Return the top authors, subreddits, domains, feeds or sources of the brands' mentions.

    Columns: name, mentions, engagement, positive, negative, net_sentiment; ordered by
    `order` ("mentions" or "engagement"), ties by name. A mention naming two of the brands
    counts once here. Mentions without a value for the dimension are left out.
    """
    if dimension not in _DIMENSION_SQL:
        raise ValueError(f"dimension must be one of {', '.join(DIMENSIONS)}")
    if order not in ("mentions", "engagement"):
        raise ValueError("order must be mentions or engagement")
    where, params = _where(
        brands, first, last, sources, sentiments, tz, everything=everything, languages=languages
    )
    value = _DIMENSION_SQL[dimension]
    df = con.execute(
        f"""
        WITH scoped AS (
            SELECT b.mention_id, any_value(b.label) AS label, any_value(b.engagement) AS engagement
            FROM mention_brands b WHERE {where} GROUP BY b.mention_id
        )
        SELECT {value} AS name, count(*) AS mentions,
               coalesce(sum(s.engagement), 0) AS engagement,
               count(*) FILTER (WHERE s.label = 'positive') AS positive,
               count(*) FILTER (WHERE s.label = 'negative') AS negative
        FROM scoped s JOIN mentions m ON m.id = s.mention_id AND {_MENTIONS_WINDOW}
        WHERE {value} IS NOT NULL AND {value} <> ''
        GROUP BY 1 ORDER BY {order} DESC, name LIMIT ?
        """,
        [*params, *_window_params(first, last, tz), int(limit)],
    ).df()
    df = _int_columns(df, ["mentions", "engagement", "positive", "negative"])
    df["net_sentiment"] = _net(df)
    return df


def term_counts(
    con: duckdb.DuckDBPyConnection,
    brands: str | Sequence[str] | None,
    first: date,
    last: date,
    sources: Sequence[str] | None = None,
    sentiments: Sequence[str] | None = None,
    tz: str = "UTC",
    stop_words: Sequence[str] = (),
    min_length: int = 3,
    everything: bool = False,
    languages: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, int]:
    """Return (term, mentions) for every word and #hashtag in scope, and the mention count.

    `mentions` counts the mentions using a term at least once (not its occurrences), so one
    long post repeating a word cannot make it trend. Words are lower-cased; stop words,
    words shorter than `min_length`, numbers and URLs are left out.
    """
    where, params = _where(
        brands, first, last, sources, sentiments, tz, everything=everything, languages=languages
    )
    docs = con.execute(
        f"SELECT count(DISTINCT b.mention_id) FROM mention_brands b WHERE {where}", params
    ).fetchall()[0][0]
    df = con.execute(
        f"""
        WITH scoped AS (SELECT DISTINCT b.mention_id FROM mention_brands b WHERE {where}),
        words AS (
            SELECT DISTINCT m.id, unnest(regexp_extract_all(
                regexp_replace(lower(m.title || ' ' || m.text), 'https?://\\S+', ' ', 'g'),
                ?
            )) AS term
            FROM scoped s JOIN mentions m ON m.id = s.mention_id AND {_MENTIONS_WINDOW}
        )
        SELECT regexp_replace(term, '(''s|'')$', '') AS term, count(DISTINCT id) AS mentions
        FROM words
        GROUP BY 1
        HAVING length(term) >= ? AND NOT regexp_full_match(term, '[0-9]+')
           AND term NOT IN (SELECT unnest(?::VARCHAR[]))
        ORDER BY mentions DESC, term
        """,
        [
            *params,
            TERM_PATTERN,
            *_window_params(first, last, tz),
            int(min_length),
            list(stop_words),
        ],
    ).df()
    df["mentions"] = df["mentions"].astype("int64")
    return df, int(docs or 0)


def top_mentions(
    con: duckdb.DuckDBPyConnection,
    brands: str | Sequence[str] | None,
    first: date,
    last: date,
    sources: Sequence[str] | None = None,
    sentiments: Sequence[str] | None = None,
    tz: str = "UTC",
    limit: int = 5,
    everything: bool = False,
    languages: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Return the most engaged mentions in scope: id, brand(s), source, published_at, author,
    title, text, url, engagement and label, highest engagement first."""
    where, params = _where(
        brands, first, last, sources, sentiments, tz, everything=everything, languages=languages
    )
    return con.execute(
        f"""
        SELECT m.id, string_agg(DISTINCT b.brand, '; ' ORDER BY b.brand) AS brand,
               m.source, m.published_at, m.author, m.title, m.text, m.url,
               any_value(b.engagement) AS engagement, any_value(b.label) AS label
        FROM mention_brands b JOIN mentions m ON m.id = b.mention_id
        WHERE {where} AND {_MENTIONS_WINDOW}
        GROUP BY m.id, m.source, m.published_at, m.author, m.title, m.text, m.url
        ORDER BY engagement DESC NULLS LAST, m.published_at DESC, m.id
        LIMIT ?
        """,
        [*params, *_window_params(first, last, tz), int(limit)],
    ).df()


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
    rows = con.execute("SELECT DISTINCT brand FROM mention_brands ORDER BY brand").fetchall()
    return [str(r[0]) for r in rows]


# -- inputs for re-analysis and the scorer's agreement with users -------------------------


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
