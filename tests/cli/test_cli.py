"""The CLI as cron and people use it: exit codes, one-line errors, init, status, forget, prune."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from brandpulse.dashboard import panels
from brandpulse.store.connection import read_connection, write_connection
from brandpulse.store.records import Mention, RunReport, mention_id
from brandpulse.store.writes import correct_sentiment

from brandpulse import __version__
from brandpulse.cli import main
from brandpulse.config import Secrets, parse_config
from brandpulse.pipeline import store_mentions

REPO = Path(__file__).resolve().parents[2]

CONFIG = """\
[settings]
database = "bp.duckdb"

[[brands]]
name = "Acme"
keywords = ["Acme"]

[[feeds]]
url = "feed.xml"
"""


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "brands.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_init_writes_a_valid_config_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "brands.toml"
    code, out, _ = run(capsys, "init", str(target))
    assert code == 0 and "wrote" in out
    parse_config(target.read_text(encoding="utf-8"), target)
    code, _, err = run(capsys, "init", str(target))
    assert code == 2 and "already exists" in err and "--force" in err


def test_bad_config_exits_2_naming_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "brands.toml"
    bad.write_text(CONFIG.replace('keywords = ["Acme"]', "keywords = 3"), encoding="utf-8")
    code, out, err = run(capsys, "collect", "--config", str(bad))
    assert code == 2
    assert f"{bad}:6:" in err and "keywords" in err
    assert "Traceback" not in err and out == ""
    assert not (tmp_path / "bp.duckdb").exists(), "nothing may run on a bad config"


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "collect", "--no-such-option")
    assert code == 2 and "no-such-option" in err


HOLD_LOCK = """
import sys, time
from brandpulse.store.connection import collection_lock
with collection_lock(sys.argv[1]):
    print("ready", flush=True)
    time.sleep(30)
"""


@pytest.fixture
def lock_holder(config_file: Path) -> Iterator[subprocess.Popen[str]]:
    db = config_file.parent / "bp.duckdb"
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(HOLD_LOCK), str(db)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    yield proc
    proc.kill()
    proc.wait()
    proc.stdout.close()


def test_overlapping_collect_exits_3(
    config_file: Path, lock_holder: subprocess.Popen[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "collect", "--config", str(config_file))
    assert code == 3
    assert "another collection is already running" in err and f"pid {lock_holder.pid}" in err


def make_mention(n: int, author: str, days_ago: int) -> Mention:
    now = datetime.now(UTC)
    return Mention(
        id=mention_id("test", str(n)),
        source="news",
        native_id=str(n),
        url=f"https://example.com/{n}",
        author=author,
        title=f"Acme story {n}",
        text=f"I really love Acme, story {n} by {author}",
        published_at=now - timedelta(days=days_ago),
        collected_at=now,
    )


@pytest.fixture
def filled_db(config_file: Path) -> Path:
    """A database filled through the real pipeline: 6 mentions by two authors, 2 of them old."""
    config = parse_config(config_file.read_text(encoding="utf-8"), config_file)
    mentions = [
        make_mention(1, "zzforgetme", 1),
        make_mention(2, "zzforgetme", 2),
        make_mention(3, "keeper", 3),
        make_mention(4, "keeper", 4),
        make_mention(5, "keeper", 400),
        make_mention(6, "zzforgetme", 500),
    ]
    report = store_mentions(
        config.settings.database, config, Secrets(), mentions, RunReport("feeds")
    )
    assert report.new == 6
    with write_connection(config.settings.database) as con:
        assert correct_sentiment(con, mention_id("test", "1"), "negative")
    return config.settings.database


def table_counts(db: Path) -> dict[str, int]:
    with read_connection(db) as con:
        return {
            table: con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
            for table in ("mentions", "mention_brands", "sentiments", "sentiment_corrections")
        }


def test_forget_erases_an_author_everywhere(
    filled_db: Path, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert filled_db.read_bytes().count(b"zzforgetme") > 0, "the handle must be on disk first"
    code, out, _ = run(capsys, "forget", "--author", "zzforgetme", "--config", str(config_file))
    assert code == 0 and "erased 3 mentions" in out
    assert table_counts(filled_db) == {
        "mentions": 3,
        "mention_brands": 3,
        "sentiments": 3,
        "sentiment_corrections": 0,
    }
    assert filled_db.read_bytes().count(b"zzforgetme") == 0
    wal = Path(f"{filled_db}.wal")
    assert not wal.exists() or b"zzforgetme" not in wal.read_bytes()


def test_prune_erases_old_mentions_and_what_derives_from_them(
    filled_db: Path, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "prune", "--older-than", "365", "--config", str(config_file))
    assert code == 0 and "erased 2 mentions" in out
    assert table_counts(filled_db)["mentions"] == 4
    assert table_counts(filled_db)["mention_brands"] == 4


def test_status_shows_runs_and_counts(
    filled_db: Path, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "status", "--config", str(config_file))
    assert code == 0
    assert "mentions: 6 (6 scored, 1 brands)" in out
    assert "feeds: ok, fetched 0, new 6" in out


def test_status_prints_times_in_the_configured_zone_with_its_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "brands.toml"
    config.write_text('[settings]\ntimezone = "Asia/Tokyo"\n' + CONFIG.split("\n", 1)[1])
    parsed = parse_config(config.read_text(encoding="utf-8"), config)
    mention = make_mention(1, "someone", 0)
    store_mentions(parsed.settings.database, parsed, Secrets(), [mention], RunReport("feeds"))
    code, out, _ = run(capsys, "status", "--config", str(config))
    local = mention.published_at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert code == 0
    assert f"published {local:%Y-%m-%d %H:%M} Asia/Tokyo" in out
    assert " UTC" not in out


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.strip() == f"brandpulse {__version__}"


def test_correct_points_to_a_table_that_shows_ids(
    filled_db: Path, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "correct", "nope", "negative", "--config", str(config_file))
    assert code == 2
    assert "Id column of the dashboard's Mentions page" in err
    # The column the message names is in the Mentions table, so the guidance can be followed.
    assert panels.mention_columns("UTC")["id"].get("label") == "Id"


def test_status_on_a_missing_database_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "status", "--db", str(tmp_path / "nothing.duckdb"))
    assert code == 1
    assert "no database" in err and "brandpulse demo" in err


def test_status_works_while_a_collection_runs(
    filled_db: Path,
    config_file: Path,
    lock_holder: subprocess.Popen[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "status", "--config", str(config_file))
    assert code == 0 and "mentions: 6" in out


def test_read_commands_fall_back_to_the_demo_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Right after `brandpulse demo`, with no config of one's own, export reads the demo."""
    from brandpulse import demo

    built = tmp_path / "demo.duckdb"
    monkeypatch.setattr(demo, "default_database", lambda config: built)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BRANDPULSE_CONFIG", raising=False)
    monkeypatch.delenv("BRANDPULSE_DB", raising=False)
    code, _, err = run(capsys, "export", "--what", "mentions", "-o", "none.csv")
    assert code != 0 and "using the demo database" not in err  # no demo built yet
    summary = demo.build(built)
    code, _, err = run(capsys, "export", "--what", "mentions", "-o", "m.csv")
    assert code == 0 and f"using the demo database {built}" in err
    rows = (tmp_path / "m.csv").read_text(encoding="utf-8").count("\n") - 1
    assert rows >= summary.mentions > 0
    code, _, _ = run(capsys, "collect")
    assert code == 2, "collect must never write into the demo database by fallback"


def test_collecting_the_same_mentions_again_changes_nothing(
    filled_db: Path, config_file: Path
) -> None:
    """A cron run that finds nothing new leaves the data version alone, so caches stay."""
    config = parse_config(config_file.read_text(encoding="utf-8"), config_file)
    with read_connection(filled_db) as con:
        before = con.execute("SELECT value FROM store_meta").fetchall()
        labels = con.execute("SELECT * FROM mention_brands ORDER BY mention_id").fetchall()
    # The same posts collected again a little later: only their collection time differs.
    again = [make_mention(3, "keeper", 3), make_mention(4, "keeper", 4)]
    report = store_mentions(filled_db, config, Secrets(), again, RunReport("feeds"))
    assert (report.new, report.updated) == (0, 0)
    with read_connection(filled_db) as con:
        assert con.execute("SELECT value FROM store_meta").fetchall() == before
        assert con.execute("SELECT * FROM mention_brands ORDER BY mention_id").fetchall() == labels


def test_debug_shows_the_traceback_instead_of_one_line(tmp_path: Path) -> None:
    from brandpulse.store.errors import BrandpulseError

    with pytest.raises(BrandpulseError, match="no database"):
        main(["--debug", "status", "--db", str(tmp_path / "nothing.duckdb")])


def test_status_warns_about_a_source_failing_run_after_run(
    filled_db: Path, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from brandpulse.store.writes import record_run

    with write_connection(filled_db) as con:
        for _ in range(3):
            failed = RunReport("reddit")
            failed.error("Reddit credentials are not set")
            record_run(con, failed)
    code, out, err = run(capsys, "status", "--config", str(config_file))
    assert code == 0 and "reddit: failed, fetched 0" in out
    assert "warning: reddit has failed 3 runs in a row" in err
    assert "feeds has failed" not in err


def test_collectors_report_progress_per_feed(tmp_path: Path) -> None:
    """The live bar on a terminal is driven by the collector's report.advance() calls."""
    from brandpulse import pipeline

    feed = tmp_path / "feed.xml"
    items = "".join(
        f"<item><title>Acme news {n}</title><link>https://example.com/{n}</link></item>"
        for n in range(3)
    )
    feed.write_text(f"<rss version='2.0'><channel><title>t</title>{items}</channel></rss>")
    second = tmp_path / "second.xml"
    second.write_text(feed.read_text())
    config_file = tmp_path / "brands.toml"
    config_file.write_text(
        CONFIG.replace('url = "feed.xml"', 'url = "feed.xml"\n\n[[feeds]]\nurl = "second.xml"')
    )
    config = parse_config(config_file.read_text(), config_file)
    seen: list[tuple[int, int | None]] = []
    report = pipeline.collect_source(
        "feeds",
        config.settings.database,
        config,
        Secrets(),
        on_progress=lambda d, t: seen.append((d, t)),
    )
    assert report.status == "ok" and report.fetched == 3
    assert seen == [(1, 2), (2, 2)]
