"""Author and channel copied into mention_brands: filled by migration 7, kept by every write."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
from brandpulse.store import browse
from brandpulse.store.connection import read_connection
from brandpulse.store.schema import migrate
from brandpulse.store.scope import Scope

from tests.reports.seed import Row, at, seed
from tests.store.old_schema import apply_migrations_up_to

DAY = date(2026, 3, 2)


def voices(db: Path, brands: tuple[str, ...] = ("Acme",)) -> set[tuple[str, str, int]]:
    with read_connection(db) as con:
        df = browse.top_voices(con, Scope(brands, DAY, DAY), limit=10)
    return {(r.dimension, r.name, int(r.mentions)) for r in df.itertuples()}


ROWS = [
    Row(at("2026-03-02", 9), ["Acme"], author="ann", extra={"subreddit": "gadgets"}),
    Row(at("2026-03-02", 10), ["Acme", "Globex"], author="bob", url="https://www.News.example/a"),
    Row(at("2026-03-02", 11), ["Acme"], author="ann", extra={"domain": "Blog.example"}),
]
EXPECTED = {
    ("author", "ann", 2),
    ("author", "bob", 1),
    ("subreddit", "gadgets", 1),
    ("site", "news.example", 1),
    ("site", "blog.example", 1),
}


def test_written_matches_carry_author_and_channel(db_path: Path) -> None:
    seed(db_path, ROWS)
    assert voices(db_path) == EXPECTED
    # Two brands in scope: the mention naming both still counts once.
    assert voices(db_path, ("Acme", "Globex")) == EXPECTED


def test_an_updated_mention_updates_its_copies(db_path: Path) -> None:
    seed(db_path, ROWS)
    changed = [*ROWS]
    changed[0] = Row(at("2026-03-02", 9), ["Acme"], author="cy", extra={"subreddit": "phones"})
    seed(db_path, changed)
    assert voices(db_path) == (EXPECTED - {("author", "ann", 2), ("subreddit", "gadgets", 1)}) | {
        ("author", "ann", 1),
        ("author", "cy", 1),
        ("subreddit", "phones", 1),
    }


def test_migration_7_fills_the_copies_of_older_rows(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    try:
        # A database as version 6 left it, with one mention in a subreddit, one on a site.
        apply_migrations_up_to(con, 6)
        con.execute(
            """
            INSERT INTO mentions (id, source, native_id, url, author, title, text,
                                  published_at, collected_at, extra)
            VALUES ('a', 'reddit', 'a', NULL, 'ann', '', '', TIMESTAMPTZ '2026-03-02 09:00Z',
                    now(), '{"subreddit": "gadgets"}'),
                   ('b', 'news', 'b', 'https://www.News.example:443/x', 'bob', '', '',
                    TIMESTAMPTZ '2026-03-02 10:00Z', now(), NULL)
            """
        )
        con.execute(
            "INSERT INTO mention_brands (mention_id, brand, published_at, source)"
            " SELECT id, 'Acme', published_at, source FROM mentions"
        )
        migrate(con)
        rows = con.execute(
            "SELECT mention_id, author, channel_kind, channel FROM mention_brands ORDER BY 1"
        ).fetchall()
    finally:
        con.close()
    assert rows == [("a", "ann", "subreddit", "gadgets"), ("b", "bob", "site", "news.example")]
