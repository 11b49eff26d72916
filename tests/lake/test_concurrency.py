"""Many collectors on one lake: no duplicates, nothing lost, readers never fail, and a
collector killed mid-write leaves the lake consistent for the next run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from brandpulse.store import kpis, rollups, trends
from brandpulse.store.connection import read_connection
from brandpulse.store.scope import Scope

COLLECTOR = Path(__file__).with_name("collector.py")
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "brands.toml"
    path.write_text('[[brands]]\nname = "Acme"\n', encoding="utf-8")
    return path


def start(db: Path, config: Path, source: str, first: int, count: int, batch: int):  # type: ignore[no-untyped-def]
    """Start one collector process writing mentions first..first+count-1 of a source."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [
            sys.executable,
            str(COLLECTOR),
            str(db),
            str(config),
            source,
            str(first),
            str(count),
            str(batch),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def integrity(db: Path) -> dict[str, object]:
    """Return per-source counts, and every kind of duplicate or orphan the store can have."""
    with read_connection(db) as con:
        per_source = dict(
            con.execute("SELECT source, count(*) FROM mentions GROUP BY 1").fetchall()
        )
        checks = {
            "duplicate mentions": "SELECT count(*) - count(DISTINCT id) FROM mentions",
            "duplicate brand rows": "SELECT count(*) - count(DISTINCT (mention_id, brand))"
            " FROM mention_brands",
            "duplicate sentiments": "SELECT count(*) - count(DISTINCT mention_id) FROM sentiments",
            "mentions without brand rows": "SELECT count(*) FROM mentions m WHERE NOT EXISTS"
            " (SELECT 1 FROM mention_brands b WHERE b.mention_id = m.id)",
            "mentions without sentiment": "SELECT count(*) FROM mentions m WHERE NOT EXISTS"
            " (SELECT 1 FROM sentiments s WHERE s.mention_id = m.id)",
            "orphan brand rows": "SELECT count(*) FROM mention_brands b WHERE NOT EXISTS"
            " (SELECT 1 FROM mentions m WHERE m.id = b.mention_id)",
        }
        found = {name: con.execute(sql).fetchall()[0][0] for name, sql in checks.items()}
    return {"per_source": per_source, **found}


CLEAN = {
    "duplicate mentions": 0,
    "duplicate brand rows": 0,
    "duplicate sentiments": 0,
    "mentions without brand rows": 0,
    "mentions without sentiment": 0,
    "orphan brand rows": 0,
}


def test_four_collectors_on_overlapping_data_leave_no_duplicate_and_lose_nothing(
    lake_db: Path, config: Path
) -> None:
    # Two sources, two collectors each; each collector's range overlaps its neighbours'.
    jobs = [("news", 0, 200), ("news", 100, 200), ("reddit", 0, 200), ("reddit", 150, 200)]
    errors: list[str] = []
    reads = 0
    stop = threading.Event()

    def read_loop() -> None:
        nonlocal reads
        while not stop.is_set():
            try:
                with read_connection(lake_db) as con:
                    # What the dashboard's overview reads.
                    scope = Scope((), date(2026, 6, 1), date(2026, 6, 30))
                    kpis.kpis(con, scope)
                    trends.daily_volume(con, scope)
                reads += 1
            except Exception as exc:  # any failure of a read counts
                errors.append(repr(exc))
            time.sleep(0.2)

    reader = threading.Thread(target=read_loop)
    reader.start()
    try:
        procs = [start(lake_db, config, s, first, n, 100) for s, first, n in jobs]
        outcomes = [p.communicate(timeout=240) for p in procs]
    finally:
        stop.set()
        reader.join()
    for proc, (_, err) in zip(procs, outcomes, strict=True):
        assert proc.returncode == 0, err
    assert errors == []
    assert reads > 0
    found = integrity(lake_db)
    assert found.pop("per_source") == {"news": 300, "reddit": 350}
    assert found == CLEAN
    with read_connection(lake_db) as con:
        # Each writer refreshed its own hours inside its retried transaction.
        assert rollups.stale_hours(con) == 0
        assert con.execute("SELECT sum(mentions) FROM brand_hours").fetchall()[0][0] == 650


def test_a_collector_killed_mid_write_leaves_the_lake_consistent_and_the_next_run_completes(
    lake_db: Path, config: Path
) -> None:
    proc = start(lake_db, config, "news", 0, 1000, 100)
    assert proc.stdout is not None
    # Once a batch landed, the next ones are being written: kill it in the middle of one.
    assert proc.stdout.readline().startswith("wrote")
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()
    assert proc.stderr is not None
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    found = integrity(lake_db)
    written = found.pop("per_source")["news"]  # type: ignore[index]
    assert 0 < written < 1000 and written % 100 == 0  # whole batches only
    assert found == CLEAN
    again = start(lake_db, config, "news", 0, 1000, 500)
    _, err = again.communicate(timeout=240)
    assert again.returncode == 0, err
    found = integrity(lake_db)
    assert found.pop("per_source") == {"news": 1000}
    assert found == CLEAN
