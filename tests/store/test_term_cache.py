"""Emerging terms from stored terms equal the terms read and tokenised from the texts.

The sample is the mentions with the lowest MD5 keys in scope; the stored terms of its
mentions, counted in SQL with brand words left out afterwards, give exactly what the
tokeniser gives on the texts, after every kind of write.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from brandpulse.analysis import terms
from brandpulse.store import term_cache
from brandpulse.store.connection import read_connection, write_connection
from brandpulse.store.schema import migrate
from brandpulse.store.scope import Scope
from brandpulse.store.writes import transaction

from brandpulse.signals import sampled_emerging_terms
from tests.reports.seed import Row, at, seed
from tests.store.old_schema import apply_migrations_up_to
from tests.store.test_rollups import WRITES

EXCLUDE = ("Acme", "#acme", "Globex Corp")
WORDS = [
    "battery", "recall", "screen", "cracked", "great", "phone", "the", "is", "acme", "acme's",
    "#acme", "@globex", "globex", "corp", "price", "drop", "2026", "customer", "service",
    "slow", "don't", "update", "fire", "warning", "new", "it's", "of", "and",
]  # fmt: skip
NOW = Scope(("Acme", "Globex"), date(2026, 3, 8), date(2026, 3, 14), "Europe/Paris")
BEFORE = NOW.over(date(2026, 3, 1), date(2026, 3, 7))


def text(rnd: random.Random, hot: bool) -> str:
    words = rnd.choices(WORDS, k=rnd.randint(3, 14))
    if hot:  # what people start saying in the second week
        words[rnd.randrange(len(words)) :] = ["battery", "fire", "warning"]
    punct = rnd.choice([" ", ". ", ", ", "! ", " https://x.example/a?b "])
    return punct.join([" ".join(words[:4]), " ".join(words[4:])])


def rows(count: int = 240) -> list[Row]:
    rnd = random.Random(11)
    made = []
    for n in range(count):
        day = rnd.randint(0, 13)
        made.append(
            Row(
                at("2026-03-01", rnd.randint(0, 23)) + timedelta(days=day),
                rnd.sample(["Acme", "Globex", "Initech"], rnd.choice([1, 1, 2])),
                rnd.choice(["positive", "negative", "neutral"]),
                author=rnd.choice(["ann", "bob"]),
                title=rnd.choice(["", "Acme news", "About Globex Corp"]),
                text=text(rnd, hot=day >= 7 and n % 2 == 0),
                extra=rnd.choice([{}, {"language": "nl"}, {"language": "de-AT"}]),
            )
        )
    return made


def store_all(db: Path) -> None:
    """Store the terms of every mention below the cache limit, as the writers do."""
    with write_connection(db) as con, transaction(con):
        term_cache.store(con, terms.stored_terms, "SELECT id FROM mentions")


def both(db: Path, limit: int = 50) -> tuple[tuple[pd.DataFrame, dict], tuple[pd.DataFrame, dict]]:
    with read_connection(db) as con:
        fast = sampled_emerging_terms(con, NOW, BEFORE, EXCLUDE, limit)
        plain = sampled_emerging_terms(con, NOW, BEFORE, EXCLUDE, limit, stored=False)
    return fast, plain


def took_fast_path(db: Path) -> bool:
    with read_connection(db) as con:
        now, _ = term_cache.sample(con, NOW, 2000)
        before, _ = term_cache.sample(con, BEFORE, 2000)
        return term_cache.cached(now + before) and (
            term_cache.count_terms(con, [now, before], terms.brand_words(EXCLUDE), 3) is not None
        )


def assert_same(db: Path) -> pd.DataFrame:
    (fast, fast_sizes), (plain, plain_sizes) = both(db)
    assert fast_sizes == plain_sizes
    pd.testing.assert_frame_equal(fast, plain)
    return fast


@pytest.fixture
def cache_all(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every mention's terms are stored, so these few mentions take the stored path.
    monkeypatch.setattr(term_cache, "CACHED_BELOW", 2**64 - 1)


def test_leaving_brand_words_out_afterwards_equals_the_tokeniser() -> None:
    rnd = random.Random(5)
    dropped = terms.brand_words(EXCLUDE)
    for _ in range(500):
        sample = text(rnd, rnd.random() < 0.3)
        language = rnd.choice([None, "en", "nl", "de"])
        stored = terms.stored_terms(sample, language)
        kept = {t for t in stored if not any(w.lstrip("#@") in dropped for w in t.split(" "))}
        assert kept == terms.mention_terms(sample, language, dropped), sample


def test_stored_terms_give_the_same_emerging_terms(db_path: Path, cache_all: None) -> None:
    seed(db_path, rows())
    store_all(db_path)
    assert took_fast_path(db_path)
    result = assert_same(db_path)
    assert "battery fire warning" in set(result["term"])  # the planted phrase emerges


@pytest.mark.parametrize("kind", list(WRITES))
def test_every_write_keeps_them_equal(db_path: Path, cache_all: None, kind: str) -> None:
    ids = seed(db_path, rows())
    store_all(db_path)
    with write_connection(db_path) as con, transaction(con):
        WRITES[kind](con, ids)
    assert took_fast_path(db_path)
    assert_same(db_path)


def test_a_changed_text_drops_its_stored_terms_until_stored_again(
    db_path: Path, cache_all: None
) -> None:
    made = rows()
    seed(db_path, made)
    store_all(db_path)
    with read_connection(db_path) as con:
        stored = con.execute("SELECT count(*) FROM mention_terms").fetchall()[0][0]
    assert stored == len(made)
    # A re-collection edits every text: the stored terms go.
    seed(db_path, [replace(r, text=r.text + " price drop") for r in made])
    with read_connection(db_path) as con:
        assert con.execute("SELECT count(*) FROM mention_terms").fetchall() == [(0,)]
    assert not took_fast_path(db_path)
    assert_same(db_path)
    store_all(db_path)
    assert took_fast_path(db_path)
    result = assert_same(db_path)
    assert "price drop" not in set(result["term"])  # in every mention, both weeks


def test_only_sampled_mentions_below_the_limit_are_stored(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(term_cache, "CACHED_BELOW", 2**61)  # one in 8 of these few
    made = rows(400)
    ids = seed(db_path, made)
    store_all(db_path)
    below = {i for i in ids if md5_key(i) < term_cache.CACHED_BELOW}
    with read_connection(db_path) as con:
        got = {r[0] for r in con.execute("SELECT mention_id FROM mention_terms").fetchall()}
    assert got == below and 0 < len(below) < len(ids)
    # Most sampled mentions have none stored: the texts are tokenised, with the same result.
    assert not took_fast_path(db_path)
    assert_same(db_path)


def md5_key(mention_id: str) -> int:
    return int.from_bytes(hashlib.md5(mention_id.encode()).digest()[:8], "little")


@pytest.mark.parametrize("size", [1, 7, 60, 1000])
def test_the_sample_is_the_lowest_md5_keys_in_scope(db_path: Path, size: int) -> None:
    seed(db_path, rows())
    with read_connection(db_path) as con:
        where, params = NOW.where()
        matched = con.execute(
            f"SELECT b.mention_id FROM mention_brands b WHERE {where}", params
        ).fetchall()
        keys, total = term_cache.sample(con, NOW, size)
        ids = term_cache.sample_ids(con, NOW, keys)
    lowest = sorted((md5_key(i), i) for (i,) in matched)[:size]
    assert keys == sorted({k for k, _ in lowest})
    assert ids == list(dict.fromkeys(i for _, i in lowest))
    assert total == len(matched)


def test_migration_10_keys_older_matches(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    try:
        apply_migrations_up_to(con, 9)
        con.execute(
            "INSERT INTO mention_brands (mention_id, brand, published_at, source) VALUES"
            " ('a', 'Acme', now(), 'news'), ('a', 'Globex', now(), 'news'),"
            " ('b', 'Acme', now(), 'news')"
        )
        migrate(con)
        got = con.execute("SELECT mention_id, sample_key FROM mention_brands ORDER BY 1").fetchall()
        stored = con.execute("SELECT count(*) FROM mention_terms").fetchall()
    finally:
        con.close()
    assert got == [("a", md5_key("a")), ("a", md5_key("a")), ("b", md5_key("b"))]
    assert stored == [(0,)]
