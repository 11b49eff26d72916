"""The lake against the single DuckDB file: ingest by 1, 2 and 4 concurrent collectors, and
the lake's files before and after maintenance.

Each collector is its own process writing its own source through the pipeline, in batches
as a collection does. On the file, collectors wait for each other's write lock; on the lake
they commit side by side. Needs the lake extra: run it from `.venv-lake`
(`make lake && .venv-lake/bin/python -m benchmarks lake`); elsewhere it says so and stops.
"""

from __future__ import annotations

import os
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


def main() -> None:
    if duckdb.__version__ != "1.5.5":
        print("bench_lake: skipped, needs the lake extra (run it from .venv-lake)")
        return
    import psycopg
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
        last = ""
        for n in (1, 2, 4):
            name = f"bench{n}"
            with psycopg.connect(postgres, autocommit=True) as pg:
                pg.execute(f"CREATE DATABASE {name}")
            url = "ducklake:postgres:" + postgres.replace("dbname=postgres", f"dbname={name}")
            lake.initialise(url, str(folder / f"data{n}") + "/")
            lake.close_all()
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


if __name__ == "__main__":
    main()
