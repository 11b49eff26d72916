"""Store ingest: one Arrow batch upsert of 1M mentions against row-by-row executemany.

The row-by-row baseline runs on a 20k sample (1M would take over 20 minutes) and is compared
as a rate. Peak memory of each ingest path is measured in its own child process.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from brandpulse.store.connection import write_connection
from brandpulse.store.records import Mention, mention_id
from brandpulse.store.writes import transaction, upsert_mentions

from benchmarks.common import peak_rss_during, report

TOTAL = int(os.environ.get("BENCH_STORE_ROWS", "1000000"))
SAMPLE = 20_000
BASE = datetime(2026, 1, 1, tzinfo=UTC)
WORDS = ["acme", "launch", "great", "terrible", "support", "price", "battery", "refund"]


def make_mentions(n: int, offset: int = 0) -> list[Mention]:
    """Build n mentions shaped like real ones (~220 characters of text)."""
    out = []
    for i in range(offset, offset + n):
        text = " ".join(WORDS[(i * k) % len(WORDS)] for k in range(1, 30))
        out.append(
            Mention(
                id=mention_id("bench", str(i)),
                source=("reddit", "news", "blog")[i % 3],
                native_id=str(i),
                url=f"https://example.com/post/{i}",
                author=f"user{i % 5000}",
                title=f"Post {i} about Acme",
                text=text,
                published_at=BASE + timedelta(seconds=i * 7),
                collected_at=BASE + timedelta(days=200),
                score=i % 100,
                comments=i % 13,
                extra={"subreddit": "acme"} if i % 3 == 0 else {},
            )
        )
    return out


def ours(db: Path, mentions: list[Mention]) -> float:
    with write_connection(db) as con:
        start = time.perf_counter()
        with transaction(con):
            new, _ = upsert_mentions(con, mentions)
        elapsed = time.perf_counter() - start
    assert new == len(mentions)
    return elapsed


def rerun(db: Path, mentions: list[Mention]) -> float:
    with write_connection(db) as con:
        start = time.perf_counter()
        with transaction(con):
            counts = upsert_mentions(con, mentions)
        elapsed = time.perf_counter() - start
    assert counts == (0, 0)
    return elapsed


# Named, so that columns later migrations add (language, ...) keep their defaults.
BASELINE_COLUMNS = (
    "id", "source", "native_id", "url", "author", "title", "text",
    "published_at", "collected_at", "score", "comments", "extra",
)  # fmt: skip


def baseline(db: Path, mentions: list[Mention]) -> float:
    """The obvious approach: executemany of one parameterised upsert per mention."""
    rows = [
        (
            m.id,
            m.source,
            m.native_id,
            m.url,
            m.author,
            m.title,
            m.text,
            m.published_at,
            m.collected_at,
            m.score,
            m.comments,
            json.dumps(m.extra),
        )
        for m in mentions
    ]
    with write_connection(db) as con:
        start = time.perf_counter()
        con.executemany(
            f"INSERT INTO mentions ({', '.join(BASELINE_COLUMNS)}) VALUES"
            f" ({', '.join('?' * len(BASELINE_COLUMNS))}) ON CONFLICT (id)"
            " DO UPDATE SET score = excluded.score, text = excluded.text",
            rows,
        )
        return time.perf_counter() - start


def memory_child(mode: str, n: int) -> None:
    """Print the peak RSS (MB) added by one ingest path, measured in this fresh process."""
    mentions = make_mentions(n)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "mem.duckdb"
        if mode == "ours":
            _, added = peak_rss_during(lambda: ours(db, mentions))
        else:
            _, added = peak_rss_during(lambda: pandas_ingest(db, mentions))
    print(f"{added:.1f}")


def pandas_ingest(db: Path, mentions: list[Mention]) -> None:
    """The common pandas route: a DataFrame of records, then INSERT ... SELECT from it."""
    import pandas as pd

    names = [f.name for f in dataclasses.fields(Mention)]
    frame = pd.DataFrame([{n: getattr(m, n) for n in names} for m in mentions])
    frame["extra"] = frame["extra"].map(json.dumps)
    frame = frame.drop(columns=["item"])  # kept in memory only, not a stored column
    with write_connection(db) as con:
        con.register("frame", frame)
        con.execute("INSERT INTO mentions BY NAME SELECT * FROM frame")


def measure_memory(mode: str) -> float:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_store", "--memory", mode, str(TOTAL)],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    mentions = make_mentions(TOTAL)
    with tempfile.TemporaryDirectory() as tmp:
        ours_s = ours(Path(tmp) / "ours.duckdb", mentions)
        rerun_s = rerun(Path(tmp) / "ours.duckdb", mentions)
        base_s = baseline(Path(tmp) / "base.duckdb", mentions[:SAMPLE])
    ours_rate = TOTAL / ours_s
    base_rate = SAMPLE / base_s
    report(
        "store_upsert_1m",
        ours_rate,
        base_rate,
        " mentions/s",
        lower_is_better=False,
        note=f"ours {ours_s:.1f} s for {TOTAL:,}; baseline executemany on a {SAMPLE:,} sample,"
        f" {TOTAL / base_rate / 60:.0f} min projected for {TOTAL:,}",
    )
    report(
        "store_reupsert_1m_unchanged",
        TOTAL / rerun_s,
        base_rate,
        " mentions/s",
        lower_is_better=False,
        note="second collection of the same mentions: nothing written",
    )
    report(
        "store_ingest_peak_memory",
        measure_memory("ours"),
        measure_memory("pandas"),
        "MB",
        note="peak RSS added by the ingest itself; baseline: DataFrame of records + INSERT",
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--memory":
        memory_child(sys.argv[2], int(sys.argv[3]))
    else:
        main()
