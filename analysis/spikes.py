"""Incidents: runs of days whose volume or negative share is far above a brand's own seasonal norm.

Method, per brand and day t, with history H = the up to 28 days before t (days already
flagged count at their expected value, so an earlier spike does not hide a later one):

- expected(t) = mean(H) x weekday factor, the factor being t's weekday mean over mean(H),
  shrunk towards 1 by two pseudo-days, so a brand that is always busier on Mondays does not
  spike every Monday. On a partial day (today, collected until now) expected is scaled by
  the share of a usual day already past (`today_fraction`).
- Counts are negative-binomial around expected: variance = mu + alpha * mu^2, with alpha
  estimated from H's residuals without its outlying days (at least ALPHA_MIN), because
  mention counts are over-dispersed: a quiet brand's 1-mention days and 6-mention days
  are both normal.
- A volume day is flagged when P(X >= value) <= P_MAX and the effect matters for the brand:
  value >= MIN_RATIO x expected and value - expected >= MIN_EXCESS.
- A negative surge is a day whose negative share is far above H's (smoothed) share, even if
  volume is flat: P(K >= negatives | n, share) <= P_MAX under the binomial, the share at least
  NEG_MIN_RATIO x the usual one and NEG_MIN_GAIN above it, and at least MIN_EXCESS negatives
  more than expected.

Flagged days of a brand that follow each other form one incident (start, peak, end) with
a status: new (started on the latest day), growing (the latest day is its peak), ongoing
(still flagged on the latest day) or over. Severity ranks incidents by excess mentions
weighted by how many times the usual they are, negative surges counting double.

Worked example: four weeks of about 6 a day, then a day with 79 of which 66 negative.
expected = 6.0 (say alpha = 0.1), P(X >= 79) is about 1e-20 and 79 >= 2 x 6, 73 >= 10: a
volume spike; usual share negative 0.2 gives 15.8 expected negatives, so it is a negative
surge too. A quiet brand (usual 1) with 8 mentions is significant but only 7 above the
usual: not an incident.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median

import numpy as np
import pandas as pd

WINDOW_DAYS = 28
MIN_HISTORY_DAYS = 14
P_MAX = 1e-5
MIN_RATIO = 2.5
MIN_EXCESS = 15
ALPHA_MIN = 0.05
ALPHA_MAX = 2.0
EXPECTED_FLOOR = 0.5
NEG_MIN_RATIO = 2.0
NEG_MIN_GAIN = 0.2
# Prior of the usual negative share: one negative in five mentions, worth ten mentions.
NEG_PRIOR = (2.0, 8.0)
WEEKDAY_SHRINK = 2.0
OUTLIER = 3.5
MAD_TO_SD = 1.4826  # makes the MAD a standard deviation for normal data
SEVERITIES = ("low", "medium", "high")

DAY_COLUMNS = [
    "period",
    "value",
    "expected",
    "ratio",
    "p",
    "spike",
    "negative",
    "negative_expected",
    "negative_p",
    "negative_surge",
]
INCIDENT_COLUMNS = [
    "incident_id",
    "brand",
    "kind",
    "status",
    "severity",
    "score",
    "start",
    "peak",
    "end",
    "days",
    "mentions",
    "expected",
    "ratio",
    "negative",
    "negative_expected",
    "peak_value",
    "peak_expected",
    "p",
    "planned",
]


def nbinom_sf(value: int, mu: float, alpha: float) -> float:
    """Return P(X >= value) for a negative binomial of mean `mu` and variance mu + alpha mu^2."""
    if value <= 0:
        return 1.0
    if value <= mu:
        return 1.0  # only the upper tail matters here; at or below the mean it is not rare
    r = 1.0 / alpha
    q = mu / (r + mu)  # success probability of the "mentions" trials
    log_q, log_1q = math.log(q), math.log1p(-q)
    first = math.lgamma(value + r) - math.lgamma(r) - math.lgamma(value + 1)
    # pmf(k + 1) / pmf(k) = (k + r) / (k + 1) * q
    return _upper_tail(value, first + r * log_1q + value * log_q, lambda k: (k + r) / (k + 1) * q)


def binom_sf(value: int, n: int, share: float) -> float:
    """Return P(K >= value) for K binomial with `n` trials of probability `share`."""
    if value <= 0:
        return 1.0
    if value > n:
        return 0.0
    if value <= n * share:
        return 1.0
    log_s, log_1s = math.log(share), math.log1p(-share)
    first = math.lgamma(n + 1) - math.lgamma(value + 1) - math.lgamma(n - value + 1)
    odds = share / (1 - share)
    # pmf(k + 1) / pmf(k) = (n - k) / (k + 1) * share / (1 - share)
    return _upper_tail(
        value,
        first + value * log_s + (n - value) * log_1s,
        lambda k: (n - k) / (k + 1) * odds,
        stop=n,
    )


# Terms of a tail are summed _CHUNK at a time, then twice as many each time, and at most
# _MAX_TERMS of them.
_CHUNK = 512
_MAX_TERMS = 100_002


def _upper_tail(
    start: int,
    log_first: float,
    ratio: Callable[[np.ndarray], np.ndarray],
    stop: int | None = None,
) -> float:
    """Return the sum of pmf(k) for k >= start, from log pmf(start) and pmf(k + 1) / pmf(k).

    Above the mode the terms only fall, so summing until they vanish is exact enough. The
    terms are running products of the ratios, in ever longer chunks (a busy brand's tail
    has tens of thousands of terms).
    """
    total, term, k, chunk = 0.0, 1.0, start, _CHUNK
    last_k = start + _MAX_TERMS - 1 if stop is None else min(stop, start + _MAX_TERMS - 1)
    while k <= last_k:
        end = min(k + chunk, last_k + 1)
        steps = ratio(np.arange(k, end - 1, dtype="float64"))
        terms = term * np.cumprod(np.concatenate(([1.0], steps)))
        total += float(terms.sum())
        last = float(terms[-1])
        if last < 1e-12 * total:
            break
        term, k, chunk = last * float(ratio(np.array([end - 1.0]))[0]), end, chunk * 2
    return min(1.0, math.exp(log_first) * total)


@dataclass(frozen=True)
class _Norm:
    expected: float
    alpha: float
    negative_share: float


def _norm(history: Sequence[float], negatives: Sequence[float], weekday_offset: int) -> _Norm:
    """Return the norm of the day after `history` (its weekday is `weekday_offset` mod 7)."""
    n = len(history)
    mean = sum(history) / n
    by_day: dict[int, list[float]] = {}
    for k, value in enumerate(history):
        by_day.setdefault((k - n) % 7, []).append(value)
    factors = {
        w: (sum(v) + WEEKDAY_SHRINK * mean) / (len(v) + WEEKDAY_SHRINK) / mean if mean else 1.0
        for w, v in by_day.items()
    }
    expected = max(mean * factors.get(weekday_offset % 7, 1.0), EXPECTED_FLOOR)
    fitted = [max(mean * factors[(k - n) % 7], EXPECTED_FLOOR) for k in range(n)]
    # Days far above their norm (an earlier burst's unflagged tail) are left out of the
    # dispersion, else every later burst would look like noise: a day is out when its
    # Pearson residual exceeds OUTLIER robust standard deviations (1.4826 x MAD).
    residuals = [(v - e) / math.sqrt(e) for v, e in zip(history, fitted, strict=True)]
    centre = median(residuals)
    spread = MAD_TO_SD * median(abs(r - centre) for r in residuals) or 1.0
    kept = [
        (v, e)
        for (v, e), r in zip(zip(history, fitted, strict=True), residuals, strict=True)
        if r - centre <= OUTLIER * spread
    ]
    excess = sum((v - e) ** 2 - e for v, e in kept)
    alpha = excess / sum(e * e for _, e in kept)
    alpha = min(max(alpha, ALPHA_MIN), ALPHA_MAX)
    a, b = NEG_PRIOR
    share = (sum(negatives) + a) / (sum(history) + a + b)
    return _Norm(expected, alpha, share)


def score_days(
    daily: pd.DataFrame,
    *,
    today_fraction: float = 1.0,
    window: int = WINDOW_DAYS,
    min_history: int = MIN_HISTORY_DAYS,
) -> pd.DataFrame:
    """Score every day of one brand's series; `daily` has period, mentions and negative.

    Missing days count as 0; days before the first with a mention are no history, and days
    with less than `min_history` days of history are never flagged. The last day is
    partial when `today_fraction` < 1: its expected values are scaled by it. `expected`
    and `ratio` are rounded to one decimal here, so every view shows the same numbers.
    """
    if daily.empty:
        return pd.DataFrame(columns=DAY_COLUMNS)
    periods = pd.to_datetime(daily["period"]).dt.date
    totals = daily.assign(period=periods).groupby("period")[["mentions", "negative"]].sum()
    days = pd.date_range(min(totals.index), max(totals.index), freq="D").date
    values = [int(totals["mentions"].get(d, 0)) for d in days]
    negs = [int(totals["negative"].get(d, 0)) for d in days]
    begin = next((k for k, v in enumerate(values) if v), len(values))
    clean = [float(v) for v in values]  # flagged days are replaced by what was expected
    clean_neg = [float(v) for v in negs]
    rows = []
    for t, day in enumerate(days):
        value, negative = values[t], negs[t]
        start = max(begin, t - window)
        if t < begin or t - start < min_history:
            rows.append((day, value, *[math.nan] * 3, False, negative, math.nan, math.nan, False))
            continue
        norm = _norm(clean[start:t], clean_neg[start:t], 0)
        fraction = today_fraction if t == len(days) - 1 else 1.0
        expected = round(max(norm.expected * fraction, EXPECTED_FLOOR * fraction, 0.1), 1)
        p = nbinom_sf(value, expected, norm.alpha)
        spike = p <= P_MAX and value >= MIN_RATIO * expected and value - expected >= MIN_EXCESS
        share = norm.negative_share
        neg_expected = round(value * share, 1)
        neg_p = binom_sf(negative, value, share)
        surge = (
            neg_p <= P_MAX
            and value > 0
            and negative / value >= max(NEG_MIN_RATIO * share, share + NEG_MIN_GAIN)
            and negative - value * share >= MIN_EXCESS
        )
        if spike:
            clean[t] = expected / fraction
        if spike or surge:
            clean_neg[t] = clean[t] * share
        ratio = round(value / expected, 1)
        rows.append((day, value, expected, ratio, p, spike, negative, neg_expected, neg_p, surge))
    return pd.DataFrame(rows, columns=DAY_COLUMNS)


def find_incidents(
    brand: str,
    scored: pd.DataFrame,
    *,
    planned: Sequence[tuple[str, date, date]] = (),
) -> pd.DataFrame:
    """Group a brand's flagged days into incidents, most severe first.

    `scored` comes from score_days; its last period is "today". An incident whose days all
    fall in a `planned` window (campaign name, first, last) and is not a negative surge
    carries that campaign's name in `planned`: expected extra volume, not a surprise.
    """
    flagged = scored[scored["spike"] | scored["negative_surge"]] if not scored.empty else scored
    if flagged.empty:
        return pd.DataFrame(columns=INCIDENT_COLUMNS)
    today = scored["period"].iloc[-1]
    runs: list[list[pd.Series]] = []
    for _, row in flagged.iterrows():
        if runs and row["period"] - runs[-1][-1]["period"] == timedelta(days=1):
            runs[-1].append(row)
        else:
            runs.append([row])
    rows = [_incident(brand, run, today, planned) for run in runs]
    return rank(pd.DataFrame(rows, columns=INCIDENT_COLUMNS))


def _incident(
    brand: str, run: list[pd.Series], today: date, planned: Sequence[tuple[str, date, date]]
) -> dict[str, object]:
    start, end = run[0]["period"], run[-1]["period"]
    peak = max(run, key=lambda r: (r["value"] - r["expected"], r["value"]))
    volume = any(bool(r["spike"]) for r in run)
    negative = any(bool(r["negative_surge"]) for r in run)
    kind = "volume+negative" if volume and negative else "volume" if volume else "negative"
    if end < today:
        status = "over"
    elif start == end:
        status = "new"
    elif peak["period"] == end:
        status = "growing"
    else:
        status = "ongoing"
    mentions = sum(int(r["value"]) for r in run)
    expected = round(sum(float(r["expected"]) for r in run), 1)
    negatives = sum(int(r["negative"]) for r in run)
    neg_expected = round(sum(float(r["negative_expected"]) for r in run), 1)
    score = max(mentions - expected, 0) * math.log2(max(mentions / max(expected, 0.1), 1))
    if negative:
        score += (
            2
            * max(negatives - neg_expected, 0)
            * math.log2(max(negatives / max(neg_expected, 0.1), 1))
        )
    campaign = ""
    if not negative:
        campaign = next((n for n, a, b in planned if a <= start and end <= b), "")
    return {
        "incident_id": f"{brand}:{start:%Y-%m-%d}",
        "brand": brand,
        "kind": kind,
        "status": status,
        "severity": severity(score),
        "score": round(score, 1),
        "start": start,
        "peak": peak["period"],
        "end": end,
        "days": len(run),
        "mentions": mentions,
        "expected": expected,
        "ratio": round(mentions / expected, 1) if expected else math.nan,
        "negative": negatives,
        "negative_expected": neg_expected,
        "peak_value": int(peak["value"]),
        "peak_expected": float(peak["expected"]),
        "p": min(min(float(r["p"]), float(r["negative_p"])) for r in run),
        "planned": campaign,
    }


def severity(score: float) -> str:
    """Return low, medium or high for an incident's score (excess x log2 of the ratio)."""
    if score >= 200:
        return "high"
    if score >= 40:
        return "medium"
    return "low"


def rank(incidents: pd.DataFrame) -> pd.DataFrame:
    """Order incidents by severity: unplanned first, then score, then the newest."""
    if incidents.empty:
        return incidents.reset_index(drop=True)
    order = incidents.assign(_planned=incidents["planned"] != "")
    order = order.sort_values(
        ["_planned", "score", "start"], ascending=[True, False, False], kind="stable"
    )
    return order.drop(columns="_planned").reset_index(drop=True)


def brand_incidents(
    volume: pd.DataFrame,
    first: date,
    *,
    planned: dict[str, Sequence[tuple[str, date, date]]] | None = None,
    today_fraction: float = 1.0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score each brand of `volume` (brand, period, mentions, negative; history included).

    Returns (days, incidents): every scored day from `first` on with a brand column, and
    the incidents that reach into `first` or later, most severe first.
    """
    days, found = [], []
    if not volume.empty:
        for brand, rows in volume.groupby("brand", sort=False):
            scored = score_days(rows, today_fraction=today_fraction)
            found.append(find_incidents(str(brand), scored, planned=(planned or {}).get(brand, ())))
            days.append(scored[scored["period"] >= first].assign(brand=str(brand)))
    day_frame = pd.concat(days, ignore_index=True) if days else pd.DataFrame(columns=DAY_COLUMNS)
    found = [f for f in found if not f.empty]
    incidents = (
        pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=INCIDENT_COLUMNS)
    )
    if not incidents.empty:
        incidents = incidents[incidents["end"] >= first]
    return day_frame, rank(incidents)


def elapsed_share(hour_counts: Sequence[float], hours_past: float) -> float:
    """Return the share of a usual day's mentions published in its first `hours_past` hours.

    `hour_counts` are the mentions per local hour of day (24 values) over a baseline; each
    hour gets one pseudo-mention so a quiet history still moves forward with the clock.
    For example counts all 0 and 6 hours past give 6/24 = 0.25.
    """
    smoothed = [float(c) + 1.0 for c in hour_counts]
    whole = int(min(max(hours_past, 0.0), 24.0))
    part = min(max(hours_past, 0.0), 24.0) - whole
    done = sum(smoothed[:whole]) + (smoothed[whole] * part if whole < 24 else 0.0)
    return min(max(done / sum(smoothed), 0.05), 1.0)


def describe(value: int, expected: float) -> str:
    """Return the one wording of a day against its norm used by every view and alert."""
    ratio = value / expected if expected else math.nan
    return f"{value:,} mentions vs {expected:.1f} expected (×{ratio:.1f})"
