"""A collector for the pipeline tests: yields numbered mentions, looking at the database as it goes.

It follows the collector protocol like any source. At chosen points it records how many
mentions the database already holds, so a test can see whether the pipeline wrote while the
source was still yielding; it can also fail after a number of mentions.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from brandpulse.store.connection import read_connection
from brandpulse.store.records import Mention, RunReport, mention_id

name = "probe"
item_noun = "item"
mention_sources = ("news",)
sections = ()  # nothing to configure: always enabled while registered
credentials = ()
example = ""

# Set by the test: how many to yield, where to look, where to fail, and what was seen.
plan: dict[str, Any] = {"count": 0, "look_at": (), "fail_at": None, "db": None, "seen": {}}


def configure(sections: Any) -> dict[str, bool]:
    """Return the probe's (empty but present) settings: it is always enabled."""
    return {"enabled": True}


def open_client(settings: Any, credentials: Any = None) -> None:
    """Return no client: nothing is fetched."""
    return None


def stored(db: Any) -> int:
    """Return how many mentions the database holds now (0 before it exists)."""
    if not db.exists():
        return 0
    with read_connection(db) as con:
        return int(con.execute("SELECT count(*) FROM mentions").fetchall()[0][0])


def collect(
    settings: Any, terms: Any, state: Mapping[str, Any], client: Any, report: RunReport
) -> Iterator[Mention]:
    """Yield the planned mentions, noting the stored count before each one in `look_at`."""
    now = datetime.now(UTC)
    for n in range(plan["count"]):
        if n in plan["look_at"]:
            plan["seen"][n] = stored(plan["db"])
        if n == plan["fail_at"]:
            raise RuntimeError(f"the source broke after {n} mentions")
        report.fetched += 1
        yield Mention(
            id=mention_id("probe", str(n)),
            source="news",
            native_id=str(n),
            url=f"https://example.com/{n}",
            author=f"writer{n % 5}",
            title=f"Acme story {n}",
            text=f"Acme did thing number {n}",
            published_at=now - timedelta(minutes=n),
            collected_at=now,
        )
    report.state["done"] = plan["count"]
