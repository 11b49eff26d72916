"""The fast inbox and top-voices reads answer exactly what the plain queries answer.

Each fast path (the `shared` flag of migration 9, counts that group only shared matches,
pages read newest slice first, authors and channels counted apart) is compared with a
plain query over the same rows, after every kind of write.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from brandpulse.store import browse, triage
from brandpulse.store.connection import read_connection, write_connection
from brandpulse.store.schema import migrate
from brandpulse.store.scope import Scope
from brandpulse.store.writes import transaction

from tests.reports.seed import Row, seed
from tests.store.old_schema import apply_migrations_up_to
from tests.store.test_rollups import WRITES

BRANDS = ("Acme", "Globex", "Initech")
START = datetime(2026, 3, 1, tzinfo=UTC)


def rows() -> list[Row]:
    """Return 120 mentions over four days: a third name two or three brands."""
    rnd = random.Random(3)
    made = []
    for _ in range(120):
        named = rnd.sample(BRANDS, rnd.choice([1, 1, 2, 3]))
        where = rnd.choice([{"subreddit": f"sub{rnd.randint(1, 4)}"}, {"domain": "a.example"}])
        made.append(
            Row(
                START + timedelta(minutes=rnd.randint(0, 4 * 24 * 60)),
                named,
                rnd.choice(["positive", "negative", "neutral"]),
                score=rnd.randint(0, 9),
                author=rnd.choice(["ann", "bob", "cy", "dee", "", None]),
                text=rnd.choice(["battery recall", "great phone", "Battery fine", "meh"]),
                extra=where,
            )
        )
    return made


def triaged(db: Path, ids: list[str]) -> None:
    with write_connection(db) as con, transaction(con):
        triage.mark_read(con, ids[::3], "ana")
        triage.tag(con, ids[::4], "press", "ana")
        triage.assign(con, ids[::5], "bo", "ana")
        triage.set_status(con, ids[::7], "done", "ana")
        triage.set_status(con, ids[1::6], "in progress", "ana")


SCOPES = {
    "all": Scope(first=date(2026, 3, 1), last=date(2026, 3, 4)),
    "one brand": Scope(("Acme",), date(2026, 3, 1), date(2026, 3, 4), "Europe/Paris"),
    "two brands": Scope(("Acme", "Globex"), date(2026, 3, 2), date(2026, 3, 4)),
    "open end": Scope(("Globex",), date(2026, 3, 2)),
    "unread": Scope(first=date(2026, 3, 1), last=date(2026, 3, 4), unread_by="ana"),
    "tag": Scope(first=date(2026, 3, 1), last=date(2026, 3, 4), tags=("press",)),
    "assignee": Scope(first=date(2026, 3, 1), last=date(2026, 3, 4), assignees=("bo",)),
    "new or done": Scope(first=date(2026, 3, 1), last=date(2026, 3, 4), statuses=("new", "done")),
    "done": Scope(("Acme",), date(2026, 3, 1), date(2026, 3, 4), statuses=("done",)),
    "nobody's": Scope(first=date(2026, 3, 1), last=date(2026, 3, 4), assignees=("",)),
    "triaged": Scope(
        first=date(2026, 3, 2),
        last=date(2026, 3, 3),
        unread_by="ana",
        statuses=("new",),
        assignees=("bo",),
    ),
    "search": Scope(("Acme", "Initech"), date(2026, 3, 1), date(2026, 3, 4), search="battery"),
    "none match": Scope(first=date(2026, 3, 1), last=date(2026, 3, 4), search="nothing"),
}


def plain_count(con: duckdb.DuckDBPyConnection, scope: Scope) -> int:
    where, params = scope.where()
    sql = f"SELECT count(DISTINCT b.mention_id) FROM mention_brands b WHERE {where}"
    return int(con.execute(sql, params).fetchall()[0][0])


def plain_order(con: duckdb.DuckDBPyConnection, scope: Scope) -> list[str]:
    where, params = scope.where()
    sql = (
        f"SELECT b.mention_id, max(b.published_at) AS t FROM mention_brands b WHERE {where}"
        " GROUP BY 1 ORDER BY t DESC, b.mention_id DESC"
    )
    return [r[0] for r in con.execute(sql, params).fetchall()]


def triage_ids(con: duckdb.DuckDBPyConnection, scope: Scope) -> list[str]:
    """Return the scope's ids newest first, its triage filters applied in Python."""
    untriaged = replace(scope, statuses=(), tags=(), assignees=(), unread_by=None)
    read = {
        r[0]
        for r in con.execute("SELECT mention_id FROM mention_reads WHERE person = 'ana'").fetchall()
    }
    tagged = {r[0] for r in con.execute("SELECT mention_id FROM mention_tags").fetchall()}
    state = {
        r[0]: (r[1], r[2] or "")
        for r in con.execute("SELECT mention_id, status, assignee FROM triage").fetchall()
    }
    return [
        i
        for i in plain_order(con, untriaged)
        if (scope.unread_by is None or i not in read)
        and (not scope.tags or i in tagged)
        and (not scope.statuses or state.get(i, ("new", ""))[0] in scope.statuses)
        and (not scope.assignees or state.get(i, ("new", ""))[1] in scope.assignees)
    ]


def plain_voices(con: duckdb.DuckDBPyConnection, scope: Scope) -> list[tuple[str, str, int, int]]:
    where, params = scope.where()
    counted = con.execute(
        f"""
        WITH one AS (
            SELECT any_value(author) AS author, any_value(channel_kind) AS kind,
                   any_value(channel) AS channel, any_value(engagement) AS engagement
            FROM mention_brands b WHERE {where} GROUP BY b.mention_id
        )
        SELECT 'author', author, count(*), sum(engagement) FROM one
        WHERE author <> '' GROUP BY author
        UNION ALL
        SELECT kind, channel, count(*), sum(engagement) FROM one
        WHERE channel <> '' GROUP BY kind, channel
        """,
        params,
    ).fetchall()
    ranked = sorted(counted, key=lambda r: (r[0], -r[2], r[1]))
    best: list[tuple[str, str, int, int]] = []
    for dimension in sorted({r[0] for r in ranked}):
        best += [(d, n, int(c), int(e)) for d, n, c, e in ranked if d == dimension][:2]
    return best


def check(db: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """Compare every fast read with its plain query; return how many scopes had mentions."""
    # Four days: pages are read from slices of one day first, then the whole window.
    filled = 0
    with read_connection(db) as con:
        truth = con.execute(
            "SELECT count(*) FROM mention_brands b WHERE shared IS DISTINCT FROM"
            " (SELECT count(*) > 1 FROM mention_brands o WHERE o.mention_id = b.mention_id)"
        ).fetchall()[0][0]
        assert truth == 0
        for name, scope in SCOPES.items():
            order = plain_order(con, scope)
            assert order == triage_ids(con, scope), name
            filled += bool(order)
            assert browse.count_mentions(con, scope) == plain_count(con, scope) == len(order)
            paged: list[str] = []
            before = None
            while True:
                page = browse.mention_page(con, scope, before=before, limit=7)
                paged += page["id"].tolist()
                if len(page) < 7:
                    break
                before = (page["published_at"].iloc[-1], page["id"].iloc[-1])
            assert paged == order, name
            voices = browse.top_voices(con, scope, 2)
            got = [
                (r.dimension, r.name, int(r.mentions), int(r.engagement))
                for r in voices.itertuples()
            ]
            assert got == plain_voices(con, scope), name
    return filled


def test_fast_reads_equal_the_plain_queries(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = seed(db_path, rows())
    triaged(db_path, ids)
    assert check(db_path, monkeypatch) == len(SCOPES) - 1


@pytest.mark.parametrize("kind", list(WRITES))
def test_every_write_keeps_them_equal(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    ids = seed(db_path, rows())
    triaged(db_path, ids)
    with write_connection(db_path) as con, transaction(con):
        WRITES[kind](con, ids)
    check(db_path, monkeypatch)


def test_reanalysis_that_drops_a_brand_clears_shared(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = rows()
    seed(db_path, made)
    # The same mentions analysed again, each now naming only its first brand.
    seed(db_path, [replace(r, brands=r.brands[:1]) for r in made])
    with read_connection(db_path) as con:
        assert con.execute("SELECT count(*) FROM mention_brands WHERE shared").fetchall() == [(0,)]
    check(db_path, monkeypatch)


def test_migration_9_flags_older_shared_rows_and_dates_reads(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    try:
        apply_migrations_up_to(con, 8)
        con.execute(
            "INSERT INTO mention_brands (mention_id, brand, published_at, source) VALUES"
            " ('a', 'Acme', now(), 'news'), ('a', 'Globex', now(), 'news'),"
            " ('b', 'Acme', now(), 'news')"
        )
        con.execute(
            "INSERT INTO mentions (id, source, native_id, title, text, published_at,"
            " collected_at) VALUES ('a', 'news', 'a', '', '', ?, now())",
            [START],
        )
        con.execute("INSERT INTO mention_reads VALUES ('a', 'ana', now())")
        migrate(con)
        got = con.execute(
            "SELECT mention_id, brand, shared FROM mention_brands ORDER BY 1, 2"
        ).fetchall()
        reads = con.execute("SELECT mention_id, published_at FROM mention_reads").fetchall()
    finally:
        con.close()
    assert got == [("a", "Acme", True), ("a", "Globex", True), ("b", "Acme", False)]
    assert reads == [("a", START)]
