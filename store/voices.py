"""Who and what is talked about in scope: top authors, places and sources, terms, top posts."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd
from brandpulse.store.scope import Scope
from brandpulse.store.trends import int_columns, net

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

# A term: a word or #hashtag/@handle of letters (Latin accents included), digits, ', _ and -.
TERM_PATTERN = "[#@]?[a-z0-9\\x{00c0}-\\x{024f}][a-z0-9\\x{00c0}-\\x{024f}'_-]*"


def top_by(
    con: duckdb.DuckDBPyConnection,
    dimension: str,
    scope: Scope,
    order: str = "mentions",
    limit: int = 10,
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
    where, params = scope.where()
    window, window_params = scope.window("m")
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
        FROM scoped s JOIN mentions m ON m.id = s.mention_id AND {window}
        WHERE {value} IS NOT NULL AND {value} <> ''
        GROUP BY 1 ORDER BY {order} DESC, name LIMIT ?
        """,
        [*params, *window_params, int(limit)],
    ).df()
    df = int_columns(df, ["mentions", "engagement", "positive", "negative"])
    df["net_sentiment"] = net(df)
    return df


def term_counts(
    con: duckdb.DuckDBPyConnection,
    scope: Scope,
    stop_words: Sequence[str] = (),
    min_length: int = 3,
) -> tuple[pd.DataFrame, int]:
    """Return (term, mentions) for every word and #hashtag in scope, and the mention count.

    `mentions` counts the mentions using a term at least once (not its occurrences), so one
    long post repeating a word cannot make it trend. Words are lower-cased; stop words,
    words shorter than `min_length`, numbers and URLs are left out.
    """
    where, params = scope.where()
    window, window_params = scope.window("m")
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
            FROM scoped s JOIN mentions m ON m.id = s.mention_id AND {window}
        )
        SELECT regexp_replace(term, '(''s|'')$', '') AS term, count(DISTINCT id) AS mentions
        FROM words
        GROUP BY 1
        HAVING length(term) >= ? AND NOT regexp_full_match(term, '[0-9]+')
           AND term NOT IN (SELECT unnest(?::VARCHAR[]))
        ORDER BY mentions DESC, term
        """,
        [*params, TERM_PATTERN, *window_params, int(min_length), list(stop_words)],
    ).df()
    df["mentions"] = df["mentions"].astype("int64")
    return df, int(docs or 0)


def top_mentions(con: duckdb.DuckDBPyConnection, scope: Scope, limit: int = 5) -> pd.DataFrame:
    """Return the most engaged mentions in scope: id, brand(s), source, published_at, author,
    title, text, url, engagement and label, highest engagement first."""
    where, params = scope.where()
    window, window_params = scope.window("m")
    return con.execute(
        f"""
        SELECT m.id, string_agg(DISTINCT b.brand, '; ' ORDER BY b.brand) AS brand,
               m.source, m.published_at, m.author, m.title, m.text, m.url,
               any_value(b.engagement) AS engagement, any_value(b.label) AS label
        FROM mention_brands b JOIN mentions m ON m.id = b.mention_id
        WHERE {where} AND {window}
        GROUP BY m.id, m.source, m.published_at, m.author, m.title, m.text, m.url
        ORDER BY engagement DESC NULLS LAST, m.published_at DESC, m.id
        LIMIT ?
        """,
        [*params, *window_params, int(limit)],
    ).df()
