"""Spike days: volume far above what the same weekday has been in the trailing four weeks.

Method (a seasonal robust z-score). For day t with history H = the 28 days before it:

- expected(t) = the median of the four values H holds for t's weekday, so a brand that
  is always busier on Mondays does not spike every Monday;
- scale(t) = max(1.4826 * MAD of H's residuals, sqrt(max(expected, 1))), where a
  residual is a day's value minus its weekday's median in H; the MAD (median absolute
  deviation) ignores an earlier spike, and the square-root floor is the Poisson noise a
  count has even when the history is perfectly flat;
- z(t) = (value - expected) / scale; t is a spike when z >= 3.5 and value >= 5.

Worked example: four weeks of 10 a weekday and 4 a weekend day, then a Saturday with 14.
expected = 4, the residuals are all 0 so scale = sqrt(4) = 2, z = (14 - 4) / 2 = 5: a spike,
although 14 is close to a weekday's normal. A Monday with 15 gives z = 5 / sqrt(10) = 1.6:
not one. Days with less than 14 days of history (counted from the first day with a
mention) are never flagged.
"""

from __future__ import annotations

import math
from statistics import median

import pandas as pd

WINDOW_DAYS = 28
MIN_HISTORY_DAYS = 14
THRESHOLD = 3.5
MIN_COUNT = 5
MAD_TO_SD = 1.4826  # makes the MAD estimate a standard deviation for normal data


def detect_spikes(
    daily: pd.DataFrame,
    column: str = "mentions",
    *,
    threshold: float = THRESHOLD,
    min_count: int = MIN_COUNT,
    window: int = WINDOW_DAYS,
    min_history: int = MIN_HISTORY_DAYS,
) -> pd.DataFrame:
    """Score every day of one series; `daily` has a `period` (date) column and `column`.

    Missing days count as 0; days before the first nonzero one are no history. Returns
    period, value, expected, scale, z and spike (bool), one row per day from the first to
    the last period given.
    """
    columns = ["period", "value", "expected", "scale", "z", "spike"]
    if daily.empty:
        return pd.DataFrame(columns=columns)
    series = daily.groupby("period")[column].sum()
    days = pd.date_range(min(series.index), max(series.index), freq="D").date
    values = [int(series.get(day, 0)) for day in days]
    # Zeros before the first mention mean "not collected yet" (or not yet talked about),
    # not a quiet norm: history starts at the first day with a mention.
    begin = next((k for k, v in enumerate(values) if v), len(values))
    rows = []
    for t, day in enumerate(days):
        value = values[t]
        history = values[max(begin, t - window) : t] if t >= begin else []
        if len(history) < min_history:
            rows.append((day, value, math.nan, math.nan, math.nan, False))
            continue
        expected, scale = _norm(history)
        z = (value - expected) / scale
        rows.append((day, value, expected, scale, z, bool(z >= threshold and value >= min_count)))
    return pd.DataFrame(rows, columns=columns)


def _norm(history: list[int]) -> tuple[float, float]:
    """Return (expected, scale) for the day right after `history`."""
    # history[k] falls on the scored day's weekday when k and len(history) agree modulo 7.
    target_weekday = len(history) % 7
    by_weekday: dict[int, list[int]] = {}
    for k, value in enumerate(history):
        by_weekday.setdefault(k % 7, []).append(value)
    medians = {w: median(v) for w, v in by_weekday.items()}
    expected = float(medians[target_weekday])
    residuals = [value - medians[k % 7] for k, value in enumerate(history)]
    centre = median(residuals)
    mad = median(abs(r - centre) for r in residuals)
    scale = max(MAD_TO_SD * mad, math.sqrt(max(expected, 1.0)))
    return expected, scale
