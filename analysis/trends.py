"""Small trend formulas shared by reports: net sentiment and the window before a window."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, timedelta


def net_sentiment(positive: int, negative: int, total: int) -> float:
    """Return (positive - negative) / total on a -1..1 scale; NaN when there is nothing."""
    return (positive - negative) / total if total else math.nan


def previous_window(first: date, last: date) -> tuple[date, date]:
    """Return the window of equal length that ends the day before `first`."""
    days = (last - first).days + 1
    return first - timedelta(days=days), first - timedelta(days=1)


def comparison_gap(
    previous_first: date, coverage: Mapping[str, date], sources: Sequence[str]
) -> str | None:
    """Return why a change against the previous period would mislead, or None when every
    source in view was collected from that period's first day on.

    `coverage` maps each source to the first local day it has data for; `sources` are the
    sources in view (empty: all). For example coverage {"reddit": 2026-07-24} and a previous
    period starting 2026-06-04 gives "reddit is collected only since 2026-07-24, after the
    previous period began (2026-06-04)".
    """
    wanted = list(sources) or sorted(coverage)
    if not any(s in coverage for s in wanted):
        return "nothing was collected before this period"
    late = sorted((day, s) for s, day in coverage.items() if s in wanted and day > previous_first)
    if not late:
        return None
    day, source = late[-1]
    return (
        f"{source} is collected only since {day:%Y-%m-%d}, after the previous period began"
        f" ({previous_first:%Y-%m-%d})"
    )
