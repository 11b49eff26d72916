"""A fixed sample of the mentions in scope, and their terms stored at write time.

Each brand match carries its mention's `sample_key` (the first 8 bytes of the id's MD5):
the mentions with the lowest keys in scope are a uniform random sample, and the same one
on every read. Mentions whose key is below CACHED_BELOW (one in 256) get their distinct
terms stored in `mention_terms` when they are written, so counting the terms of a sample of
a large scope is one SQL aggregate instead of reading and tokenising thousands of texts.

The stored terms are the analysis tokeniser's output with no brand words left out; leaving
them out afterwards (dropping every term that has a brand word) gives exactly what the
tokeniser returns with them, because a brand word only ever removes the terms it is part of.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
from brandpulse.store import lake, rollups
from brandpulse.store.schema import SAMPLE_KEY_SQL
from brandpulse.store.scope import Scope
from brandpulse.store.sql import one

# Mentions whose sample key is below this have their terms stored: one in 256, so that a
# scope of half a million mentions or more has its whole sample stored.
CACHED_BELOW = 2**56
# Tokenises one mention: (title + text, language) -> its distinct terms.
Tokenize = Callable[[str, str | None], Iterable[str]]

_TS = pa.timestamp("us", tz="UTC")


def sample(con: duckdb.DuckDBPyConnection, scope: Scope, size: int) -> tuple[list[int], int]:
    """Return the distinct sample keys of the `size` brand matches in scope with the lowest
    keys, and how many brand matches the scope has.

    The mentions in scope with these keys are the sample (`sample_ids`); the count is of
    mention×brand rows, as a reservoir sample of rows would see them.
    """
    where, params = scope.where()
    table, n = rollups.rows_of(scope)
    total = int(one(con, f"SELECT coalesce({n}, 0) FROM {table} b WHERE {where}", params)[0])
    # Keys are uniform: the `size` lowest of `total` rows lie below about size/total of the
    # key range. Rows below twice that bound are read (integers only, no sort); in the rare
    # case they are fewer than `size`, the bound grows until they are not, or covers all.
    share = 2.0 * size / total if total else 1.0
    while True:
        bound = int(min(share, 1.0) * 2**64)
        if bound >= 2**64:
            upto, upto_params = "b.sample_key IS NOT NULL", []
        else:
            upto, upto_params = "b.sample_key < ?::UBIGINT", [bound]
        rows = con.execute(
            f"SELECT b.sample_key FROM mention_brands b WHERE {where} AND {upto}",
            [*params, *upto_params],
        ).fetchall()
        if len(rows) >= size or bound >= 2**64:
            break
        share *= 4
    lowest = sorted(int(r[0]) for r in rows)[: int(size)]
    return sorted(set(lowest)), total


def sample_ids(con: duckdb.DuckDBPyConnection, scope: Scope, keys: Sequence[int]) -> list[str]:
    """Return the ids of the mentions in scope with these sample keys, sorted by key and id."""
    where, params = scope.where()
    rows = con.execute(
        f"SELECT DISTINCT b.sample_key, b.mention_id FROM mention_brands b WHERE {where}"
        " AND b.sample_key IN (SELECT unnest(?::UBIGINT[]))",
        [*params, list(keys)],
    ).fetchall()
    return [str(i) for _, i in sorted(rows)]


def cached(keys: Iterable[int]) -> bool:
    """Return True when every one of these sample keys has its mention's terms stored."""
    return all(k < CACHED_BELOW for k in keys)


def count_terms(
    con: duckdb.DuckDBPyConnection,
    groups: Sequence[Sequence[int]],
    dropped: Iterable[str],
    min_mentions: int,
) -> tuple[pd.DataFrame, list[int], list[int]] | None:
    """Count the stored terms of the mentions with each group of sample keys, leaving out
    those with a word in `dropped` (lower-case brand words without # or @).

    Returns (frame, totals, documents): the frame has term and one count column per group
    (g0, g1, ...) for the terms in at least `min_mentions` mentions of the first group;
    totals are each group's sum of counts over every term, documents its mention count.
    None unless each key has exactly one mention with stored terms (two mentions sharing a
    key, a chance of about one in ten million at ten million mentions, take the texts).
    """
    keys = [(g, k) for g, members in enumerate(groups) for k in members]
    table = pa.table(
        {
            "grp": pa.array([g for g, _ in keys], pa.int32()),
            "sample_key": pa.array([k for _, k in keys], pa.uint64()),
        }
    )
    con.register("_term_groups", table)
    try:
        found = one(
            con, "SELECT count(*) FROM mention_terms t JOIN _term_groups g USING (sample_key)"
        )[0]
        if int(found) != len(keys):
            return None
        groups_sql = range(len(groups))
        columns = ", ".join(
            f"count(*) FILTER (WHERE grp = {g})::BIGINT AS g{g}" for g in groups_sql
        )
        sums = ", ".join(f"sum(g{g}) OVER ()::BIGINT AS t{g}" for g in groups_sql)
        words = sorted(set(dropped))
        # A term has a brand word when one of its words is that word after any # or @.
        branded = "regexp_matches(term, ?)" if words else "false AND ? IS NULL"
        # Every term counts in the totals; only the frequent ones come back, with them.
        counts = con.execute(
            f"""
            WITH counted AS (
                SELECT term, {columns}
                FROM (SELECT g.grp, unnest(string_split(t.terms, chr(10))) AS term
                      FROM mention_terms t JOIN _term_groups g USING (sample_key))
                WHERE term <> ''
                GROUP BY term HAVING NOT {branded}
            )
            SELECT *, {sums} FROM counted QUALIFY g0 >= ?
            """,
            [f"(^| )[#@]*({'|'.join(re.escape(w) for w in words)})( |$)", int(min_mentions)],
        ).df()
    finally:
        con.unregister("_term_groups")
    totals = [int(counts[f"t{g}"].iloc[0]) if len(counts) else 0 for g in groups_sql]
    documents = [len(members) for members in groups]
    frequent = counts[["term", *(f"g{g}" for g in groups_sql)]].reset_index(drop=True)
    return frequent, totals, documents


def texts_to_store(
    con: duckdb.DuckDBPyConnection, ids_sql: str, params: Sequence[Any] = ()
) -> list[tuple[str, int, Any, str, str | None]]:
    """Return (id, sample key, published_at, title + text, language) of the mentions
    `ids_sql` selects whose terms are kept (sample key below CACHED_BELOW)."""
    key = SAMPLE_KEY_SQL.format(column="id")
    rows = con.execute(
        f"SELECT id, {key}, published_at, title, text, json_extract_string(extra, '$.language')"
        f" FROM mentions WHERE id IN ({ids_sql}) AND {key} < ?::UBIGINT",
        [*params, CACHED_BELOW],
    ).fetchall()
    # The same document as signals.mention_texts reads for counting.
    return [(i, k, at, f"{title}. {text}", language) for i, k, at, title, text, language in rows]


def store(
    con: duckdb.DuckDBPyConnection,
    tokenize: Tokenize,
    ids_sql: str,
    params: Sequence[Any] = (),
) -> int:
    """Store the terms of the mentions `ids_sql` selects (those below the cache limit),
    replacing earlier ones; return how many mentions got terms. Call it in the transaction
    that wrote their text."""
    docs = texts_to_store(con, ids_sql, params)
    forget(con, ids_sql, params)
    if not docs:
        return 0
    table = pa.table(
        {
            "mention_id": pa.array([d[0] for d in docs], pa.string()),
            "sample_key": pa.array([d[1] for d in docs], pa.uint64()),
            "published_at": pa.array([d[2] for d in docs], _TS),
            # One string, a term a line: scanned several times faster than a list.
            "terms": pa.array(
                ["\n".join(sorted(set(tokenize(text, language)))) for *_, text, language in docs],
                pa.string(),
            ),
        }
    )
    con.register("_terms", table)
    try:
        con.execute(
            "INSERT INTO mention_terms (mention_id, sample_key, published_at, terms)"
            " SELECT * FROM _terms"
        )
    finally:
        con.unregister("_terms")
    return len(docs)


def forget(con: duckdb.DuckDBPyConnection, ids_sql: str, params: Sequence[Any] = ()) -> None:
    """Delete the stored terms of the mentions `ids_sql` selects (their text changed or they
    are gone)."""
    where = f"mention_id IN ({ids_sql})"
    # A lake delete, even of nothing, conflicts with concurrent inserts: skip it then.
    if (
        lake.is_lake_connection(con)
        and not one(con, f"SELECT count(*) FROM mention_terms WHERE {where}", list(params))[0]
    ):
        return
    con.execute(f"DELETE FROM mention_terms WHERE {where}", list(params))


def missing(con: duckdb.DuckDBPyConnection, limit: int) -> list[str]:
    """Return up to `limit` ids of mentions below the cache limit without stored terms
    (stored before terms were, or by a writer that does not store them)."""
    rows = con.execute(
        f"SELECT id FROM mentions WHERE {SAMPLE_KEY_SQL.format(column='id')} < ?::UBIGINT"
        " AND id NOT IN (SELECT mention_id FROM mention_terms) ORDER BY id LIMIT ?",
        [CACHED_BELOW, int(limit)],
    ).fetchall()
    return [str(r[0]) for r in rows]


def fill(con: duckdb.DuckDBPyConnection, tokenize: Tokenize, limit: int) -> int:
    """Store the terms of up to `limit` mentions that should have them and do not; return
    how many were stored."""
    ids = missing(con, limit)
    if not ids:
        return 0
    return store(con, tokenize, "SELECT unnest(?::VARCHAR[])", [ids])
