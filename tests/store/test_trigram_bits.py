"""Trigram bits never leave out a match: a search through them finds what ILIKE alone finds.

The bits only narrow which texts a search reads (store/trigram_bits.py). Every test here
compares the narrowed search with the plain ILIKE over the same real DuckDB file, on texts
chosen to break a careless lowercase: dotted capitals, the Kelvin sign, ligatures, final
sigma, emoji, wildcards, line breaks, and texts long enough to set most bits.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
from brandpulse.store import browse, trigram_bits
from brandpulse.store.connection import read_connection, write_connection
from brandpulse.store.records import Mention, mention_id
from brandpulse.store.schema import migrate
from brandpulse.store.scope import Scope
from brandpulse.store.sql import one
from brandpulse.store.writes import transaction, upsert_mentions

from tests.reports.seed import Row, seed
from tests.store.old_schema import apply_migrations_up_to

START = datetime(2026, 5, 1, tzinfo=UTC)
SCOPE = Scope(first=date(2026, 5, 1), last=date(2026, 5, 3))

AWKWARD = [
    "İSTANBUL office opens",
    "Cooled to 300\u212a, said the lab",  # the Kelvin sign, which DuckDB lowers to k
    "Straße closed; STRASSE open",
    "naïve café résumé at the ﬁle",  # a ligature
    "ΟΔΥΣΣΕΥΣ and ΣΊΣΥΦΟΣ",  # final sigma
    "emoji 🚀 launch 🚀🚀",
    "100% done_with it",
    "back\\slash path",
    "multi\nline\ttext with\r\nbreaks",
    "ǅungla Ǆ digraphs",
    "MiXeD CaSe BrAnD NaMe",
]


def vocabulary_text(rnd: random.Random, words: int) -> str:
    vocab = ["battery", "recall", "Acme", "phone", "great", "support", "delay", "refund"]
    return " ".join(rnd.choice(vocab) + rnd.choice(["", "s", "ing", "!"]) for _ in range(words))


def texts() -> list[str]:
    rnd = random.Random(11)
    made = list(AWKWARD)
    made += [vocabulary_text(rnd, rnd.randint(3, 30)) for _ in range(40)]
    made.append(vocabulary_text(rnd, 600))  # long enough to set most bits
    return made


def queries(all_texts: list[str]) -> list[str]:
    """Return search words: pieces of every text in several cases, and some misses."""
    rnd = random.Random(5)
    found = ["zzzq", "%", "_", "\\", "ß", "SS", "ς", "Σ", "k", "K", "\u212a", "i̇"]
    found += ["istanbul", "ISTANBUL", "300k,", "300K"]  # match the dotted I and Kelvin sign
    for text in all_texts:
        for _ in range(6):
            start = rnd.randrange(len(text))
            piece = text[start : start + rnd.randint(1, 9)]
            for cased in (piece, piece.upper(), piece.lower(), piece.swapcase()):
                found += cased.split()
    return sorted(set(found))


def stored(tmp_path: Path, all_texts: list[str]) -> Path:
    db = tmp_path / "bits.duckdb"
    rows = [
        Row(START + timedelta(minutes=7 * n), ["Acme"], text=text, title=f"Post {n}")
        for n, text in enumerate(all_texts)
    ]
    seed(db, rows)
    return db


def matched_ids(con: duckdb.DuckDBPyConnection, scope: Scope) -> set[str]:
    sql, params = scope.search_matches()
    return {r[0] for r in con.execute(sql, params).fetchall()}


def test_every_character_duckdb_lowers_to_ascii_folds_to_that_character() -> None:
    con = duckdb.connect()
    rows = con.execute(
        "SELECT i, lower(chr(i::INTEGER)) FROM range(1, 1114112) t(i) WHERE i < 55296 OR i > 57343"
    ).fetchall()
    to_ascii = {i: low for i, low in rows if len(low) == 1 and low.isascii()}
    assert 0x130 in to_ascii and 0x212A in to_ascii  # the two that are not ASCII themselves
    wrong = {hex(i): low for i, low in to_ascii.items() if trigram_bits.fold(chr(i)) != low}
    assert not wrong


def test_a_search_through_the_bits_finds_exactly_what_ilike_finds(tmp_path: Path) -> None:
    all_texts = texts()
    db = stored(tmp_path, all_texts)
    words = queries(all_texts)
    assert len(words) > 300
    with read_connection(db) as con:
        total = one(con, "SELECT count(*) FROM mentions")[0]
        narrowed = 0
        for word in words:
            plain = replace(SCOPE, search=word)
            through_bits = replace(plain, prefilter=True)
            assert matched_ids(con, through_bits) == matched_ids(con, plain), word
            mask = trigram_bits.search_mask([word])
            if mask is not None:
                sql = f"SELECT count(*) FROM mentions c WHERE {trigram_bits.condition('c', mask)}"
                narrowed += one(con, sql)[0] < total
        # The comparison means something only if the bits do leave texts out.
        assert narrowed > len(words) // 2
        two_words = replace(SCOPE, search="BATTERY recall", prefilter=True)
        assert matched_ids(con, two_words) == matched_ids(con, replace(two_words, prefilter=False))


def test_mentions_stored_without_bits_are_still_found_and_fill_gives_them_the_written_bits(
    tmp_path: Path,
) -> None:
    db = stored(tmp_path, texts())
    columns = ", ".join(trigram_bits.COLUMNS)
    with write_connection(db) as con:
        written = con.execute(f"SELECT id, {columns} FROM mentions ORDER BY id").fetchall()
        con.execute(f"UPDATE mentions SET {', '.join(f'{c} = NULL' for c in trigram_bits.COLUMNS)}")
        scope = replace(SCOPE, search="İstanbul", prefilter=True)
        assert len(matched_ids(con, scope)) == 1
        assert trigram_bits.fill(con, 10) == 10
        assert trigram_bits.fill(con, 1_000) == len(written) - 10
        assert trigram_bits.fill(con, 1_000) == 0
        assert con.execute(f"SELECT id, {columns} FROM mentions ORDER BY id").fetchall() == written


def test_a_changed_text_gets_new_bits(tmp_path: Path) -> None:
    db = tmp_path / "changed.duckdb"

    def mention(text: str) -> Mention:
        return Mention(
            id=mention_id("test", "one"),
            source="test",
            native_id="one",
            url=None,
            author="a",
            title="",
            text=text,
            published_at=START,
            collected_at=START,
        )

    with write_connection(db) as con, transaction(con):
        upsert_mentions(con, [mention("the old wording")])
    with write_connection(db) as con, transaction(con):
        assert upsert_mentions(con, [mention("a quieter phrasing")]) == (0, 1)
    with read_connection(db) as con:
        assert matched_ids(con, replace(SCOPE, search="quieter", prefilter=True))
        assert not matched_ids(con, replace(SCOPE, search="wording", prefilter=True))


def test_the_bits_are_used_only_where_they_leave_at_most_half_the_texts(tmp_path: Path) -> None:
    db = stored(tmp_path, texts())
    with read_connection(db) as con:
        assert browse.plan_search(con, replace(SCOPE, search="İstanbul")).prefilter
        assert not browse.plan_search(con, replace(SCOPE, search="Post")).prefilter  # titles
        assert not browse.plan_search(con, replace(SCOPE, search="🚀")).prefilter  # no ASCII
        for word in ("İstanbul", "Post", "battery", "zzzq"):
            scope = replace(SCOPE, search=word)
            assert browse.count_mentions(con, scope) == len(matched_ids(con, scope))


def test_pages_through_the_bits_are_the_newest_matches(tmp_path: Path) -> None:
    db = stored(tmp_path, texts())
    with read_connection(db) as con:
        for word in ("refund", "İstanbul", "Post", "zzzq"):
            plain = replace(SCOPE, search=word)
            found = matched_ids(con, plain)  # ILIKE alone: plain scopes never use the bits
            newest = con.execute(
                "SELECT id FROM mentions WHERE id IN (SELECT unnest(?::VARCHAR[]))"
                " ORDER BY published_at DESC, id DESC LIMIT 5",
                [sorted(found)],
            ).fetchall()
            page = browse.mention_page(con, replace(plain, prefilter=True), limit=5, fanout=1)
            assert page["id"].tolist() == [r[0] for r in newest]


def test_migration_11_gives_the_mentions_stored_before_it_their_bits(tmp_path: Path) -> None:
    titles, bodies = ["İSTANBUL office", "", "Post"], ["Battery recall", "", "x" * 5000]
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    try:
        apply_migrations_up_to(con, 10)
        for n, (title, text) in enumerate(zip(titles, bodies, strict=True)):
            con.execute(
                "INSERT INTO mentions (id, source, native_id, title, text, published_at,"
                " collected_at) VALUES (?, 'news', ?, ?, ?, now(), now())",
                [f"m{n}", str(n), title, text],
            )
        migrate(con)
        got = con.execute(
            f"SELECT {', '.join(trigram_bits.COLUMNS)} FROM mentions ORDER BY id"
        ).fetchall()
    finally:
        con.close()
    written = trigram_bits.with_bits(pa.table({"title": titles, "text": bodies}))
    assert got == [tuple(row[c] for c in trigram_bits.COLUMNS) for row in written.to_pylist()]
    assert any(got[0]) and not any(got[1])  # an empty text has no pieces
