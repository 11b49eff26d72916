"""Reads the dashboard needs beyond the trend aggregates: browsing mentions, campaigns and health.

Every reader of mentions takes a `Scope` (store.scope, the one filter) and returns a
DataFrame or a number; none of them loads whole tables into pandas.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
from brandpulse.store import lake, rollups, trigram_bits
from brandpulse.store.scope import Scope
from brandpulse.store.sql import one
from brandpulse.store.trends import brands_present
from brandpulse.store.voices import TERM_PATTERN

# A snippet is what the mentions table shows of a text; the full text is one click away.
SNIPPET_CHARS = 280
# A page of mentions is looked for in the newest FIRST_SLICE_DAYS of the window, then in
# longer spans; beyond LAST_SLICE_DAYS the whole window is read at once.
FIRST_SLICE_DAYS = 1
LAST_SLICE_DAYS = 400
# A searched scope whose other filters leave at most this many brand rows is searched by
# looking up those mentions' texts, not by reading every text of the window.
SPARSE_ROWS = 2_000


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)


def overview_bounds(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Return what the filters can offer: mention count, first/last time, brands and sources."""
    row = one(
        con,
        "SELECT count(*), min(published_at), max(published_at) FROM mentions",
    )
    sources = con.execute("SELECT DISTINCT source FROM mentions ORDER BY source").fetchall()
    languages = con.execute(
        "SELECT DISTINCT coalesce(language, '') FROM mentions ORDER BY 1"
    ).fetchall()
    return {
        "languages": [r[0] for r in languages],
        "mentions": int(row[0]),
        "first": row[1],
        "last": row[2],
        "brands": brands_present(con),
        "sources": [r[0] for r in sources],
    }


def plan_search(con: duckdb.DuckDBPyConnection, scope: Scope) -> Scope:
    """Return the scope with `prefilter` decided: True where trigram bits pay.

    Fetching a text by row id costs about twice what reading it in a scan does (measured
    at 10M): worth it only while the bits leave at most half of the window's texts, as
    they do for all but the commonest words. A scope already decided is returned as is.
    """
    if scope.prefilter is not None:
        return scope
    mask = trigram_bits.search_mask(scope.search.split())
    # A lake's rows live in Parquet files: no cheap fetch by row id.
    if mask is None or lake.is_lake_connection(con):
        return replace(scope, prefilter=False)
    window, params = scope.window("m")
    candidates, texts = one(
        con,
        f"SELECT count(*) FILTER (WHERE {trigram_bits.condition('m', mask)}), count(*)"
        f" FROM mentions m WHERE {window}",
        params,
    )
    return replace(scope, prefilter=2 * candidates <= texts)


def count_mentions(con: duckdb.DuckDBPyConnection, scope: Scope) -> int:
    """Return how many distinct mentions match the scope (search words included)."""
    rows, params = "mention_brands b", []
    if scope.search.split():
        # The matches joined to their brand rows: as a semi-join of the scope, DuckDB
        # builds its hash table from the window's brand rows, several times the matches.
        matches, params = plan_search(con, scope).search_matches()
        rows = f"({matches}) f JOIN mention_brands b ON b.mention_id = f.id"
        scope = replace(scope, search="")
    where, where_params = scope.where()
    params += where_params
    if len(scope.brands) == 1:  # one row per mention
        return int(one(con, f"SELECT count(*) FROM {rows} WHERE {where}", params)[0])
    # Only rows of mentions naming several brands can repeat one: count just those distinct.
    # The scope's rows are found once, then counted twice: a DISTINCT aggregate with a
    # FILTER would still hash every row.
    row = one(
        con,
        f"""
        WITH r AS MATERIALIZED (
            SELECT b.mention_id, coalesce(b.shared, true) AS shared
            FROM {rows} WHERE {where}
        )
        SELECT (SELECT count(*) FROM r WHERE NOT shared)
             + (SELECT count(DISTINCT mention_id) FROM r WHERE shared)
        """,
        params,
    )
    return int(row[0])


def mention_page(
    con: duckdb.DuckDBPyConnection,
    scope: Scope,
    *,
    before: tuple[datetime, str] | None = None,
    limit: int = 50,
    fanout: int | None = None,
) -> pd.DataFrame:
    """Return one page of matching mentions, newest first, paged by (published_at, id) keys.

    `before` gives the page after a previous page's last key. Keys instead of OFFSET keep
    page 10,000 as fast as page 1. `fanout` is the most brand rows one mention can have
    (the number of brands in scope, counted when not given): taking the newest
    `limit * fanout` rows and then removing repeats always leaves a full page, without
    grouping every matching row first.
    """
    if fanout is None:
        # The rollup lists every brand in a few thousand rows.
        fanout = len(scope.brands) or int(
            one(con, "SELECT count(DISTINCT brand) FROM brand_hours")[0]
        )
    key_sql, key_params = "TRUE", []
    if before is not None:
        key_sql, key_params = "(b.published_at, b.mention_id) < (?, ?)", list(before)
    rows = max(1, limit) * max(1, fanout)
    size = max(1, int(limit))
    # Newest first: read the window's last day, then a longer span (at least 4 times), until
    # a slice holds a full page. A full page of a slice is the page of the whole window, since
    # every row before the slice is older than all of it; a sparse filter ends with the
    # whole window. Each slice is a narrower scope, so its search and triage filters
    # look at that slice only.
    newest = scope.last
    if before is not None:
        day = before[0].astimezone(ZoneInfo(scope.tz)).date()
        newest = day if newest is None else min(newest, day)
    scope = plan_search(con, scope)
    days = FIRST_SLICE_DAYS
    while True:
        part = scope
        first = None if newest is None else newest - timedelta(days=days - 1)
        inside = first is not None and (scope.first is None or first > scope.first)
        if inside and days <= LAST_SLICE_DAYS:
            part = scope.over(first, newest)
        where, params = part.where()
        keys = con.execute(
            f"""
            SELECT DISTINCT mention_id, published_at FROM (
                SELECT b.mention_id, b.published_at FROM mention_brands b
                WHERE {where} AND {key_sql}
                ORDER BY b.published_at DESC, b.mention_id DESC
                LIMIT {rows}
            )
            ORDER BY published_at DESC, mention_id DESC
            LIMIT {size}
            """,
            params + key_params,
        ).fetchall()
        if part is scope or len(keys) == size:
            break
        # The next slice should hold a page at the rate this one matched; none matched:
        # the filters are sparse, read the whole window.
        days = days * max(4, -(-2 * size // len(keys))) if keys else LAST_SLICE_DAYS + 1
    df = mentions_by_id(con, [k[0] for k in keys], [k[1] for k in keys])
    return df.sort_values(["published_at", "id"], ascending=False, ignore_index=True)


def sparse_keys(
    con: duckdb.DuckDBPyConnection, scope: Scope, cap: int = SPARSE_ROWS
) -> list[tuple[datetime, str]] | None:
    """Return every matching mention's (published_at, id) key, newest first, when the
    scope's filters other than the search leave at most `cap` brand rows; else None.

    Triage filters (a tag, an assignee, unread) often leave a few hundred mentions of a
    window of millions: reading those few texts by id beats reading every text, and the
    keys then give the count and every page without another scan.
    """
    where, params = replace(scope, search="").where()
    rows = con.execute(
        f"SELECT b.mention_id, b.published_at FROM mention_brands b WHERE {where}"
        f" LIMIT {int(cap) + 1}",
        params,
    ).fetchall()
    if len(rows) > cap:
        return None
    times = dict(rows)  # a mention's brand rows share its time
    if times and scope.search.split():
        words, word_params = scope.search_condition("m")
        ids = list(times)
        found = con.execute(
            f"SELECT m.id FROM mentions m WHERE m.id IN ({_marks(ids)}) AND {words}",
            [*ids, *word_params],
        ).fetchall()
        times = {i: times[i] for (i,) in found}
    return sorted(((t, i) for i, t in times.items()), reverse=True)


def page_of_keys(
    con: duckdb.DuckDBPyConnection,
    keys: Sequence[tuple[datetime, str]],
    *,
    before: tuple[datetime, str] | None = None,
    limit: int = 50,
) -> pd.DataFrame:
    """Return the page of `mention_page` from a scope's keys (`sparse_keys`, newest first)."""
    after = [k for k in keys if before is None or k < tuple(before)][: max(1, int(limit))]
    df = mentions_by_id(con, [k[1] for k in after], [k[0] for k in after])
    return df.sort_values(["published_at", "id"], ascending=False, ignore_index=True)


MENTION_COLUMNS = (
    "id",
    "published_at",
    "source",
    "brands",
    "sentiment",
    "sentiment_score",
    "corrected",
    "title",
    "snippet",
    "engagement",
    "score",
    "comments",
    "author",
    "url",
    "place",
)


def mentions_by_id(
    con: duckdb.DuckDBPyConnection, ids: Sequence[str], times: Sequence[datetime] = ()
) -> pd.DataFrame:
    """Return the given mentions with their brands and label (correction first), in any order.

    Each table is read with the id list itself, so DuckDB looks the rows up instead of
    scanning; `times` (the mentions' published_at, when known) narrows the brand rows too.
    """
    if not ids:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in MENTION_COLUMNS})
    ids = list(dict.fromkeys(ids))
    marks = _marks(ids)
    window, window_params = "TRUE", []
    if times:
        window, window_params = "published_at BETWEEN ? AND ?", [min(times), max(times)]
    return con.execute(
        f"""
        WITH brands AS (
            SELECT mention_id, string_agg(brand, ', ' ORDER BY brand) AS brands
            FROM mention_brands WHERE mention_id IN ({marks}) AND {window}
            GROUP BY mention_id
        ), s AS (
            SELECT mention_id, label, score FROM sentiments WHERE mention_id IN ({marks})
        ), c AS (
            SELECT mention_id, label FROM sentiment_corrections WHERE mention_id IN ({marks})
        )
        SELECT m.id, m.published_at, m.source, brands.brands,
               coalesce(c.label, s.label) AS sentiment,
               s.score AS sentiment_score,
               c.label IS NOT NULL AS corrected,
               m.title,
               left(m.text, {SNIPPET_CHARS}) AS snippet,
               coalesce(m.score, 0) + coalesce(m.comments, 0) AS engagement,
               m.score, m.comments, m.author, m.url,
               coalesce(m.extra ->> 'subreddit', m.extra ->> 'domain',
                        m.extra ->> 'feed_title') AS place
        FROM mentions m
        LEFT JOIN brands ON brands.mention_id = m.id
        LEFT JOIN s ON s.mention_id = m.id
        LEFT JOIN c ON c.mention_id = m.id
        WHERE m.id IN ({marks}) AND {window.replace("published_at", "m.published_at")}
        """,
        [*ids, *window_params, *ids, *ids, *ids, *window_params],
    ).df()


def mention_detail(con: duckdb.DuckDBPyConnection, mention_id: str) -> dict[str, Any] | None:
    """Return one mention's full text, labels (scorer's and corrected) and matched brands."""
    rows = con.execute(
        """
        SELECT m.id, m.source, m.url, m.author, m.title, m.text, m.published_at,
               m.score, m.comments,
               (SELECT label FROM sentiments WHERE mention_id = ?),
               (SELECT score FROM sentiments WHERE mention_id = ?),
               (SELECT scorer FROM sentiments WHERE mention_id = ?),
               (SELECT scorer_version FROM sentiments WHERE mention_id = ?),
               (SELECT label FROM sentiment_corrections WHERE mention_id = ?),
               (SELECT list(brand ORDER BY brand) FROM mention_brands WHERE mention_id = ?),
               (SELECT confidence FROM sentiments WHERE mention_id = ?),
               m.language
        FROM mentions m
        WHERE m.id = ?
        """,
        [mention_id] * 8,
    ).fetchall()
    if not rows:
        return None
    keys = (
        "id",
        "source",
        "url",
        "author",
        "title",
        "text",
        "published_at",
        "score",
        "comments",
        "scorer_label",
        "sentiment_score",
        "scorer",
        "scorer_version",
        "corrected_label",
        "brands",
        "confidence",
        "language",
    )
    return dict(zip(keys, rows[0], strict=True))


def volume_by_source(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Return source, mentions (distinct) and share of the scope's mentions, largest first."""
    where, params = scope.where()
    mentions, table = "count(DISTINCT mention_id)", "mention_brands"
    if len(scope.brands) == 1 and rollups.usable(scope):
        # One brand: each mention has one row, so the rollup's sums are distinct mentions.
        mentions, table = "sum(b.mentions)", "brand_hours"
    df = con.execute(
        f"""
        SELECT source, {mentions} AS mentions
        FROM {table} b WHERE {where}
        GROUP BY source ORDER BY mentions DESC, source
        """,
        params,
    ).df()
    df["mentions"] = df["mentions"].astype("int64")
    return df


def top_mentions(
    con: duckdb.DuckDBPyConnection,
    scope: Scope,
    *,
    campaign: str | None = None,
    limit: int = 10,
) -> pd.DataFrame:
    """Return the most engaging mentions in scope (optionally of one campaign), best first."""
    where, params = scope.where()
    campaign_sql = "TRUE"
    if campaign is not None:
        campaign_sql = (
            "b.mention_id IN (SELECT mention_id FROM mention_campaigns WHERE campaign = ?)"
        )
        params = params + [campaign]
    best = con.execute(
        f"""
        SELECT b.mention_id, max(b.engagement) AS engagement, any_value(b.published_at)
        FROM mention_brands b WHERE {where} AND {campaign_sql}
        GROUP BY b.mention_id
        ORDER BY engagement DESC NULLS LAST, b.mention_id
        LIMIT {max(1, int(limit))}
        """,
        params,
    ).fetchall()
    df = mentions_by_id(con, [r[0] for r in best], [r[2] for r in best])
    rank = {r[0]: n for n, r in enumerate(best)}
    return df.sort_values("id", key=lambda ids: ids.map(rank), ignore_index=True)


def source_health(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return one row per collector: its latest run, last success and how many failed in a row.

    Columns: source, last_started, last_ended, last_status, fetched, new, updated, skipped,
    error_count, errors, warnings, details (JSON text), runs, last_ok, failed_streak.
    """
    return con.execute(
        """
        WITH ordered AS (
            SELECT *, row_number() OVER (PARTITION BY source ORDER BY run_id DESC) AS n
            FROM collection_runs
            -- A refused run never started: it shows in the history, not as the source's state.
            WHERE status <> 'refused'
        ), per_source AS (
            SELECT source, count(*) AS runs,
                   max(ended_at) FILTER (WHERE status IN ('ok', 'partial')) AS last_ok,
                   min(n) FILTER (WHERE status IN ('ok', 'partial', 'running')) AS first_ok_n,
                   max(n) AS all_n
            FROM ordered GROUP BY source
        )
        SELECT o.source, o.started_at AS last_started, o.ended_at AS last_ended,
               o.status AS last_status, o.fetched, o.new, o.updated, o.skipped,
               len(o.errors) AS error_count, o.errors, o.warnings,
               CAST(o.details AS VARCHAR) AS details,
               p.runs, p.last_ok, coalesce(p.first_ok_n - 1, p.all_n) AS failed_streak
        FROM ordered o JOIN per_source p USING (source)
        WHERE o.n = 1
        ORDER BY o.source
        """
    ).df()


def run_history(con: duckdb.DuckDBPyConnection, limit: int = 50) -> pd.DataFrame:
    """Return the latest collection runs of every source, newest first."""
    return con.execute(
        """
        SELECT run_id, source, started_at, ended_at, status, fetched, new, updated, skipped,
               len(errors) AS error_count, errors
        FROM collection_runs ORDER BY run_id DESC LIMIT ?
        """,
        [int(limit)],
    ).df()


def data_freshness(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return per mention source: mentions, newest published and last collected time."""
    return con.execute(
        "SELECT source, count(*) AS mentions, max(published_at) AS newest_published,"
        " max(collected_at) AS last_collected FROM mentions GROUP BY source ORDER BY source"
    ).df()


def distinct_rows(columns: str, where: str, single_brand: bool) -> str:
    """Return SQL giving `columns` of one mention_brands row (`b`) per mention matching `where`.

    Only matches flagged `shared` (their mention names several brands) can repeat a
    mention, so only those few are grouped; every other row is taken as it is. With one
    brand in scope no row repeats.
    """
    rows = f"SELECT {columns} FROM mention_brands b WHERE {where}"
    if single_brand:
        return rows
    picked = ", ".join(f"any_value({c}) AS {c.removeprefix('b.')}" for c in columns.split(", "))
    return (
        f"{rows} AND NOT coalesce(b.shared, true) UNION ALL SELECT {picked} FROM mention_brands b"
        f" WHERE {where} AND coalesce(b.shared, true) GROUP BY b.mention_id"
    )


def top_voices(con: duckdb.DuckDBPyConnection, scope: Scope, limit: int = 10) -> pd.DataFrame:
    """Return the top authors, subreddits and sites in scope, from scans of mention_brands.

    Columns: dimension (author, subreddit or site), name, mentions, engagement; at most
    `limit` rows per dimension, most mentions first. A mention naming two brands in scope
    counts once. A mention posted in a subreddit counts under it; any other counts under its
    site (the feed's domain, else its URL's host), without a leading "www.".
    """
    where, params = scope.where()
    rows = distinct_rows(
        "b.author, b.channel_kind, b.channel, b.engagement", where, len(scope.brands) == 1
    )
    if len(scope.brands) != 1:
        params = params * 2
    # Authors and channels are grouped apart (one grouping each is several times faster
    # than GROUPING SETS over both), in one statement that reads the rows once.
    df = con.execute(
        f"""
        WITH r AS MATERIALIZED ({rows})
        (
            SELECT 'author' AS dimension, author AS name, count(*) AS mentions,
                   coalesce(sum(engagement), 0) AS engagement
            FROM r WHERE author IS NOT NULL AND author <> ''
            GROUP BY author ORDER BY mentions DESC, name LIMIT ?
        )
        UNION ALL
        (
            SELECT channel_kind AS dimension, channel AS name, count(*) AS mentions,
                   coalesce(sum(engagement), 0) AS engagement
            FROM r WHERE channel IS NOT NULL AND channel <> ''
                AND channel_kind IN ('subreddit', 'site')
            GROUP BY channel_kind, channel
            QUALIFY row_number() OVER (PARTITION BY channel_kind ORDER BY mentions DESC, name)
                <= ?
        )
        ORDER BY dimension, mentions DESC, name
        """,
        [*params, int(limit), int(limit)],
    ).df()
    for column in ("mentions", "engagement"):
        df[column] = df[column].astype("int64")
    return df


def term_mentions(
    con: duckdb.DuckDBPyConnection, groups: dict[str, list[str]], min_length: int = 3
) -> pd.DataFrame:
    """Return, per term, how many mentions of each id group use it (one column per group).

    Terms are lower-cased words and #hashtags as in `store.voices.term_counts`: URLs,
    numbers and words shorter than `min_length` are left out, a trailing 's is dropped.
    Ids are looked up directly, so a few thousand sampled mentions cost milliseconds even
    among millions.
    """
    names = list(groups)
    ids = [(name, mention) for name in names for mention in groups[name]]
    if not ids:
        return pd.DataFrame({"term": pd.Series(dtype="str"), **{n: [] for n in names}})
    table = pd.DataFrame(ids, columns=["grp", "mention_id"])
    con.register("_term_ids", table)
    try:
        counts = ", ".join(f'count(*) FILTER (WHERE grp = ?) AS "{i}"' for i in range(len(names)))
        id_list = ", ".join("?" for _ in ids)
        df = con.execute(
            f"""
            WITH docs AS (
                SELECT m.id, m.title, m.text FROM mentions m WHERE m.id IN ({id_list})
            ), words AS (
                SELECT DISTINCT d.id, regexp_replace(w.term, '(''s|'')$', '') AS term
                FROM docs d,
                     unnest(regexp_extract_all(
                         regexp_replace(lower(d.title || ' ' || d.text), 'https?://\\S+', ' ', 'g'),
                         ?)) AS w(term)
            )
            SELECT w.term, {counts}
            FROM words w JOIN _term_ids g ON g.mention_id = w.id
            WHERE length(w.term) >= ? AND NOT regexp_full_match(w.term, '[0-9]+')
            GROUP BY w.term
            """,
            [*(r[1] for r in ids), TERM_PATTERN, *names, int(min_length)],
        ).df()
    finally:
        con.unregister("_term_ids")
    df.columns = ["term", *names]
    for name in names:
        df[name] = df[name].astype("int64")
    return df
