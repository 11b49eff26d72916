"""A collector process for the lake tests: writes one source's mentions through the pipeline.

Run as `python collector.py DB CONFIG SOURCE FIRST COUNT BATCH`: mentions FIRST..FIRST+COUNT-1
of SOURCE, in batches of BATCH, each batch one `store_mentions` run (as a collection writes).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from brandpulse.store.records import Mention, RunReport, mention_id

from brandpulse.config import Secrets, load_config
from brandpulse.pipeline import store_mentions

BASE = datetime(2026, 6, 1, tzinfo=UTC)


def mention(source: str, n: int) -> Mention:
    """Return post n of a source: the same n always gives the same id and content."""
    return Mention(
        id=mention_id(source, f"post-{n}"),
        source=source,
        native_id=f"post-{n}",
        url=f"https://example.com/{source}/{n}",
        author=f"author{n % 13}",
        title=f"Post {n}",
        text=f"Acme {'is great' if n % 3 else 'broke again'}, says post {n}",
        published_at=BASE + timedelta(minutes=n),
        collected_at=BASE + timedelta(days=1),
        score=n % 17,
        comments=n % 5,
        extra={"n": n},
    )


def main(argv: list[str]) -> None:
    db, config_path, source = Path(argv[0]), Path(argv[1]), argv[2]
    first, count, batch = int(argv[3]), int(argv[4]), int(argv[5])
    config = load_config(config_path)
    for start in range(first, first + count, batch):
        mentions = [mention(source, n) for n in range(start, min(start + batch, first + count))]
        report = RunReport(source=source)
        store_mentions(db, config, Secrets(), mentions, report)
        if report.errors:
            raise SystemExit(f"{source}: {report.errors}")
        print(f"wrote {start}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
