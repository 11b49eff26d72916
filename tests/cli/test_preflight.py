"""Bad input stops a command before anything runs: one `error:` line, its `fix:`, exit 2.

A local feed server counts requests, so "before any fetch" is checked, not assumed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from brandpulse.cli import main
from tests.collectors.feeds.feedserver import FeedServer, Reply, item, rss


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    server.route("/feed", Reply(rss(item(1), item(2))))
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for key in ("BRANDPULSE_CONFIG", "BRANDPULSE_DB", "BRANDPULSE_AUTHOR_KEY"):
        monkeypatch.delenv(key, raising=False)


def write_config(tmp_path: Path, server: FeedServer, extra: str = "", brand: str = "") -> Path:
    path = tmp_path / "brands.toml"
    path.write_text(
        f'[[brands]]\nname = "Acme"\n{brand}\n'
        f'[[feeds]]\nurl = "{server.url("/feed")}"\n\n'
        f'[fetch]\nallow_hosts = ["127.0.0.1"]\nretries = 0\n{extra}',
        encoding="utf-8",
    )
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, [line for line in (out + err).splitlines() if line.strip()]


def assert_one_error(code: int, lines: list[str], *words: str) -> None:
    assert code == 2, lines
    assert len(lines) == 2 and lines[0].startswith("error: "), lines
    assert lines[1].strip().startswith("fix: "), lines
    for word in words:
        assert word in lines[0], (word, lines)


def bad_databases(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n" * 10, encoding="utf-8")
    noise = tmp_path / "noise.duckdb"
    noise.write_bytes(os.urandom(4096))
    empty = tmp_path / "empty.duckdb"
    empty.write_bytes(b"")
    under_file = text / "bp.duckdb"
    return {
        "folder": (folder, "is a folder"),
        "text file": (text, "not a DuckDB database"),
        "random bytes": (noise, "not a DuckDB database"),
        "empty file": (empty, "an empty file"),
        "inside a file": (under_file, "is a file, not a folder"),
    }


@pytest.mark.parametrize(
    "case", ["folder", "text file", "random bytes", "empty file", "inside a file"]
)
def test_an_unusable_database_stops_collect_before_any_fetch(
    case: str, tmp_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    db, words = bad_databases(tmp_path)[case]
    before = db.read_bytes() if db.is_file() else None
    config = write_config(tmp_path, feed_server)
    code, lines = run(capsys, "collect", "--config", str(config), "--db", str(db))
    assert_one_error(code, lines, str(db), words)
    assert feed_server.seen == [], "collect fetched before checking the database"
    if before is not None:
        assert db.read_bytes() == before


@pytest.mark.parametrize("command", [["status"], ["export", "--what", "mentions"]])
def test_readers_check_the_database_too(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    noise = tmp_path / "noise.duckdb"
    noise.write_bytes(os.urandom(4096))
    code, lines = run(capsys, *command, "--db", str(noise))
    assert_one_error(code, lines, "not a DuckDB database")


def test_a_read_only_database_stops_writers_but_not_readers(
    tmp_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, feed_server)
    db = tmp_path / "bp.duckdb"
    assert run(capsys, "collect", "--config", str(config), "--db", str(db))[0] == 0
    hits = len(feed_server.seen)
    db.chmod(0o444)
    try:
        code, lines = run(capsys, "collect", "--config", str(config), "--db", str(db))
        assert_one_error(code, lines, "read-only")
        assert len(feed_server.seen) == hits, "collect fetched before checking the database"
        code, lines = run(capsys, "prune", "--older-than", "30", "--db", str(db))
        assert_one_error(code, lines, "read-only")
        code, lines = run(capsys, "status", "--config", str(config), "--db", str(db))
        assert code == 0 and any("mentions: 2" in line for line in lines), lines
    finally:
        db.chmod(0o644)


def test_a_missing_author_key_stops_collect_before_any_fetch(
    tmp_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, feed_server)
    config.write_text("[privacy]\nhash_authors = true\n\n" + config.read_text(), encoding="utf-8")
    code, lines = run(capsys, "collect", "--config", str(config), "--db", str(tmp_path / "x.db"))
    assert_one_error(code, lines, "hash_authors")
    assert "BRANDPULSE_AUTHOR_KEY" in lines[1]
    assert feed_server.seen == []
    assert not (tmp_path / "x.db").exists()


@pytest.mark.parametrize(
    ("brand", "words"),
    [
        ("query = 'acme AND (bike'", ["brands.toml:3:", "'(' is never closed"]),
        ("query = '" + "(" * 5000 + "acme" + ")" * 5000 + "'", ["nested more than 50 levels"]),
    ],
)
def test_a_bad_brand_query_stops_collect_before_any_fetch(
    brand: str,
    words: list[str],
    tmp_path: Path,
    feed_server: FeedServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = write_config(tmp_path, feed_server, brand=brand)
    code, lines = run(capsys, "collect", "--config", str(config), "--db", str(tmp_path / "x.db"))
    assert code == 2, lines
    assert lines[0].startswith("error: ") and lines[-1].strip().startswith("fix: "), lines
    assert all(w in lines[0] for w in words), lines
    assert feed_server.seen == []


@pytest.mark.parametrize(
    "setting",
    [
        "read_timeout = nan",
        "connect_timeout = inf",
        "total_timeout = -inf",
        "backoff = 1e300",
        "max_retry_wait = nan",
        "concurrency = 100000000",
        "max_entries_per_feed = 0",
    ],
)
def test_odd_numbers_in_fetch_are_config_errors_with_file_and_line(
    setting: str, tmp_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, feed_server, extra=setting + "\n")
    code, lines = run(capsys, "collect", "--config", str(config), "--db", str(tmp_path / "x.db"))
    key = setting.split(" =")[0]
    assert_one_error(code, lines, f"{config}:10:", f"key '{key}'")
    assert feed_server.seen == []


def test_an_allow_hosts_entry_must_be_a_host(
    tmp_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, feed_server)
    text = config.read_text().replace('["127.0.0.1"]', '["http://10.0.0.5/"]')
    config.write_text(text, encoding="utf-8")
    code, lines = run(capsys, "collect", "--config", str(config), "--db", str(tmp_path / "x.db"))
    assert_one_error(code, lines, f"{config}:8:", "key 'allow_hosts'", "http://10.0.0.5/")


def test_an_odd_number_anywhere_in_the_config_is_refused(
    tmp_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, feed_server)
    config.write_text(config.read_text() + "\n[reddit]\ntimeout = nan\n", encoding="utf-8")
    code, lines = run(capsys, "collect", "--config", str(config), "--db", str(tmp_path / "x.db"))
    assert_one_error(code, lines, "key 'timeout'", "finite")


def test_prune_older_than_beyond_the_calendar_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines = run(capsys, "prune", "--older-than", "100000000", "--db", str(tmp_path / "x.db"))
    assert_one_error(code, lines, "--older-than 100000000", "before the year 1")
