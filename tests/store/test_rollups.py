"""The hourly rollup stays exact through every kind of write, and readers use it only when exact."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pytest
from brandpulse.store import rollups, trends, triage
from brandpulse.store.connection import read_connection, write_connection
from brandpulse.store.erasure import forget_author, prune_before
from brandpulse.store.records import RelevanceScore
from brandpulse.store.relevance import UNRELATED, set_mark, write_relevance
from brandpulse.store.scope import Scope
from brandpulse.store.writes import correct_sentiment, transaction

from tests.reports.seed import Row, at, seed

ROWS = [
    Row(at("2026-03-01", 8), ["Acme"], "positive", score=3, author="ann"),
    Row(at("2026-03-01", 8), ["Acme", "Globex"], "negative", score=5, author="bob"),
    Row(at("2026-03-02", 23), ["Globex"], "neutral", score=1, source="news", author="cy"),
    Row(at("2026-03-03", 0), ["Acme"], "neutral", score=2, author="ann"),
    Row(at("2026-03-04", 13), ["Acme"], "negative", score=8, author="dee"),
]

Write = Callable[[duckdb.DuckDBPyConnection, list[str]], object]
WRITES: dict[str, Write] = {
    "correction": lambda con, ids: correct_sentiment(con, ids[0], "negative"),
    "relabel": lambda con, ids: triage.relabel(con, ids[2:4], "positive", "ana"),
    "mark": lambda con, ids: set_mark(con, ids[1], "Acme", UNRELATED, "ana"),
    "not about us": lambda con, ids: triage.mark_not_about_us(con, ids[3:], "ana"),
    "relevance": lambda con, ids: write_relevance(
        con, [RelevanceScore(ids[4], "Acme", 0.1, False, "t1")]
    ),
    "forget": lambda con, ids: forget_author(con, "ann", None, ["x"]),
    "prune": lambda con, ids: prune_before(con, at("2026-03-02")),
}


def daily(db: Path, scope: Scope) -> list[tuple[date, str, int, int, int]]:
    with read_connection(db) as con:
        df = trends.daily_volume(con, scope)
    return [
        (r.period, r.brand, int(r.mentions), int(r.negative), int(r.engagement))
        for r in df.itertuples()
    ]


@pytest.mark.parametrize("kind", list(WRITES))
def test_every_write_keeps_the_rollup_exact(db_path: Path, kind: str) -> None:
    ids = seed(db_path, ROWS)
    with write_connection(db_path) as con, transaction(con):
        WRITES[kind](con, ids)
    with read_connection(db_path) as con:
        assert con.execute("SELECT count(*) FROM brand_hours").fetchall()[0][0] > 0
        assert rollups.stale_hours(con) == 0
    # The rollup's answer equals the rows' answer (a search for "" forces the rows).
    scope = Scope(("Acme", "Globex"), date(2026, 3, 1), date(2026, 3, 4), "Europe/Paris")
    assert rollups.usable(scope)
    raw = replace(scope, search=" ")
    assert daily(db_path, scope) == daily(db_path, raw)


def test_reanalysis_and_engagement_updates_keep_it_exact(db_path: Path) -> None:
    seed(db_path, ROWS)
    changed = [replace(r, score=r.score + 10, label="positive") for r in ROWS]
    seed(db_path, changed)
    with read_connection(db_path) as con:
        assert rollups.stale_hours(con) == 0
        total = con.execute("SELECT sum(engagement) FROM brand_hours").fetchall()[0][0]
    assert total == sum(r.score + 10 for r in ROWS for _ in r.brands)


@pytest.mark.parametrize(
    ("scope", "usable"),
    [
        (Scope(("Acme",), date(2026, 3, 1), date(2026, 3, 31), "Europe/Paris"), True),
        (Scope((), date(2026, 3, 1), date(2026, 3, 31), "America/St_Johns"), False),
        (Scope((), date(2026, 3, 1), date(2026, 3, 31), "Asia/Kathmandu"), False),
        (Scope((), date(2026, 3, 1), date(2026, 3, 31), languages=("en",)), False),
        (Scope((), date(2026, 3, 1), date(2026, 3, 31), tags=("press",)), False),
        (Scope((), date(2026, 3, 1), date(2026, 3, 31), unread_by="ana"), False),
        (Scope((), None, date(2026, 3, 31)), False),
    ],
)
def test_readers_use_the_rollup_only_where_it_is_exact(scope: Scope, usable: bool) -> None:
    assert rollups.usable(scope) is usable
    assert rollups.rows_of(scope)[0] == ("brand_hours" if usable else "mention_brands")


def test_local_days_of_odd_zones_still_count_right(db_path: Path) -> None:
    # 18:30 UTC on 2 March is 00:15 on 3 March in Kathmandu (+05:45), but its UTC hour
    # starts at 23:45 on 2 March there: the rows decide, not the hours.
    seed(db_path, [Row(datetime(2026, 3, 2, 18, 30, tzinfo=UTC), ["Globex"])])
    got = daily(db_path, Scope(("Globex",), date(2026, 3, 2), date(2026, 3, 3), "Asia/Kathmandu"))
    assert [(d, n) for d, _, n, _, _ in got] == [(date(2026, 3, 2), 0), (date(2026, 3, 3), 1)]
