"""Idempotent batch upserts: re-collecting never duplicates, changes update in place."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from brandpulse.store.connection import read_connection, write_connection
from brandpulse.store.queries import data_version
from brandpulse.store.records import Mention, RunReport, mention_id
from brandpulse.store.writes import record_run, save_state, transaction, upsert_mentions
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.store.factories import make_mention


def count(db: Path, sql: str = "SELECT count(*) FROM mentions") -> int:
    with read_connection(db) as con:
        row = con.execute(sql).fetchone()
    assert row is not None
    return int(row[0])


def test_first_upsert_reports_every_mention_as_new(db_path: Path) -> None:
    mentions = [make_mention(n) for n in range(50)]
    with write_connection(db_path) as con:
        assert upsert_mentions(con, mentions) == (50, 0)
    assert count(db_path) == 50


def test_second_collect_adds_nothing(db_path: Path) -> None:
    mentions = [make_mention(n) for n in range(50)]
    with write_connection(db_path) as con:
        upsert_mentions(con, mentions)
        version = data_version(con)
        assert upsert_mentions(con, mentions) == (0, 0)
        # Nothing changed, so cached dashboard results stay valid.
        assert data_version(con) == version
    assert count(db_path) == 50


def test_changed_score_or_text_updates_in_place(db_path: Path) -> None:
    original = [make_mention(n) for n in range(10)]
    edited = [dataclasses.replace(original[3], score=999, text="edited text")]
    edited.append(dataclasses.replace(original[4], title="new title"))
    with write_connection(db_path) as con:
        upsert_mentions(con, original)
        assert upsert_mentions(con, edited + original[5:]) == (0, 2)
        row = con.execute(
            "SELECT score, text FROM mentions WHERE id = ?", [original[3].id]
        ).fetchone()
    assert row == (999, "edited text")
    assert count(db_path) == 10


def test_update_keeps_first_published_time(db_path: Path) -> None:
    """A feed entry without a date gets the collection time; a later fetch must not move it."""
    first = make_mention(1)
    later = dataclasses.replace(
        first, published_at=first.published_at + timedelta(days=3), score=(first.score or 0) + 1
    )
    with write_connection(db_path) as con:
        upsert_mentions(con, [first])
        upsert_mentions(con, [later])
        row = con.execute("SELECT published_at FROM mentions").fetchone()
    assert row is not None and row[0] == first.published_at


def test_repeated_id_within_one_batch_keeps_the_last(db_path: Path) -> None:
    a = make_mention(1)
    b = dataclasses.replace(a, text="second version")
    with write_connection(db_path) as con:
        assert upsert_mentions(con, [a, b]) == (1, 0)
        row = con.execute("SELECT text FROM mentions").fetchone()
    assert row == ("second version",)


def test_mention_rejects_naive_times() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        make_mention(1, published_at=datetime(2026, 1, 1))


def test_mention_normalises_offsets_to_utc() -> None:
    from zoneinfo import ZoneInfo

    local = datetime(2026, 1, 1, 9, 0, tzinfo=ZoneInfo("Europe/Paris"))
    assert make_mention(1, published_at=local).published_at == datetime(
        2026, 1, 1, 8, 0, tzinfo=UTC
    )


def test_mention_id_is_stable_and_namespaced() -> None:
    assert mention_id("reddit", "t3_x") == mention_id("reddit", "t3_x")
    assert mention_id("reddit", "t3_x") != mention_id("feed", "t3_x")
    assert mention_id("reddit", "t3_x").startswith("reddit-")


def test_runs_and_state_are_recorded(db_path: Path) -> None:
    report = RunReport(source="feeds", fetched=3, new=2)
    report.error("https://example.com/feed: HTTP 500")
    with write_connection(db_path) as con, transaction(con):
        run_id = record_run(con, report)
        save_state(con, "feeds", {"https://example.com/feed": {"etag": '"abc"'}})
        save_state(con, "feeds", {"https://example.com/feed": {"etag": '"def"'}})
    with read_connection(db_path) as con:
        row = con.execute(
            "SELECT source, status, fetched, errors FROM collection_runs WHERE run_id = ?",
            [run_id],
        ).fetchone()
        state = con.execute("SELECT key, value FROM source_state").fetchall()
    assert row == ("feeds", "partial", 3, ["https://example.com/feed: HTTP 500"])
    assert [(k, json.loads(v)) for k, v in state] == [
        ("https://example.com/feed", {"etag": '"def"'})
    ]


def test_failed_transaction_leaves_nothing(db_path: Path) -> None:
    with write_connection(db_path) as con, pytest.raises(RuntimeError), transaction(con):
        upsert_mentions(con, [make_mention(n) for n in range(5)])
        raise RuntimeError("collector crashed after the upsert")
    assert count(db_path) == 0


texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=80
)
optional_ints = st.one_of(st.none(), st.integers(min_value=-(2**62), max_value=2**62))
extras = st.dictionaries(st.text(max_size=10), st.one_of(texts, st.integers()), max_size=3)
times = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


@st.composite
def mentions(draw: st.DrawFn) -> Mention:
    native = draw(st.text(min_size=1, max_size=30))
    return Mention(
        id=mention_id("prop", native),
        source=draw(st.sampled_from(["reddit", "news", "blog"])),
        native_id=native,
        url=draw(st.one_of(st.none(), texts)),
        author=draw(st.one_of(st.none(), texts)),
        title=draw(texts),
        text=draw(texts),
        published_at=draw(times),
        collected_at=draw(times),
        score=draw(optional_ints),
        comments=draw(optional_ints),
        extra=draw(
            st.dictionaries(st.text(max_size=10), st.one_of(texts, st.integers()), max_size=3)
        ),
    )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batch=st.lists(mentions(), max_size=20, unique_by=lambda m: m.id))
def test_round_trip_preserves_every_field(tmp_path: Path, batch: list[Mention]) -> None:
    db = tmp_path / f"rt-{len(list(tmp_path.iterdir()))}.duckdb"
    with write_connection(db) as con:
        assert upsert_mentions(con, batch) == (len(batch), 0)
        rows = con.execute(
            "SELECT id, source, native_id, url, author, title, text, published_at, collected_at,"
            " score, comments, extra FROM mentions"
        ).fetchall()
    back = {
        row[0]: Mention(*row[:11], extra=json.loads(row[11]) if row[11] else {})  # type: ignore[misc]
        for row in rows
    }
    assert back == {m.id: m for m in batch}
