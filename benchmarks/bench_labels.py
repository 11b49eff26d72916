"""Team labels: relabel one page of the Mentions list (250 mentions) in one write, against
one write per mention.

Both paths run on copies of the same database (BENCH_LABELS_ROWS analysed mentions) and
end with the same rows and an exact rollup. The baseline calls `correct_sentiment` once per
mention, as the bulk bar's relabel did before; that function is now the batched write with
one label, so the baseline is the old pattern (a write and a rollup refresh per mention) on
today's code, not the old code itself.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from brandpulse.store import rollups, triage
from brandpulse.store.connection import write_connection
from brandpulse.store.records import BrandMatch, SentimentLabel
from brandpulse.store.writes import correct_sentiment, transaction, upsert_mentions, write_analysis

from benchmarks.bench_store import make_mentions
from benchmarks.common import report, timed

ROWS = int(os.environ.get("BENCH_LABELS_ROWS", "50000"))
PAGE = 250  # the Mentions list's largest page


def build(db: Path) -> list[str]:
    """Store ROWS mentions with a brand match and a label each; return a page's ids."""
    mentions = make_mentions(ROWS)
    ids = [m.id for m in mentions]
    brands = [BrandMatch(i, ("Acme", "Globex")[n % 2], "acme") for n, i in enumerate(ids)]
    labels = [SentimentLabel(i, "neutral", 0.0, 0.0, "bench", "1") for i in ids]
    with write_connection(db) as con, transaction(con):
        upsert_mentions(con, mentions)
        write_analysis(con, ids, brands, [], labels)
    # A page of the inbox: recent mentions spread over many hours.
    return ids[-PAGE * 7 :: 7]


def ours(db: Path, page: list[str]) -> float:
    with write_connection(db) as con:
        with transaction(con):
            done, seconds = timed(lambda: triage.relabel(con, page, "negative", "bench"))
        assert done == len(page) and rollups.stale_hours(con) == 0
    return seconds


def baseline(db: Path, page: list[str]) -> float:
    def one_by_one() -> int:
        return sum(correct_sentiment(con, i, "negative") for i in page)

    with write_connection(db) as con:
        with transaction(con):
            done, seconds = timed(one_by_one)
        assert done == len(page) and rollups.stale_hours(con) == 0
    return seconds


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "source.duckdb"
        page = build(source)
        times = {}
        for name, run in (("ours", ours), ("baseline", baseline)):
            db = Path(tmp) / f"{name}.duckdb"
            shutil.copy(source, db)
            times[name] = run(db, page)
    report(
        "relabel_page",
        times["ours"],
        times["baseline"],
        "s",
        note=f"{PAGE} mentions relabelled among {ROWS:,}",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
