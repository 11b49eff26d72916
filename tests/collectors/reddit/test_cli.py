"""End to end through the front door: `brandpulse collect --source reddit` against the replay
server fills the database, and `brandpulse status` shows the run, its counts and errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from brandpulse.store.browse import data_freshness
from brandpulse.store.connection import read_connection

from brandpulse.cli import main

CASSETTES = (
    "search_acme.json",
    "threads_acme.json",
    "search_globex.json",
    "threads_globex.json",
    "owned.json",
    "community.json",
    "errors.json",
    "private_for_globex.json",
)


def write_config(folder: Path, url: str) -> Path:
    path = folder / "brands.toml"
    path.write_text(
        f"""
[settings]
database = "listening.duckdb"

[[brands]]
name = "Acme"
query = 'acme OR "acme corp" OR #acmespring'

[[competitors]]
name = "Globex"
keywords = ["Globex", "Globex Corporation"]

[reddit]
subreddits = ["all", "secretclub"]
owned_subreddits = ["AcmeOfficial"]
comment_subreddits = ["acmeusers"]
comments = true
comment_depth = 3
replace_more_limit = 4
page_size = 10
oauth_url = "{url}"
reddit_url = "{url}"
timeout = 5
# The re-check of stored items has its own tests (test_recheck.py); off here, so this test
# does not depend on how old the recording's dates are today.
recheck_days = 0
""",
        encoding="utf-8",
    )
    return path


def test_collect_then_status(
    corpus_reddit: Path,
    replay: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = replay(*CASSETTES)
    config = write_config(tmp_path, server.url)
    monkeypatch.setenv("REDDIT_CLIENT_ID", "test-client-id")
    monkeypatch.setenv("REDDIT_CLIENT_SECRET", "test-client-secret")
    monkeypatch.delenv("BRANDPULSE_DB", raising=False)

    # Two private-subreddit searches fail; the rest is stored: a partial run, exit 1.
    assert main(["collect", "--source", "reddit", "--config", str(config)]) == 1
    collected = capsys.readouterr().err
    assert "reddit: partial" in collected and "r/secretclub is private" in collected

    db = tmp_path / "listening.duckdb"
    with read_connection(db) as con:
        stored = int(data_freshness(con).set_index("source").loc["reddit", "mentions"])
    assert stored > 0

    assert main(["status", "--config", str(config)]) == 0
    status = capsys.readouterr().out
    assert f"reddit: {stored} mentions" in status
    assert "reddit: partial" in status and "errors 2" in status
    assert "r/secretclub is private" in status
    assert "test-client-secret" not in collected + status

    # The second run asks only for what is new: nothing, and one page per search.
    before = len(server.seen)
    assert main(["collect", "--source", "reddit", "--config", str(config)]) == 1
    quiet = capsys.readouterr().err
    # Nothing new and the same private subreddit: still partial, not failed.
    assert "reddit: partial" in quiet and "new 0" in quiet
    second = server.seen[before:]
    assert len([s for s in second if s.path == "/r/all/search/"]) == 2
