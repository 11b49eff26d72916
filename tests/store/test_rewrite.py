"""The file rewrite after an erasure: any file name is safe; a failed rewrite is finished later."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from brandpulse.store.connection import read_connection
from brandpulse.store.records import Mention, RunReport, mention_id

from brandpulse.cli import main
from brandpulse.config import Secrets, parse_config
from brandpulse.pipeline import store_mentions

CONFIG = '[[brands]]\nname = "Acme"\nkeywords = ["Acme"]\n'

# Names that once broke the SQL built from the file name: a database named like the
# rewrite's alias (Binder error), a double quote (parser error), and one that turned the
# copy into "copy the empty new file onto itself" (the database came back empty).
HOSTILE = [
    "fresh.duckdb",
    'we"ird.duckdb',
    'temp" TO fresh; --.duckdb',
    "bp_rewrite_target.duckdb",
    "spaces and ünïcode.duckdb",
]


def fill(db: Path, config_file: Path) -> None:
    now = datetime.now(UTC)
    mentions = [
        Mention(
            id=mention_id("test", str(n)),
            source="news",
            native_id=str(n),
            url=f"https://example.com/{n}",
            author=author,
            title=f"Acme story {n}",
            text=f"I love Acme, story {n} by {author}",
            published_at=now - timedelta(days=n),
            collected_at=now,
        )
        for n, author in enumerate(["zzforgetme", "keeper", "zzforgetme", "keeper"], start=1)
    ]
    config = parse_config(config_file.read_text(encoding="utf-8"), config_file)
    assert store_mentions(db, config, Secrets(), mentions, RunReport("feeds")).new == 4


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "brands.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def count(db: Path) -> int:
    with read_connection(db) as con:
        return int(con.execute("SELECT count(*) FROM mentions").fetchall()[0][0])


@pytest.mark.parametrize("name", HOSTILE)
def test_forget_rewrites_a_database_with_any_file_name(
    name: str, tmp_path: Path, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / name
    fill(db, config_file)
    code = main(["forget", "--author", "zzforgetme", "--db", str(db), "--config", str(config_file)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "erased 2 mentions" in out
    assert count(db) == 2, "the kept mentions are all still there"
    assert b"zzforgetme" not in db.read_bytes()
    leftovers = {p.name for p in tmp_path.iterdir()} - {"brands.toml", name, f"{name}.lock"}
    assert not leftovers, "no temporary file or write-ahead log is left behind"


def test_a_failed_rewrite_is_finished_by_the_next_erasure(
    tmp_path: Path, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "bp.duckdb"
    fill(db, config_file)
    # Something in the way of the rewrite's temporary file makes the first rewrite fail.
    blocker = tmp_path / "bp.duckdb.rewrite"
    blocker.mkdir()
    (blocker / "something").write_text("x")
    args = ["--db", str(db), "--config", str(config_file)]
    code = main(["forget", "--author", "zzforgetme", *args])
    _, err = capsys.readouterr()
    assert code == 1 and "rewriting" in err and "run `brandpulse forget`" in err
    assert count(db) == 2, "the erasure itself is committed"
    (blocker / "something").unlink()
    blocker.rmdir()
    # Nothing new to erase, yet the old bytes must leave the file now.
    code = main(["forget", "--author", "zzforgetme", *args])
    out, _ = capsys.readouterr()
    assert code == 0 and "erased 0 mentions" in out and "finished rewriting" in out
    assert b"zzforgetme" not in db.read_bytes()
    assert count(db) == 2


def test_a_database_needing_no_rewrite_is_left_alone(
    tmp_path: Path, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "bp.duckdb"
    fill(db, config_file)
    inode = db.stat().st_ino
    code = main(["forget", "--author", "nobody", "--db", str(db), "--config", str(config_file)])
    assert code == 0 and "erased 0 mentions" in capsys.readouterr().out
    assert db.stat().st_ino == inode
