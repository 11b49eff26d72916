"""Erasure that sticks: what forget and prune erased stays erased when the feed is read again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from brandpulse.store.connection import read_connection

from brandpulse.cli import main

NOW = datetime.now(UTC)


def item(n: int, author: str, days_ago: int) -> str:
    published = format_datetime(NOW - timedelta(days=days_ago))
    return (
        f"<item><title>Acme story {n}</title><link>https://example.com/{n}</link>"
        f"<guid>https://example.com/{n}</guid><dc:creator>{author}</dc:creator>"
        f"<pubDate>{published}</pubDate><description>I love Acme, story {n}</description></item>"
    )


def write_feed(path: Path, items: list[str]) -> None:
    path.write_text(
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>news</title>{''.join(items)}</channel></rss>",
        encoding="utf-8",
    )


ITEMS = [
    item(1, "JDoe", 1),
    item(2, "JDoe", 2),
    item(3, "keeper", 3),
    item(4, "keeper", 400),
    item(5, "JDoe", 500),
]


def make_config(tmp_path: Path, privacy: str = "") -> Path:
    config = tmp_path / "brands.toml"
    config.write_text(
        f'[settings]\ndatabase = "bp.duckdb"\n\n{privacy}\n'
        '[[brands]]\nname = "Acme"\nkeywords = ["Acme"]\n\n[[feeds]]\nurl = "feed.xml"\n',
        encoding="utf-8",
    )
    write_feed(tmp_path / "feed.xml", ITEMS)
    return config


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def stored(db: Path) -> list[tuple[str, str]]:
    with read_connection(db) as con:
        rows = con.execute("SELECT title, author FROM mentions ORDER BY title").fetchall()
    return [(str(t), str(a)) for t, a in rows]


def collect_again_with_a_new_item(
    tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Change the feed (so it is read in full again) and collect it."""
    write_feed(tmp_path / "feed.xml", [*ITEMS, item(6, "keeper", 0)])
    code, _, err = run(capsys, "collect", "--config", str(config))
    assert code == 0, err


def test_forgotten_author_stays_forgotten_and_case_does_not_matter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = make_config(tmp_path)
    db = tmp_path / "bp.duckdb"
    assert run(capsys, "collect", "--config", str(config))[0] == 0
    assert len(stored(db)) == 5
    # The handle as a person types it, not as the feed spells it.
    code, out, _ = run(capsys, "forget", "--author", "jdoe", "--config", str(config))
    assert code == 0 and "erased 3 mentions" in out
    collect_again_with_a_new_item(tmp_path, config, capsys)
    titles = [title for title, _ in stored(db)]
    assert titles == ["Acme story 3", "Acme story 4", "Acme story 6"]
    assert b"JDoe" not in db.read_bytes()


def test_forget_in_hashed_mode_sticks_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRANDPULSE_AUTHOR_KEY", "a-long-random-test-key-0123456789")
    config = make_config(tmp_path, "[privacy]\nhash_authors = true\n")
    db = tmp_path / "bp.duckdb"
    assert run(capsys, "collect", "--config", str(config))[0] == 0
    code, out, _ = run(capsys, "forget", "--author", "JDOE", "--config", str(config))
    assert code == 0 and "erased 3 mentions" in out
    collect_again_with_a_new_item(tmp_path, config, capsys)
    assert [title for title, _ in stored(db)] == ["Acme story 3", "Acme story 4", "Acme story 6"]


def test_forget_before_the_author_was_ever_collected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An erasure request can arrive first: the author is then never stored."""
    config = make_config(tmp_path)
    db = tmp_path / "bp.duckdb"
    code, out, _ = run(capsys, "forget", "--author", "jdoe", "--config", str(config))
    assert code == 0 and "erased 0 mentions" in out
    assert run(capsys, "collect", "--config", str(config))[0] == 0
    assert {author for _, author in stored(db)} == {"keeper"}


def test_pruned_mentions_stay_pruned(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = make_config(tmp_path)
    db = tmp_path / "bp.duckdb"
    assert run(capsys, "collect", "--config", str(config))[0] == 0
    code, out, _ = run(capsys, "prune", "--older-than", "365", "--config", str(config))
    assert code == 0 and "erased 2 mentions" in out
    collect_again_with_a_new_item(tmp_path, config, capsys)
    titles = [title for title, _ in stored(db)]
    assert titles == ["Acme story 1", "Acme story 2", "Acme story 3", "Acme story 6"]
    code, out, _ = run(capsys, "status", "--config", str(config))
    assert "skipped 2" in out, "the run says it left the pruned mentions out"


def test_retention_days_keeps_old_mentions_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = make_config(tmp_path, "[privacy]\nretention_days = 30\n")
    db = tmp_path / "bp.duckdb"
    assert run(capsys, "collect", "--config", str(config))[0] == 0
    assert [title for title, _ in stored(db)] == ["Acme story 1", "Acme story 2", "Acme story 3"]


def test_retention_days_must_be_a_sensible_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = make_config(tmp_path, "[privacy]\nretention_days = 0\n")
    code, _, err = run(capsys, "status", "--config", str(config))
    assert code == 2 and "retention_days" in err
