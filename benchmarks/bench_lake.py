"""The lake against the single DuckDB file: ingest by 1, 2 and 4 concurrent collectors, the
lake's files before and after maintenance, and the dashboard's Overview on a maintained lake.

Each collector is its own process writing its own source through the pipeline, in batches
as a collection does. On the file, collectors wait for each other's write lock; on the lake
they commit side by side. The Overview part generates the dashboard benchmark's database
(BENCH_LAKE_OVERVIEW_ROWS mentions, 10M by default), imports it into a lake, runs
`lake maintain` and times every Overview panel on a cache miss on both. Set
BENCH_LAKE_PARTS to `ingest` or `overview` to run one part. Needs the lake extra: run it
from `.venv-lake` (`make lake && .venv-lake/bin/python -m benchmarks lake`); elsewhere it
says so and stops.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import duckdb

from benchmarks.common import report

REPO = Path(__file__).resolve().parents[1]
COLLECTOR = REPO / "tests" / "lake" / "collector.py"
ROWS = int(os.environ.get("BENCH_LAKE_ROWS", "2000"))  # per collector
BATCH = int(os.environ.get("BENCH_LAKE_BATCH", "500"))
OVERVIEW_ROWS = int(os.environ.get("BENCH_LAKE_OVERVIEW_ROWS", "10000000"))
PARTS = os.environ.get("BENCH_LAKE_PARTS", "ingest,overview").split(",")


def ingest(db: str, config: Path, collectors: int) -> float:
    """Return rows per second for `collectors` processes writing ROWS mentions each."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    start = time.perf_counter()
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(COLLECTOR),
                db,
                str(config),
                f"src{i}",
                "0",
                str(ROWS),
                str(BATCH),
            ],
            stdout=subprocess.DEVNULL,
            env=env,
        )
        for i in range(collectors)
    ]
    for proc in procs:
        if proc.wait() != 0:
            raise SystemExit(f"a collector failed on {db}")
    seconds = time.perf_counter() - start
    # Rows a busy file kept in its outbox were not ingested: only stored rows count.
    from brandpulse.store.connection import read_connection

    with read_connection(Path(db)) as con:
        stored = int(con.execute("SELECT count(*) FROM mentions").fetchall()[0][0])
    if stored != collectors * ROWS:
        raise SystemExit(f"{db}: {stored} of {collectors * ROWS} mentions stored")
    return stored / seconds


def new_lake(postgres: str, folder: Path, name: str) -> str:
    """Create and initialise a lake in its own PostgreSQL database; return its address."""
    import psycopg
    from brandpulse.store import lake

    with psycopg.connect(postgres, autocommit=True) as pg:
        pg.execute(f"CREATE DATABASE {name}")
    url = "ducklake:postgres:" + postgres.replace("dbname=postgres", f"dbname={name}")
    lake.initialise(url, str(folder / f"data-{name}") + "/")
    lake.close_all()
    return url


def overview(postgres: str, folder: Path) -> None:
    """Time the Overview's panels on a maintained lake against the same rows in a file."""
    from brandpulse.store import lake

    from benchmarks import bench_dashboard as dashboard

    file = folder / "overview.duckdb"
    dashboard.generate(file, OVERVIEW_ROWS)
    url = new_lake(postgres, folder, "overview")
    lake.import_file(url, file)
    done = lake.maintain(url, keep_minutes=0)
    on_lake, lake_connect = dashboard.ours(Path(url))
    on_file, file_connect = dashboard.ours(file)
    rows = f"{OVERVIEW_ROWS:,} mentions"
    for name, ms in on_lake.items():
        report(f"lake_overview_{name}", ms, on_file[name], " ms", note=f"{rows}; baseline: file")
    report(
        "lake_overview_total",
        sum(on_lake.values()) + lake_connect,
        sum(on_file.values()) + file_connect,
        " ms",
        note=f"{rows}, every panel on a cache miss plus the connection; lake after maintenance"
        f" ({done['files_after']} data files); baseline: one DuckDB file",
    )
    lake.close_all()


def main() -> None:
    if duckdb.__version__ != "1.5.5":
        print("bench_lake: skipped, needs the lake extra (run it from .venv-lake)")
        return
    from brandpulse.store import lake

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

        folder = Path(tempfile.mkdtemp(prefix="bp-bench-pg-"))
        server = pgserver.get_server(folder / "pg", cleanup_mode="stop")
    postgres = f"host={folder / 'pg'} dbname=postgres user=postgres"
    config = folder / "brands.toml"
    config.write_text('[[brands]]\nname = "Acme"\n', encoding="utf-8")
    try:
        if "overview" in PARTS:
            overview(postgres, folder)
        last = ""
        for n in (1, 2, 4) if "ingest" in PARTS else ():
            name = f"bench{n}"
            url = new_lake(postgres, folder, name)
            ours = ingest(url, config, n)
            baseline = ingest(str(folder / f"file{n}.duckdb"), config, n)
            report(
                f"lake_ingest_{n}_collectors",
                ours,
                baseline,
                " rows/s",
                lower_is_better=False,
                note=f"{n} x {ROWS} mentions in batches of {BATCH}; baseline: one DuckDB file",
            )
            last = url
        if not last:
            return
        before = lake.status(last)["files"]
        done = lake.maintain(last, keep_minutes=0)
        report(
            "lake_files_after_maintenance",
            done["files_after"],
            before,
            " files",
            note=f"{last.split('dbname=')[1].split()[0]}: merge, expire, cleanup",
        )
        lake.close_all()
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
