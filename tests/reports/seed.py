"""Write small, hand-countable sets of analysed mentions into a real DuckDB file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from brandpulse.store.connection import write_connection
from brandpulse.store.records import BrandMatch, Mention, SentimentLabel, mention_id
from brandpulse.store.writes import transaction, upsert_mentions, write_analysis


@dataclass
class Row:
    """One mention as a test states it: when, which brands, what label and engagement."""

    when: datetime
    brands: Sequence[str]
    label: str | None = "neutral"
    score: int = 0
    source: str = "reddit"
    author: str | None = "someone"
    text: str = "a mention"
    title: str = ""
    url: str | None = None
    extra: dict[str, object] = field(default_factory=dict)
    comments: int | None = 0


def at(day: str, hour: int = 12) -> datetime:
    """Return noon (or `hour`) UTC of an ISO day."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def seed(db: Path, rows: Sequence[Row]) -> list[str]:
    """Store the rows as mentions with their brand matches and labels; return their ids."""
    mentions, brands, labels = [], [], []
    for n, row in enumerate(rows):
        mid = mention_id("test", f"row-{n}")
        mentions.append(
            Mention(
                id=mid,
                source=row.source,
                native_id=f"row-{n}",
                url=row.url,
                author=row.author,
                title=row.title,
                text=row.text,
                published_at=row.when,
                collected_at=row.when,
                score=row.score,
                comments=row.comments,
                extra=dict(row.extra),
            )
        )
        brands += [BrandMatch(mid, brand, brand.lower()) for brand in row.brands]
        if row.label is not None:
            value = {"positive": 0.5, "negative": -0.5}.get(row.label, 0.0)
            labels.append(SentimentLabel(mid, row.label, value, value, "test", "1"))
    with write_connection(db) as con, transaction(con):
        upsert_mentions(con, mentions)
        write_analysis(con, [m.id for m in mentions], brands, [], labels)
    return [m.id for m in mentions]
