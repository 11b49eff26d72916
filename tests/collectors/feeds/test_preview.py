"""`brandpulse preview`: one JSON line per mention naming its input, one stderr line per failure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from brandpulse.cli import main
from tests.collectors.feeds.feedserver import FeedServer, Reply, item, rss

CASES = Path(__file__).parent / "cases"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BRANDPULSE_CONFIG", raising=False)
    monkeypatch.setenv("BRANDPULSE_DB", str(tmp_path / "db.duckdb"))
    return tmp_path


def test_preview_prints_every_mention_and_reports_each_failure(
    server: FeedServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    good_url = server.route("/feed", Reply(rss(item(1), item(2))))
    missing_url = server.route("/gone", Reply(b"", 404))
    local = str(CASES / "dates.xml")
    absent = str(tmp_path / "absent.xml")

    code = main(["preview", good_url, missing_url, local, absent])

    out, err = capsys.readouterr()
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 1
    assert [r["input"] for r in records] == [good_url] * 2 + [local] * 4
    assert records[0]["title"] == "Acme launches a new bike #1"
    assert records[0]["source"] == "news"
    assert records[0]["extra"]["feed_url"] == good_url
    assert set(records[0]) >= {"id", "url", "author", "text", "published_at", "collected_at"}
    lines = err.splitlines()
    assert lines == [
        f"error: {missing_url}: HTTP 404 Not Found: check the URL: the feed is not there",
        f"error: {absent}: no such file: {absent}",
    ]
    assert not (tmp_path / "db.duckdb").exists()


def test_preview_exits_zero_when_every_input_is_read(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["preview", "--kind", "blog", str(CASES / "json_feed.json")])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    assert {json.loads(line)["source"] for line in out.splitlines()} == {"blog"}


def test_preview_text_format_is_one_line_per_mention(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["preview", "--format", "text", str(CASES / "dates.xml")])
    out, _ = capsys.readouterr()
    lines = out.splitlines()
    assert code == 0 and len(lines) == 4
    assert lines[0].startswith("2026-06-02 14:30 UTC  dates.example  With offset  https://dates")
    # An estimated date is flagged with ~.
    assert sum("~" in line[:21] for line in lines) == 3


def test_preview_text_times_are_in_the_configured_zone_and_say_so(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "brands.toml"
    config.write_text('[settings]\ntimezone = "Europe/Paris"\n')
    code = main(["preview", "--format", "text", "--config", str(config), str(CASES / "dates.xml")])
    out, _ = capsys.readouterr()
    # 14:30 UTC on 2 June is 16:30 in Paris (summer time).
    assert code == 0
    assert out.splitlines()[0].startswith("2026-06-02 16:30 Europe/Paris  dates.example")


def test_preview_expands_a_query_feed_with_the_configured_brands(
    server: FeedServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    server.route("/search", Reply(rss(item(1))))
    config = tmp_path / "brands.toml"
    config.write_text('[[brands]]\nname = "Acme"\n\n[[competitors]]\nname = "Globex"\n')
    template = server.url("/search?q={query}")
    code = main(["preview", "--config", str(config), template])
    out, _ = capsys.readouterr()
    assert code == 0
    assert {json.loads(line)["input"] for line in out.splitlines()} == {template}
    assert sorted(h.path for h in server.hits("/search")) == ["/search?q=Acme", "/search?q=Globex"]


def test_preview_of_a_query_feed_without_brands_says_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["preview", "https://news.example/search?q={query}"])
    _, err = capsys.readouterr()
    assert code == 1
    assert "no brands are configured" in err and len(err.splitlines()) == 1
