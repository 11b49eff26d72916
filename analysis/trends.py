"""Trend formulas: net sentiment and its interval, 7-day rolling views, comparable windows."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

import pandas as pd


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


ROLLING_DAYS = 7
Z95 = 1.96


def net_band(
    positive: pd.Series, negative: pd.Series, mentions: pd.Series
) -> tuple[pd.Series, pd.Series]:
    """Return the 95% interval (low, high) of net sentiment for the given counts.

    Each mention scores +1, 0 or -1; one positive and one negative pseudo-mention are added
    (as Agresti-Coull does for proportions), so two positive mentions do not look certain:
    p = 2, q = 0, n = 2 gives p' = 3, q' = 1, n' = 4, mean 0.5, variance 1 - 0.25, standard
    error sqrt(0.75 / 4) = 0.43 and the interval [-0.35, 1]. Periods without mentions get NaN.
    """
    p, q, n = positive + 1.0, negative + 1.0, mentions + 2.0
    mean = (p - q) / n
    spread = Z95 * (((p + q) / n - mean**2).clip(lower=0) / n) ** 0.5
    empty = mentions <= 0
    return (mean - spread).clip(lower=-1).mask(empty), (mean + spread).clip(upper=1).mask(empty)


def rolling_volume(volume: pd.DataFrame, days: int = ROLLING_DAYS) -> pd.DataFrame:
    """Return each brand's trailing `days`-day sums per day, weighted by volume.

    `volume` has period (every day, zeros included), brand, mentions, positive and negative.
    Net sentiment is the window's (positive - negative) / mentions, so a 2-mention day
    weighs 2 and a 200-mention day 200; windows without mentions are NaN (gaps, not 0).
    Adds net_low and net_high (see net_band).
    """
    frames = []
    for brand, rows in volume.sort_values("period").groupby("brand", sort=False):
        sums = rows[["mentions", "positive", "negative"]].rolling(days, min_periods=1).sum()
        frames.append(sums.assign(period=rows["period"].to_numpy(), brand=brand))
    if not frames:
        return pd.DataFrame(
            columns=["period", "brand", "mentions", "positive", "negative", "net_sentiment"]
        )
    out = pd.concat(frames, ignore_index=True)
    return with_band(out)


def with_band(volume: pd.DataFrame) -> pd.DataFrame:
    """Return `volume` with net_sentiment (NaN without mentions), net_low and net_high."""
    out = volume.copy()
    total = out["mentions"].astype("float64")
    out["net_sentiment"] = ((out["positive"] - out["negative"]) / total).where(total > 0)
    out["net_low"], out["net_high"] = net_band(
        out["positive"].astype("float64"), out["negative"].astype("float64"), total
    )
    return out


def rolling_share(volume: pd.DataFrame, days: int = ROLLING_DAYS) -> pd.DataFrame:
    """Return period, brand, mentions (trailing `days` days) and share of all brands' mentions
    in those days; NaN where no brand had any."""
    sums = rolling_volume(volume, days)
    totals = sums.groupby("period")["mentions"].transform("sum")
    sums["share"] = (sums["mentions"] / totals).where(totals > 0)
    return sums[["period", "brand", "mentions", "share"]]
