"""`brandpulse lake init|status|maintain|import`, and other commands on an uninitialised lake."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from brandpulse.store import lake
from brandpulse.store.connection import read_connection
from brandpulse.store.records import RunReport

from brandpulse.cli import main
from brandpulse.config import Secrets, load_config
from brandpulse.pipeline import store_mentions
from tests.lake.collector import mention


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "brands.toml"
    path.write_text('[[brands]]\nname = "Acme"\n\n[lake]\ndata_path = "files"\n', encoding="utf-8")
    return path


def write(db: Path | str, config: Path, source: str, first: int, count: int) -> None:
    mentions = [mention(source, n) for n in range(first, first + count)]
    report = RunReport(source=source)
    store_mentions(Path(db), load_config(config), Secrets(), mentions, report)
    assert report.errors == []


def count(db: Path | str) -> int:
    with read_connection(Path(db)) as con:
        return int(con.execute("SELECT count(*) FROM mentions").fetchall()[0][0])


def test_commands_refuse_an_uninitialised_lake_until_lake_init(
    lake_url: str, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "status", "-c", str(config), "--db", lake_url)
    assert code != 0
    assert "error:" in err and "not initialised" in err
    assert "fix:" in err and "brandpulse lake init" in err
    code, _, err = run(capsys, "lake", "init", "-c", str(config), "--db", lake_url)
    assert code == 0, err
    assert "applied migrations 1, 2, 3, 4, 5, 6" in err
    assert (config.parent / "files").is_dir()
    code, _, err = run(capsys, "lake", "init", "-c", str(config), "--db", lake_url)
    assert code == 0 and "already at the current schema" in err
    code, out, err = run(capsys, "status", "-c", str(config), "--db", lake_url)
    assert code == 0, err
    assert "mentions: 0" in out


def test_lake_commands_refuse_a_duckdb_file(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "lake", "status", "-c", str(config), "--db", str(tmp_path / "x"))
    assert code == 2
    assert "is a DuckDB file, not a lake" in err


def test_maintain_merges_the_files_of_many_small_commits_and_status_reports_it(
    lake_db: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for batch in range(6):
        write(lake_db, config, "news", batch * 40, 40)
    code, out, _ = run(capsys, "lake", "status", "--db", str(lake_db))
    assert code == 0 and "last maintenance: never" in out
    code, _, err = run(capsys, "lake", "maintain", "--keep-minutes", "0", "--db", str(lake_db))
    assert code == 0, err
    before, after = (int(n) for n in err.split("files ")[1].split(",")[0].split(" -> "))
    assert after < before
    code, out, _ = run(capsys, "lake", "status", "--db", str(lake_db))
    assert f"files {before} -> {after}" in out
    assert f"data files: {after}," in out
    assert count(lake_db) == 240  # maintenance changed the files, not the data


def test_import_copies_a_duckdb_file_into_a_new_lake(
    lake_db: Path, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "old.duckdb"
    write(file, config, "news", 0, 30)
    write(file, config, "reddit", 0, 20)
    code, _, err = run(capsys, "lake", "import", str(file), "--db", str(lake_db))
    assert code == 0, err
    assert "imported 50 mentions" in err
    assert count(lake_db) == 50
    with read_connection(lake_db) as con:
        runs = con.execute("SELECT count(*) FROM collection_runs").fetchall()[0][0]
    assert runs == 2
    # Run ids continue after the imported ones.
    write(lake_db, config, "news", 30, 5)
    with read_connection(lake_db) as con:
        ids = [r[0] for r in con.execute("SELECT run_id FROM collection_runs").fetchall()]
    assert len(ids) == len(set(ids)) == 3
    code, _, err = run(capsys, "lake", "import", str(file), "--db", str(lake_db))
    assert code != 0 and "already holds mentions" in err


def stored_text(db: Path | str) -> set[str]:
    """Return every value in the lake's Parquet files and in its catalog's inlined rows."""
    with read_connection(Path(db)) as con:
        folder = con.execute(
            "SELECT value FROM ducklake_options('bp_lake') WHERE option_name = 'data_path'"
        ).fetchall()[0][0]
        values: set[str] = set()
        for file in Path(folder).rglob("*.parquet"):
            relation = con.read_parquet(str(file))
            for row in relation.fetchall():
                values.update(str(v) for v in row if v is not None)
    dsn = str(db).removeprefix("ducklake:postgres:")
    with psycopg.connect(dsn) as pg:
        inlined = pg.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_name LIKE 'ducklake_inlined_data%'"
        ).fetchall()
        for (table,) in inlined:
            for row in pg.execute(f'SELECT * FROM "{table}"').fetchall():
                values.update(str(v) for v in row if v is not None)
    return values


def test_forget_and_prune_erase_from_the_lake_data_files_too(
    lake_db: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for first in range(0, 60, 20):
        write(lake_db, config, "news", first, 20)
    theirs = [mention("news", n) for n in range(60) if n % 13 == 7]
    others = [mention("news", n) for n in range(60) if n % 13 != 7]
    before = stored_text(lake_db)
    assert {m.text for m in theirs} <= before and "author7" in before
    code, out, err = run(
        capsys, "forget", "--author", "author7", "-c", str(config), "--db", str(lake_db)
    )
    assert code == 0, err
    assert f"erased {len(theirs)} mentions by author7" in out
    after = stored_text(lake_db)
    assert not {m.text for m in theirs} & after
    assert "author7" not in after
    assert {m.text for m in others} <= after
    assert count(lake_db) == len(others)

    code, out, err = run(
        capsys, "prune", "--older-than", "30", "-c", str(config), "--db", str(lake_db)
    )
    assert code == 0, err
    assert f"erased {len(others)} mentions" in out
    assert not {m.text for m in others} & stored_text(lake_db)
    # What was pruned is not collected again.
    write(lake_db, config, "news", 0, 5)
    assert count(lake_db) == 0


def test_a_lake_outbox_is_a_cache_folder_not_a_path_made_of_its_address(
    lake_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from brandpulse.store import spill

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    kept = spill.spill_mentions(lake_db, "news", [mention("news", 1)])
    assert kept.parent.parent == tmp_path / "cache" / "brandpulse" / "outbox"
    assert spill.pending(lake_db, ".parquet") == [kept]
    assert not Path(str(lake_db)).parent.exists()


def test_clear_empties_every_table_but_keeps_the_schema_and_takes_new_writes(
    lake_db: Path, config: Path
) -> None:
    write(lake_db, config, "news", 0, 30)
    with read_connection(lake_db) as con:
        migrations = con.execute("SELECT count(*) FROM schema_migrations").fetchall()[0][0]
        filled = [
            t
            for (t,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_catalog = ?",
                [lake.ALIAS],
            ).fetchall()
            if con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
        ]
    assert {"mentions", "mention_brands", "brand_hours"} <= set(filled)
    lake.clear(lake_db)
    with read_connection(lake_db) as con:
        left = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in filled}
        kept = con.execute("SELECT count(*) FROM schema_migrations").fetchall()[0][0]
    assert {
        t: n for t, n in left.items() if n and t not in ("schema_migrations", "store_meta")
    } == {}
    assert kept == migrations > 0
    write(lake_db, config, "news", 100, 5)
    assert count(lake_db) == 5
