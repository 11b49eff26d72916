"""Writes that are upserts on a file (corrections, relevance marks, the alert outbox) keep
one row per key on a lake too."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from brandpulse.store import learning, triage
from brandpulse.store.connection import read_connection, write_connection
from brandpulse.store.outbox import Outgoing, enqueue
from brandpulse.store.records import RunReport
from brandpulse.store.relevance import set_mark
from brandpulse.store.writes import correct_sentiment, transaction

from brandpulse.config import Secrets, parse_config
from brandpulse.pipeline import store_mentions
from tests.lake.collector import mention


def test_corrections_marks_and_outbox_keep_one_row_per_key(lake_db: Path, tmp_path: Path) -> None:
    config = parse_config('[[brands]]\nname = "Acme"\n', tmp_path / "brands.toml")
    stored = mention("news", 1)
    store_mentions(lake_db, config, Secrets(), [stored], RunReport(source="news"))
    with write_connection(lake_db) as con:
        scorer = con.execute("SELECT label FROM sentiments").fetchall()[0][0]
        other = "negative" if scorer != "negative" else "positive"
        with transaction(con):
            assert correct_sentiment(con, stored.id, other)
        with transaction(con):
            assert correct_sentiment(con, stored.id, "neutral")
        with transaction(con):
            assert set_mark(con, stored.id, "Acme", "unrelated")
        with transaction(con):
            assert set_mark(con, stored.id, "Acme", "related", who="ann")
        now = datetime.now(UTC)
        item = Outgoing(
            key="ops/inc-1/open:high",
            channel="ops",
            kind="incident",
            subject="Acme spike",
            payload={"n": 1},
            incident_id="inc-1",
            state="open:high",
        )
        with transaction(con):
            assert enqueue(con, [item], now) == 1
        with transaction(con):
            assert enqueue(con, [item], now) == 0
    with read_connection(lake_db) as con:
        corrections = con.execute(
            "SELECT label, scorer_label FROM sentiment_corrections"
        ).fetchall()
        shown = con.execute("SELECT label FROM mention_brands").fetchall()
        marks = con.execute("SELECT label, marked_by FROM relevance_marks").fetchall()
        queued = con.execute("SELECT count(*) FROM alert_outbox").fetchall()
    assert corrections == [("neutral", scorer)]
    assert shown == [("neutral",)]
    assert marks == [("related", "ann")]
    assert queued == [(1,)]


def test_confirming_labels_on_a_lake_keeps_the_teams_correction(
    lake_db: Path, tmp_path: Path
) -> None:
    config = parse_config('[[brands]]\nname = "Acme"\n', tmp_path / "brands.toml")
    first, second = mention("news", 1), mention("news", 2)
    store_mentions(lake_db, config, Secrets(), [first, second], RunReport(source="news"))
    with write_connection(lake_db) as con:
        labels = dict(con.execute("SELECT mention_id, label FROM sentiments").fetchall())
        other = "negative" if labels[first.id] != "negative" else "positive"
        with transaction(con):
            assert correct_sentiment(con, first.id, other)
        with transaction(con):
            assert triage.confirm_labels(con, [first.id, second.id], "ann") == 1
    with read_connection(lake_db) as con:
        saved = dict(con.execute("SELECT mention_id, label FROM sentiment_corrections").fetchall())
        counts = learning.correction_counts(con)
        actions = con.execute("SELECT mention_id, actor, action FROM triage_audit").fetchall()
    assert saved == {first.id: other, second.id: labels[second.id]}
    assert counts == (2, 1)
    assert actions == [(second.id, "ann", "sentiment confirmed")]
