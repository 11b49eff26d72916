"""Spike detection quality on generated series with injected incidents of known size and shape.

Each series is one brand over 180 days: a level from 5 to 5,000 mentions a day, a linear
trend (-20% to +30% over the period), its own weekly rhythm (weekends 55-90% of weekdays)
and over-dispersed noise (negative binomial, alpha 0.02-0.15). Half the series get one to
three incidents after day 60: a one-day burst, a burst that halves each day for three days,
or a two-day ramp to a peak, each at least 3x the day's norm and 20 mentions above it at
the peak. Negative surges are injected on other series: flat volume, the negative share
jumping from about 20% to 55-80% for one or two days.

A detection matches an injected incident when their days overlap. Precision is matched
detections over all detections (after a 28-day warm-up), recall is detected incidents over
injected ones; time to detection is the days from the incident's first day to the first
flagged day. Quiet days are every scored day outside incidents; the false rate is false
incidents per brand per 30 quiet days. The baseline is the previous detector (seasonal
robust z-score >= 3.5 with at least 5 mentions), scored the same way.

    python -m benchmarks.bench_spikes            # BENCH_SPIKES_SERIES=40 series per size
"""

from __future__ import annotations

import math
import os
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd
from brandpulse.analysis import spikes

from benchmarks.common import report

SERIES = int(os.environ.get("BENCH_SPIKES_SERIES", "40"))
SIZES = (5, 20, 100, 500, 5000)
DAYS = 180
WARMUP = 28
FIRST = date(2026, 1, 5)
SEED = 20261130


@dataclass
class Series:
    level: int
    daily: pd.DataFrame
    incidents: list[tuple[date, date]] = field(default_factory=list)


def generate(rng: np.random.Generator, level: int, inject: str) -> Series:
    """Return one brand's series with `inject` in none, volume or negative incidents."""
    trend = rng.uniform(-0.2, 0.3)
    weekend = rng.uniform(0.55, 0.9)
    shape = [rng.uniform(0.95, 1.15) for _ in range(5)] + [weekend, weekend * rng.uniform(0.9, 1.1)]
    alpha = rng.uniform(0.02, 0.15)
    norm = np.array(
        [
            level * (1 + trend * t / DAYS) * shape[(FIRST + timedelta(t)).weekday()]
            for t in range(DAYS)
        ]
    )
    share = np.full(DAYS, rng.uniform(0.12, 0.28))
    extra = np.zeros(DAYS)
    incidents: list[tuple[date, date]] = []
    if inject != "none":
        starts = sorted(
            rng.choice(np.arange(60, DAYS - 5, 12), size=rng.integers(1, 4), replace=False)
        )
        for start in starts:
            if inject == "volume":
                times = rng.uniform(3, 8)
                peak = max((times - 1) * norm[start], 20.0)
                form = rng.choice(["burst", "decay", "ramp"])
                profile = {"burst": [1.0], "decay": [1.0, 0.5, 0.25], "ramp": [0.5, 1.0, 0.4]}[form]
                for k, part in enumerate(profile):
                    extra[start + k] += peak * part
                # The incident is the days where it is at least 3x and 20 above the norm.
                days = [
                    k
                    for k, part in enumerate(profile)
                    if peak * part >= max(2 * norm[start + k], 20)
                ]
                first_day, last_day = start + min(days), start + max(days)
            else:
                length = int(rng.integers(1, 3))
                share[start : start + length] = rng.uniform(0.55, 0.8)
                first_day, last_day = start, start + length - 1
                # Only surges with enough negatives to tell are counted as injected.
                if norm[start] * (share[start] - 0.3) < 20:
                    share[start : start + length] = share[0]
                    continue
            incidents.append((FIRST + timedelta(int(first_day)), FIRST + timedelta(int(last_day))))
    # The norm is over-dispersed; the incident's extra mentions are a count of their own.
    mentions = rng.poisson(norm * rng.gamma(1 / alpha, alpha, DAYS)) + rng.poisson(extra)
    negative = rng.binomial(mentions, share)
    periods = [FIRST + timedelta(t) for t in range(DAYS)]
    daily = pd.DataFrame({"period": periods, "mentions": mentions, "negative": negative})
    return Series(level, daily, incidents)


def old_detector(daily: pd.DataFrame) -> list[date]:
    """Return the days the previous detector flagged (robust z >= 3.5, at least 5 mentions)."""
    values = daily["mentions"].tolist()
    flagged = []
    for t in range(WARMUP, len(values)):
        history = values[t - WARMUP : t]
        by_day: dict[int, list[int]] = defaultdict(list)
        for k, value in enumerate(history):
            by_day[k % 7].append(value)
        medians = {w: statistics.median(v) for w, v in by_day.items()}
        expected = float(medians[len(history) % 7])
        residuals = [v - medians[k % 7] for k, v in enumerate(history)]
        centre = statistics.median(residuals)
        mad = statistics.median(abs(r - centre) for r in residuals)
        scale = max(1.4826 * mad, math.sqrt(max(expected, 1.0)))
        if (values[t] - expected) / scale >= 3.5 and values[t] >= 5:
            flagged.append(daily["period"].iloc[t])
    return flagged


def runs(days: list[date]) -> list[tuple[date, date]]:
    out: list[list[date]] = []
    for day in sorted(days):
        if out and (day - out[-1][-1]).days == 1:
            out[-1].append(day)
        else:
            out.append([day])
    return [(r[0], r[-1]) for r in out]


def ours(daily: pd.DataFrame) -> list[tuple[date, date]]:
    scored = spikes.score_days(daily)
    found = spikes.find_incidents("b", scored)
    return [(r.start, r.end) for r in found.itertuples()]


@dataclass
class Tally:
    detected: int = 0
    true_detected: int = 0
    injected: int = 0
    found: int = 0
    delays: list[int] = field(default_factory=list)
    false: int = 0
    quiet_days: int = 0


def score(tally: Tally, series: Series, found: list[tuple[date, date]]) -> None:
    start = FIRST + timedelta(WARMUP)
    found = [f for f in found if f[1] >= start]
    overlaps = lambda a, b: a[0] <= b[1] and b[0] <= a[1]  # noqa: E731
    tally.detected += len(found)
    hits = [f for f in found if any(overlaps(f, i) for i in series.incidents)]
    tally.true_detected += len(hits)
    tally.false += len(found) - len(hits)
    tally.injected += len(series.incidents)
    for incident in series.incidents:
        matched = [f for f in found if overlaps(f, incident)]
        if matched:
            tally.found += 1
            tally.delays.append(max(0, (min(f[0] for f in matched) - incident[0]).days))
    busy = sum((b - a).days + 1 for a, b in series.incidents)
    tally.quiet_days += DAYS - WARMUP - busy


def main() -> None:
    rng = np.random.default_rng(SEED)
    tallies: dict[tuple[str, str, int], Tally] = defaultdict(Tally)
    for level in SIZES:
        for k in range(SERIES):
            inject = ("none", "volume", "volume", "negative")[k % 4]
            series = generate(rng, level, inject)
            kind = "negative" if inject == "negative" else "volume"
            score(tallies[("ours", kind, level)], series, ours(series.daily))
            if kind == "volume":
                score(tallies[("old", kind, level)], series, runs(old_detector(series.daily)))
    for level in SIZES:
        t = tallies[("ours", "volume", level)]
        n = tallies[("ours", "negative", level)]
        delay = statistics.mean(t.delays) if t.delays else math.nan
        false_rate = 30 * (t.false + n.false) / max(t.quiet_days + n.quiet_days, 1)
        print(
            f"size {level:>5}/day: volume precision {t.true_detected / max(t.detected, 1):.3f}"
            f" recall {t.found / max(t.injected, 1):.3f} ({t.found}/{t.injected}),"
            f" mean days to detection {delay:.2f};"
            f" negative surges recall {n.found}/{n.injected};"
            f" false per 30 quiet days {false_rate:.3f}"
        )

    def total(who: str, kinds: tuple[str, ...]) -> Tally:
        out = Tally()
        for (w, kind, _), t in tallies.items():
            if w == who and kind in kinds:
                for name in (
                    "detected",
                    "true_detected",
                    "injected",
                    "found",
                    "false",
                    "quiet_days",
                ):
                    setattr(out, name, getattr(out, name) + getattr(t, name))
                out.delays += t.delays
        return out

    mine, old = total("ours", ("volume", "negative")), total("old", ("volume",))
    mine_volume = total("ours", ("volume",))
    note = f"{SERIES} series x {len(SIZES)} sizes, {DAYS} days; incidents >= 3x and >= 20 over norm"
    report(
        "spikes_precision",
        mine.true_detected / max(mine.detected, 1),
        old.true_detected / max(old.detected, 1),
        "",
        lower_is_better=False,
        note=note,
    )
    report(
        "spikes_recall",
        mine.found / max(mine.injected, 1),
        old.found / max(old.injected, 1),
        "",
        lower_is_better=False,
        note=f"{mine.injected - mine_volume.injected} negative surges included; baseline: volume",
    )
    report(
        "spikes_false_per_30_quiet_days",
        30 * mine.false / max(mine.quiet_days, 1),
        30 * old.false / max(old.quiet_days, 1),
        "",
        note="per brand; target <= 1",
    )
    report(
        "spikes_days_to_detection",
        statistics.mean(mine.delays) if mine.delays else math.nan,
        statistics.mean(old.delays) if old.delays else math.nan,
        "d",
        note="mean days from an incident's first day to its first flagged day",
    )


if __name__ == "__main__":
    main()
