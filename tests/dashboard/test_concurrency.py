"""The dashboard's reads in a loop while `brandpulse collect` runs write: no error, nothing lost.

DuckDB lets one process write a file and then no other may open it, so every dashboard read
here opens a short read-only connection that waits out the writer; a cron collection must
never make the dashboard show an error, and every collected mention must be there after.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from brandpulse.dashboard import corrections, data
from brandpulse.dashboard.db import Reader
from brandpulse.dashboard.filters import Filters
from brandpulse.store.connection import read_connection

RUNS = 6
PER_RUN = 40
READERS = 2
NOW = datetime.now(UTC).replace(microsecond=0)


def write_feed(path: Path, items: int) -> None:
    """Write an RSS feed holding items 0..items-1 (each collect run finds the new ones)."""
    entries = []
    for n in range(items):
        when = format_datetime(NOW - timedelta(minutes=n * 7))
        mood = ("I love Acme, it is great", "Acme broke again, awful", "Acme posted news")[n % 3]
        entries.append(
            f"<item><title>Acme item {n}</title><link>https://example.com/{n}</link>"
            f"<guid isPermaLink='false'>item-{n}</guid><pubDate>{when}</pubDate>"
            f"<description>{mood} ({n})</description></item>"
        )
    path.write_text(
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Acme watch</title>"
        f"<link>https://example.com/</link>{''.join(entries)}</channel></rss>",
        encoding="utf-8",
    )


def write_config(folder: Path) -> Path:
    config = folder / "brands.toml"
    config.write_text(
        '[settings]\ndatabase = "live.duckdb"\ntimezone = "Europe/Paris"\n\n'
        '[[brands]]\nname = "Acme"\nquery = "acme"\n\n'
        '[[feeds]]\nurl = "feed.xml"\nkind = "news"\n',
        encoding="utf-8",
    )
    return config


def collect(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "brandpulse", "collect", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_dashboard_reads_while_collections_write(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    feed, db = tmp_path / "feed.xml", tmp_path / "live.duckdb"
    write_feed(feed, PER_RUN)
    first = collect(config)
    assert first.returncode == 0, first.stderr

    errors: list[str] = []
    seen: list[list[int]] = [[] for _ in range(READERS)]
    collecting = threading.Event()
    collecting.set()
    results: list[subprocess.CompletedProcess[str]] = []

    def writer() -> None:
        try:
            for run in range(2, RUNS + 1):
                write_feed(feed, PER_RUN * run)
                results.append(collect(config))
        finally:
            collecting.clear()

    def reader(slot: int) -> None:
        loops = 0
        while collecting.is_set() or loops < 3:
            loops += 1
            try:
                with Reader(db) as r:
                    version = r.version()
                    key = (str(db), version)
                    bounds = data.bounds(r, key)
                    last = bounds["last"].date()
                    f = Filters((), "30d", last - timedelta(days=29), last, (), ())
                    scope = f.scope("Europe/Paris")
                    data.kpis(r, key, scope)
                    data.daily_volume(r, key, scope.of("Acme"), "day")
                    data.top_voices(r, key, scope, 10)
                    page = data.mention_page(r, key, scope, None, 25)
                    seen[slot].append(int(bounds["mentions"]))
                if slot == 0 and loops % 5 == 0 and not page.empty:
                    # A correction is the dashboard's one write; it must queue, not fail.
                    corrections.save(db, str(page.iloc[0]["id"]), "neutral")
            except Exception as exc:  # every failure counts, whatever its kind
                errors.append(f"{type(exc).__name__}: {exc}")
            time.sleep(0.01)

    threads = [threading.Thread(target=writer)] + [
        threading.Thread(target=reader, args=(slot,)) for slot in range(READERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)

    assert errors == []
    # Both readers kept reading through the runs (about a hundred reads each here).
    assert all(len(counts) >= 20 for counts in seen), [len(c) for c in seen]
    assert [r.returncode for r in results] == [0] * (RUNS - 1), [r.stderr for r in results]
    with read_connection(db) as con:
        stored = con.execute("SELECT count(*), count(DISTINCT native_id) FROM mentions").fetchall()
        runs = con.execute("SELECT count(*), sum(new) FROM collection_runs").fetchall()
    assert stored == [(PER_RUN * RUNS, PER_RUN * RUNS)]  # nothing lost, nothing doubled
    assert runs == [(RUNS, PER_RUN * RUNS)]
    for counts in seen:
        assert counts and counts == sorted(counts)  # a reader never saw mentions vanish
    assert max(max(c) for c in seen) == PER_RUN * RUNS
