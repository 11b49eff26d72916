"""Small trend formulas shared by reports and the dashboard: net sentiment, period change."""

from __future__ import annotations

import math
from datetime import date, timedelta


def net_sentiment(positive: int, negative: int, total: int) -> float:
    """Return (positive - negative) / total on a -1..1 scale; NaN when there is nothing."""
    return (positive - negative) / total if total else math.nan


def period_change(current: float, previous: float) -> float:
    """Return the relative change from `previous` (0.25 is +25%); NaN when previous is 0."""
    if not previous or math.isnan(previous):
        return math.nan
    return (current - previous) / previous


def previous_window(first: date, last: date) -> tuple[date, date]:
    """Return the window of equal length that ends the day before `first`."""
    days = (last - first).days + 1
    return first - timedelta(days=days), first - timedelta(days=1)


def net_sentiment_interval(
    positive: int, negative: int, total: int, z: float = 1.96
) -> tuple[float, float]:
    """Return the normal-approximation interval of net sentiment (each mention scores +1, 0
    or -1; net sentiment is their mean, with variance (P+N)/n - net^2 over n)."""
    if not total:
        return math.nan, math.nan
    net = (positive - negative) / total
    variance = max((positive + negative) / total - net * net, 0.0)
    half = z * math.sqrt(variance / total)
    return net - half, net + half
