"""store.browse over the fixture database, checked against the fixture's spec."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pytest
from brandpulse.dashboard.filters import Filters
from brandpulse.store import analytics, browse
from brandpulse.store.connection import read_connection
from brandpulse.store.scope import Scope

from tests.dashboard import expected as ex
from tests.dashboard.fixture import FIRST_DAY, LAST_DAY, SPEC, TZ


@pytest.fixture
def con(fixture_folder: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with read_connection(fixture_folder / "fixture.duckdb") as connection:
        yield connection


def scope(brands: tuple[str, ...] = (), days: int = 60, **kw: tuple[str, ...]) -> browse.Scope:
    f = Filters(
        brands,
        "custom",
        LAST_DAY - timedelta(days=days - 1),
        LAST_DAY,
        kw.get("sources", ()),
        kw.get("sentiments", ()),
    )
    return f.scope(TZ)


@pytest.mark.parametrize("size", [1, 7, 50])
@pytest.mark.parametrize("brands", [(), ("Acme",), ("Acme", "Globex")])
def test_keyset_pages_cover_every_mention_once_newest_first(
    con: duckdb.DuckDBPyConnection, size: int, brands: tuple[str, ...]
) -> None:
    where = scope(brands, days=12)
    seen: list[str] = []
    times = []
    before = None
    while True:
        page = browse.mention_page(con, where, before=before, limit=size)
        if page.empty:
            break
        seen += list(page["id"])
        times += list(page["published_at"])
        last = page.iloc[-1]
        before = (last["published_at"].to_pydatetime(), last["id"])
    first = LAST_DAY - timedelta(days=11)
    assert sorted(seen) == sorted(ex.mentions(ex.rows(first, LAST_DAY, brands or None)))
    assert times == sorted(times, reverse=True)
    assert browse.count_mentions(con, where) == len(seen)


def test_search_takes_percent_and_underscore_literally(con: duckdb.DuckDBPyConnection) -> None:
    assert browse.count_mentions(con, replace(scope(), search="%")) == 0
    assert browse.count_mentions(con, replace(scope(), search="_")) == 0
    recall = sum(1 for i in SPEC if "recall" in i.mention.text.lower())
    assert browse.count_mentions(con, replace(scope(), search="ReCaLL")) == recall


@pytest.mark.parametrize("search", ["recall", "ReCaLL", "%", "the recall"])
@pytest.mark.parametrize("brands", [(), ("Acme",), ("Acme", "Globex")])
def test_a_searched_scope_read_by_its_keys_gives_the_same_count_and_pages(
    con: duckdb.DuckDBPyConnection, search: str, brands: tuple[str, ...]
) -> None:
    where = replace(scope(brands), search=search)
    keys = browse.sparse_keys(con, where, cap=100_000)
    assert keys is not None
    assert len(keys) == browse.count_mentions(con, where)
    before = None
    while True:
        page = browse.mention_page(con, where, before=before, limit=7)
        from_keys = browse.page_of_keys(con, keys, before=before, limit=7)
        assert list(from_keys["id"]) == list(page["id"])
        if page.empty:
            break
        last = page.iloc[-1]
        before = (last["published_at"].to_pydatetime(), last["id"])


def test_a_scope_with_more_rows_than_the_cap_has_no_keys(con: duckdb.DuckDBPyConnection) -> None:
    where = replace(scope(), search="recall")
    rows = len(browse.mention_page(con, scope(), limit=10_000))
    assert browse.sparse_keys(con, where, cap=rows - 1) is None
    assert browse.sparse_keys(con, where, cap=10 * rows) is not None


def test_top_voices_count_each_mention_once(con: duckdb.DuckDBPyConnection) -> None:
    voices = browse.top_voices(con, scope(("Acme", "Globex")), limit=100)
    items = {i.mention.id: i for i, _ in ex.rows(FIRST_DAY, LAST_DAY)}.values()
    authors = Counter(i.mention.author for i in items)
    subreddits = Counter(
        i.mention.extra.get("subreddit") for i in items if i.mention.source == "reddit"
    )
    sites = Counter(urlsplit(i.mention.url).hostname for i in items if i.mention.source != "reddit")
    for dimension, counts in (("author", authors), ("subreddit", subreddits), ("site", sites)):
        got = voices[voices["dimension"] == dimension]
        assert dict(zip(got["name"], got["mentions"], strict=True)) == dict(counts)


def test_volume_by_source_counts_distinct_mentions(con: duckdb.DuckDBPyConnection) -> None:
    got = browse.volume_by_source(con, scope())
    want = Counter(
        i.mention.source
        for i in {i.mention.id: i for i, _ in ex.rows(FIRST_DAY, LAST_DAY)}.values()
    )
    assert dict(zip(got["source"], got["mentions"], strict=True)) == dict(want)


def test_term_mentions_count_each_mention_once_per_term(con: duckdb.DuckDBPyConnection) -> None:
    spike = [i.mention.id for i in SPEC if "recall" in i.mention.text]
    calm = [i.mention.id for i in SPEC if i.label == "neutral"][:30]
    counts = browse.term_mentions(con, {"spike": spike, "calm": calm}).set_index("term")
    assert counts.loc["recall", "spike"] == len(spike)
    assert counts.loc["recall", "calm"] == 0
    assert counts.loc["specifications", "calm"] == len(calm)
    assert "the" in counts.index and "is" not in counts.index  # too short


def test_term_mentions_count_the_words_the_trend_reads_count(
    con: duckdb.DuckDBPyConnection,
) -> None:
    # Sampled (dashboard) and exact (analytics) term counts must agree on what a term is.
    first = LAST_DAY - timedelta(days=13)
    ids = sorted(ex.mentions(ex.rows(first, LAST_DAY, ["Acme"])))
    sampled = browse.term_mentions(con, {"now": ids})
    exact, mentions = analytics.term_counts(con, Scope(("Acme",), first, LAST_DAY, TZ))
    assert mentions == len(ids) > 0
    assert dict(zip(sampled["term"], sampled["now"], strict=True)) == dict(
        zip(exact["term"], exact["mentions"], strict=True)
    )
