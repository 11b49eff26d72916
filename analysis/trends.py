"""Small trend formulas shared by reports: net sentiment and the window before a window."""

from __future__ import annotations

import math
from datetime import date, timedelta


def net_sentiment(positive: int, negative: int, total: int) -> float:
    """Return (positive - negative) / total on a -1..1 scale; NaN when there is nothing."""
    return (positive - negative) / total if total else math.nan


def previous_window(first: date, last: date) -> tuple[date, date]:
    """Return the window of equal length that ends the day before `first`."""
    days = (last - first).days + 1
    return first - timedelta(days=days), first - timedelta(days=1)
