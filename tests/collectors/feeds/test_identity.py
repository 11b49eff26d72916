"""One feed is one feed however it is spelt, and one feed cannot flood the run with entries."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from brandpulse.collectors import feeds
from brandpulse.store.records import RunReport

from brandpulse.cli import main
from tests.collectors.feeds.feedserver import (
    FeedServer,
    Reply,
    item,
    make_config,
    records,
    rss,
    settings_of,
)

CASES = Path(__file__).parent / "cases"


def last_run(db: Path) -> tuple[int, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute(
            "SELECT new, updated FROM collection_runs ORDER BY run_id DESC LIMIT 1"
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def test_collect_from_another_folder_and_path_spelling_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in ("BRANDPULSE_CONFIG", "BRANDPULSE_DB", "BRANDPULSE_AUTHOR_KEY"):
        monkeypatch.delenv(key, raising=False)
    project = tmp_path / "project"
    (project / "feeds").mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere" / "deeper"
    elsewhere.mkdir(parents=True)
    shutil.copy(CASES / "dates.xml", project / "feeds" / "dates.xml")
    (project / "brands.toml").write_text(
        '[settings]\ndatabase = "bp.duckdb"\n\n[[brands]]\nname = "Dates"\nkeywords = ["offset"]\n'
        '\n[[brands]]\nname = "Every"\nkeywords = ["a", "the", "with"]\n'
        '\n[[feeds]]\nurl = "feeds/./dates.xml"\n',
        encoding="utf-8",
    )
    db = project / "bp.duckdb"

    monkeypatch.chdir(project)
    assert main(["collect", "--config", "brands.toml"]) == 0
    first = last_run(db)
    assert first[0] > 0, "the first run stores the feed's mentions"

    monkeypatch.chdir(elsewhere)
    assert main(["collect", "--config", "../../project/brands.toml"]) == 0
    assert last_run(db) == (0, 0)

    assert main(["collect", "--config", str(project / "brands.toml")]) == 0
    assert last_run(db) == (0, 0)


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("HTTP://News.Example.COM:80/rss?q=A", "http://news.example.com/rss?q=A"),
        ("https://news.example.com:443", "https://news.example.com/"),
        ("https://news.example.com:8443/Feed", "https://news.example.com:8443/Feed"),
        ("http://[::1]:80/x", "http://[::1]/x"),
    ],
)
def test_feed_urls_have_one_spelling(url: str, key: str) -> None:
    assert feeds.feed_key(url) == key


def test_local_feed_paths_have_one_spelling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    expected = str((tmp_path / "feed.xml").resolve())
    for spelling in ("../feed.xml", f"{tmp_path}/sub/../feed.xml", f"file://{tmp_path}/feed.xml"):
        assert feeds.feed_key(spelling) == expected


def test_a_feed_over_the_entry_cap_keeps_its_newest_entries(server: FeedServer) -> None:
    # Items 1..8 are dated 2..9 June in shuffled feed order; the newest are 6, 7 and 8.
    order = [3, 8, 1, 6, 2, 7, 5, 4]
    url = server.route("/many", Reply(rss(*(item(n) for n in order))))
    config = make_config(url, max_entries_per_feed=3)
    settings = settings_of(config)
    report = RunReport(source="feeds")
    mentions = list(feeds.collect(settings, config.terms, {}, feeds.open_client(settings), report))

    assert [m.title for m in mentions] == [
        "Acme launches a new bike #8",
        "Acme launches a new bike #6",
        "Acme launches a new bike #7",
    ]
    assert report.warnings == [
        f"{url}: 8 entries, over [fetch] max_entries_per_feed; kept the newest 3"
    ]
    assert report.errors == [] and records(report)[0]["dropped"] == 5
