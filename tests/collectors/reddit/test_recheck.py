"""Deleted upstream means deleted here: stored posts and comments younger than
`recheck_days` are re-checked through /api/info, 100 fullnames a request, and those Reddit
shows as deleted or removed, or no longer shows, are erased with all derived from them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from brandpulse.collectors import reddit
from brandpulse.store.connection import read_connection
from brandpulse.store.records import Mention, RunReport, mention_id

from brandpulse import deletions
from brandpulse.cli import main
from brandpulse.config import Secrets
from brandpulse.pipeline import store_mentions
from tests.collectors.reddit.conftest import CREDENTIALS, make_config
from tests.collectors.reddit.make_cassettes import (
    RECHECK_COMMENTS,
    RECHECK_DELETED,
    RECHECK_MISSING,
    RECHECK_POSTS,
    RECHECK_REMOVED,
)
from tests.collectors.reddit.test_collect import LATER, run

GONE = set(RECHECK_DELETED) | set(RECHECK_REMOVED) | RECHECK_MISSING
OLD = "t3_old001"


def stored_items() -> list[Mention]:
    """Return the 150 items as they were stored while Reddit still showed them."""
    names = [f"t3_rc{n:03d}" for n in range(1, RECHECK_POSTS + 1)]
    names += [
        f"t1_rc{n:03d}" for n in range(RECHECK_POSTS + 1, RECHECK_POSTS + RECHECK_COMMENTS + 1)
    ]
    return [item(name, LATER - timedelta(days=1, minutes=n)) for n, name in enumerate(names)]


def item(fullname: str, published: Any) -> Mention:
    return Mention(
        id=mention_id("reddit", fullname),
        source="reddit",
        native_id=fullname,
        url=f"https://www.reddit.com/r/technology/comments/{fullname[3:]}/",
        author="casual_user",
        title="Acme post" if fullname.startswith("t3_") else "",
        text=f"Acme is fine, says {fullname}",
        published_at=published,
        collected_at=published,
    )


def fill(db: Path, config: Any, mentions: list[Mention]) -> None:
    store_mentions(db, config, Secrets(), mentions, RunReport(source="reddit", started_at=LATER))


def stored(db: Path, table: str = "mentions", column: str = "native_id") -> set[str]:
    with read_connection(db) as con:
        return {row[0] for row in con.execute(f"SELECT {column} FROM {table}").fetchall()}


def test_deleted_removed_and_missing_items_are_erased(replay: Any, db_path: Path) -> None:
    server = replay("recheck.json")
    config = make_config(server)
    settings = config.sections["reddit"]
    assert settings.recheck_days == 30
    # One item older than the window: not asked about, kept.
    fill(db_path, config, [*stored_items(), item(OLD, LATER - timedelta(days=40))])
    everything = stored(db_path)
    matched_before = stored(db_path, "mention_brands", "mention_id")
    assert len(everything) == RECHECK_POSTS + RECHECK_COMMENTS + 1
    assert {mention_id("reddit", n) for n in GONE} <= matched_before

    report = RunReport(source="reddit", started_at=LATER)
    client = reddit.open_client(settings, CREDENTIALS)
    gone = deletions.erase_deleted_upstream(db_path, "reddit", reddit, settings, client, report)

    assert gone == GONE
    assert stored(db_path) == everything - GONE
    # What was derived from them (brand matches, labels) went with them.
    assert not {mention_id("reddit", n) for n in GONE} & stored(
        db_path, "mention_brands", "mention_id"
    )
    assert not {mention_id("reddit", n) for n in GONE} & stored(db_path, "sentiments", "mention_id")
    # 150 fullnames in the window: two requests, at most 100 fullnames each, never OLD.
    asked = [dict(s.query)["id"].split(",") for s in server.requests_to("/api/info/")]
    assert [len(ids) for ids in asked] == [100, 50]
    assert OLD not in sum(asked, [])
    (result,) = report.items
    assert (result.name, result.status) == (deletions.TARGET, "ok")
    assert result.facts == {"checked": RECHECK_POSTS + RECHECK_COMMENTS, "erased": len(GONE)}
    assert report.errors == []


def test_recheck_days_zero_asks_nothing(replay: Any, db_path: Path) -> None:
    server = replay()
    config = make_config(server, recheck_days=0)
    fill(db_path, config, stored_items())
    report = RunReport(source="reddit", started_at=LATER)
    settings = config.sections["reddit"]
    client = reddit.open_client(settings, CREDENTIALS)
    assert (
        deletions.erase_deleted_upstream(db_path, "reddit", reddit, settings, client, report)
        == set()
    )
    assert server.seen == [] and len(stored(db_path)) == RECHECK_POSTS + RECHECK_COMMENTS


def test_collect_erases_and_counts_them_on_the_run(
    replay: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = replay("recheck.json", "search_acme.json")
    config_path = tmp_path / "brands.toml"
    config_path.write_text(
        f"""
[settings]
database = "listening.duckdb"

[[brands]]
name = "Acme"
query = 'acme OR "acme corp" OR #acmespring'

[reddit]
comments = false
page_size = 10
# Wide enough that the fixed dates of the recording stay inside it on any day.
recheck_days = 100000
oauth_url = "{server.url}"
reddit_url = "{server.url}"
timeout = 5
""",
        encoding="utf-8",
    )
    monkeypatch.setenv("REDDIT_CLIENT_ID", "test-client-id")
    monkeypatch.setenv("REDDIT_CLIENT_SECRET", "test-client-secret")
    monkeypatch.delenv("BRANDPULSE_DB", raising=False)
    from brandpulse.config import load_config

    config = load_config(config_path)
    db = tmp_path / "listening.duckdb"
    fill(db, config, stored_items())

    assert main(["collect", "--source", "reddit", "--config", str(config_path)]) == 0
    said = capsys.readouterr().err
    assert f"erased {len(GONE)} deleted upstream" in said
    left = stored(db)
    assert not GONE & left
    # This run's own posts were stored after the re-check.
    assert {m.native_id for m in run(make_config(server))[0]} <= left
