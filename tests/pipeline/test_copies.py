"""Syndicated copies of one story are grouped at write time and can count once."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from brandpulse.analysis.copies import signature, similarity
from brandpulse.store import analytics
from brandpulse.store import copies as store_copies
from brandpulse.store.connection import read_connection, write_connection
from brandpulse.store.records import Mention, RunReport, mention_id
from brandpulse.store.scope import Scope
from brandpulse.store.sql import copies_once
from brandpulse.store.writes import transaction

from brandpulse.cli import main
from brandpulse.config import Secrets, parse_config
from brandpulse.pipeline import store_mentions

CONFIG = """\
[settings]
database = "bp.duckdb"

[[brands]]
name = "Norvelo"
keywords = ["norvelo"]
"""

STORY = (
    "Norvelo recalls 4,000 City 3 e-bikes after a fault in the rear hub motor was found"
    " during winter tests in Utrecht; owners can book a free repair at any dealer from Monday."
)
OTHER = (
    "Norvelo opens its first flagship store in Ghent with test rides, a repair corner"
    " and a cafe for commuters waiting on a service."
)
NOW = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)


def _mention(n: int, text: str, title: str = "", hours: int = 0, source: str = "news") -> Mention:
    return Mention(
        id=mention_id("test", str(n)),
        source=source,
        native_id=str(n),
        url=f"https://site{n}.example/story",
        author=f"desk{n}",
        title=title,
        text=text,
        published_at=NOW + timedelta(hours=hours),
        collected_at=NOW + timedelta(days=1),
    )


def _store(
    tmp_path: Path, batches: list[list[Mention]], database: str = "bp.duckdb"
) -> tuple[Path, Path]:
    path = tmp_path / "brands.toml"
    text = CONFIG.replace('"bp.duckdb"', json.dumps(database))
    path.write_text(text, encoding="utf-8")
    config = parse_config(text, path)
    for batch in batches:
        store_mentions(config.settings.database, config, Secrets(), batch, RunReport("feeds"))
    return path, config.settings.database


def _counted(db: Path) -> int:
    today = datetime.now(UTC).date()
    with read_connection(db) as con:
        scope = Scope(("Norvelo",), today - timedelta(days=9), today)
        frame = analytics.daily_volume(con, scope)
    return int(frame["mentions"].sum())


def test_signatures_estimate_how_alike_two_texts_are() -> None:
    a, b = signature(STORY), signature(STORY.replace("Monday", "Tuesday") + " (Wire)")
    c = signature(OTHER)
    assert a is not None and b is not None and c is not None
    assert similarity(a, b) >= 0.8 > 0.2 > similarity(a, c)
    assert signature("Love my new Norvelo!") is None  # too short to be a story


@pytest.fixture
def database() -> str:
    """The [settings] database the copies are stored in (the lake's twin of these tests
    gives a lake)."""
    return "bp.duckdb"


@pytest.fixture
def stored(tmp_path: Path, database: str) -> tuple[Path, Path, list[str]]:
    wire = [
        _mention(1, STORY, "Norvelo recalls City 3 e-bikes", hours=0),
        # The same wire story on other feeds: another headline, a link, a credit line.
        _mention(2, STORY + " https://wire.example/a1 (Wire)", "Recall at Norvelo", hours=3),
        _mention(3, "RT @velodaily " + STORY, source="bluesky", hours=5),
    ]
    later = [
        _mention(4, STORY.replace("Monday", "Tuesday"), "Norvelo recall widens", hours=20),
        _mention(5, OTHER, "A store in Ghent", hours=21),
        _mention(6, "Love my new Norvelo!", hours=22),
        _mention(7, "Love my new Norvelo!", hours=23),
    ]
    # Two collections: copies are found within a batch and against what is stored.
    config, db = _store(tmp_path, [wire, later], database)
    return config, db, [m.id for m in wire + later]


def test_copies_of_a_story_form_one_group_with_its_size(
    stored: tuple[Path, Path, list[str]],
) -> None:
    _, db, ids = stored
    with read_connection(db) as con:
        sizes = store_copies.group_sizes(con, ids)
        stories, copies = store_copies.copy_summary(con)
    assert sizes == {ids[0]: 4, ids[1]: 4, ids[2]: 4, ids[3]: 4}
    assert (stories, copies) == (1, 3)


def test_count_copies_once_counts_the_story_once(stored: tuple[Path, Path, list[str]]) -> None:
    _, db, _ = stored
    assert _counted(db) == 7
    with copies_once():
        assert _counted(db) == 4  # the story once, the store, two short posts
    assert _counted(db) == 7


def test_reanalysis_keeps_copies_and_erasing_the_original_frees_its_copies(
    stored: tuple[Path, Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    config, db, ids = stored
    assert main(["analyze", "--rescore", "--config", str(config)]) == 0
    with copies_once():
        assert _counted(db) == 4
    with write_connection(db) as con, transaction(con):
        con.execute("UPDATE mentions SET author = 'gone' WHERE id = ?", [ids[0]])
    assert main(["forget", "--author", "gone", "--config", str(config)]) == 0
    capsys.readouterr()
    with copies_once():
        # Never fewer than were said: the erased original's copies count on their own.
        assert _counted(db) == 6


def test_export_option_counts_copies_once_and_rows_name_their_original(
    stored: tuple[Path, Path, list[str]], tmp_path: Path
) -> None:
    config, _, ids = stored
    every, once = tmp_path / "every.csv", tmp_path / "once.csv"
    base = ["export", "--config", str(config), "--what", "mentions", "--format", "csv"]
    assert main([*base, "-o", str(every)]) == 0
    assert main([*base, "--copies-once", "-o", str(once)]) == 0
    with every.open(encoding="utf-8") as a, once.open(encoding="utf-8") as b:
        all_rows, once_rows = list(csv.DictReader(a)), list(csv.DictReader(b))
    assert len(all_rows) == 7 and len(once_rows) == 4
    copy_of = {r["id"]: r["copy_of"] for r in all_rows}
    assert copy_of[ids[1]] == copy_of[ids[2]] == copy_of[ids[3]] == ids[0]
    assert copy_of[ids[0]] == copy_of[ids[4]] == ""
