"""Numbers the pages must show, computed from the fixture's spec with plain Python."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from tests.dashboard.fixture import LAST_DAY, SPEC, Item


def window(days: int, last: date = LAST_DAY) -> tuple[date, date]:
    """Return the preset window of `days` ending on the newest mention's day."""
    return last - timedelta(days=days - 1), last


def rows(
    first: date,
    last: date,
    brands: Iterable[str] | None = None,
    labels: Iterable[str] | None = None,
    sources: Iterable[str] | None = None,
) -> list[tuple[Item, str]]:
    """Return the (item, brand) pairs in the window: one per mention and brand."""
    brands = set(brands) if brands else None
    labels = set(labels) if labels else None
    sources = set(sources) if sources else None
    out = []
    for item in SPEC:
        if not first <= item.day <= last:
            continue
        if labels and item.label not in labels:
            continue
        if sources and item.mention.source not in sources:
            continue
        for brand in item.brands:
            if brands is None or brand in brands:
                out.append((item, brand))
    return out


def mentions(pairs: list[tuple[Item, str]]) -> set[str]:
    """Return the distinct mention ids of (item, brand) pairs."""
    return {item.mention.id for item, _ in pairs}


def net(pairs: list[tuple[Item, str]]) -> float:
    """Return (positive - negative) / rows."""
    pos = sum(1 for item, _ in pairs if item.label == "positive")
    neg = sum(1 for item, _ in pairs if item.label == "negative")
    return (pos - neg) / len(pairs)


def engagement(pairs: list[tuple[Item, str]]) -> int:
    """Return the summed score + comments of the rows."""
    return sum((item.mention.score or 0) + (item.mention.comments or 0) for item, _ in pairs)
