"""Campaigns: which mentions belong to one, and how its window compares with a baseline."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from brandpulse.analysis.matcher import MentionView, evaluate
from brandpulse.analysis.rules import CampaignRule
from brandpulse.analysis.trends import net_sentiment, previous_window
from brandpulse.store.records import BrandMatch, CampaignMatch, Mention


def match_campaigns(
    mentions: Iterable[Mention],
    brands: Sequence[BrandMatch],
    campaigns: Sequence[CampaignRule],
    timezone: str = "UTC",
) -> list[CampaignMatch]:
    """Return the campaign matches: window dates are inclusive, in the display time zone.

    A campaign without tracked terms takes every mention of its brand in the window.
    """
    if not campaigns:
        return []
    zone = ZoneInfo(timezone)
    brands_of: dict[str, set[str]] = {}
    for match in brands:
        brands_of.setdefault(match.mention_id, set()).add(match.brand.casefold())
    matches = []
    for mention in mentions:
        named = brands_of.get(mention.id)
        if not named:
            continue
        day = mention.published_at.astimezone(zone).date()
        view: MentionView | None = None
        for campaign in campaigns:
            if campaign.brand.casefold() not in named or not campaign.start <= day <= campaign.end:
                continue
            if not campaign.terms:
                matches.append(CampaignMatch(mention.id, campaign.name, None))
                continue
            view = view or MentionView.of(mention)
            for term in campaign.terms:
                hit = evaluate(term, view)
                if hit:
                    matches.append(CampaignMatch(mention.id, campaign.name, hit))
                    break
    return matches


@dataclass(frozen=True)
class Lift:
    """Mentions per day during a window against a baseline, as a ratio with a 95% interval."""

    during: int
    baseline: int
    days: int
    ratio: float
    low: float
    high: float
    dispersion: float


def volume_lift(during: Sequence[int], baseline: Sequence[int], z: float = 1.96) -> Lift:
    """Return the rate ratio of two equally long runs of daily counts with its interval.

    Method: a quasi-Poisson Wald interval on the log rate ratio. With C1 mentions during
    and C0 in the baseline, ratio = C1 / C0 and SE(ln ratio) = sqrt(phi * (1/C1 + 1/C0)),
    where phi >= 1 is the overdispersion of the daily counts (Pearson chi-square of each
    window's days around its own mean, over their degrees of freedom): social mentions
    come in bursts, and a plain Poisson interval would be too narrow. A zero count gets
    0.5 added to both counts. Example: 10 days of 20 against 10 days of 10 gives ratio 2,
    phi 1, SE sqrt(1/200 + 1/100) = 0.1225, interval 2 * exp(+-1.96 * 0.1225) = 1.57..2.54.
    """
    if len(during) != len(baseline) or not during:
        raise ValueError("during and baseline must be equally long and not empty")
    c1, c0 = float(sum(during)), float(sum(baseline))
    phi = _dispersion([during, baseline])
    if c1 == 0 or c0 == 0:
        c1, c0 = c1 + 0.5, c0 + 0.5
    ratio = c1 / c0
    se = math.sqrt(phi * (1 / c1 + 1 / c0))
    return Lift(
        during=int(sum(during)),
        baseline=int(sum(baseline)),
        days=len(during),
        ratio=ratio,
        low=ratio * math.exp(-z * se),
        high=ratio * math.exp(z * se),
        dispersion=phi,
    )


def _dispersion(windows: Sequence[Sequence[int]]) -> float:
    chi2, df = 0.0, 0
    for counts in windows:
        mean = sum(counts) / len(counts)
        if mean > 0:
            chi2 += sum((c - mean) ** 2 for c in counts) / mean
            df += len(counts) - 1
    return max(1.0, chi2 / df) if df else 1.0


def campaign_windows(start: date, end: date) -> tuple[tuple[date, date], tuple[date, date]]:
    """Return the campaign window and the equally long baseline that ends the day before."""
    return (start, end), previous_window(start, end)


def campaign_report(daily: pd.DataFrame, start: date, end: date, z: float = 1.96) -> pd.DataFrame:
    """Compare each brand's campaign window with its baseline, from zero-filled daily rows.

    `daily` has period, brand, mentions, positive, negative (as store.analytics.daily_volume
    returns for baseline start to campaign end). One row per brand: days, mentions and
    mentions_per_day during and in the baseline, lift with lift_low/lift_high (see
    `volume_lift`), net sentiment during and before, and their difference with a 95%
    interval (normal approximation of a difference of two means of +1/0/-1 scores).
    """
    (first, last), (base_first, base_last) = campaign_windows(start, end)
    rows = []
    for brand, group in daily.groupby("brand", sort=False):
        by_day = group.set_index("period")
        days_during = _days(first, last)
        days_before = _days(base_first, base_last)
        now = by_day.reindex(days_during, fill_value=0)
        before = by_day.reindex(days_before, fill_value=0)
        lift = volume_lift(now["mentions"].tolist(), before["mentions"].tolist(), z)
        p1, n1, t1 = int(now["positive"].sum()), int(now["negative"].sum()), lift.during
        p0, n0, t0 = int(before["positive"].sum()), int(before["negative"].sum()), lift.baseline
        net1, net0 = net_sentiment(p1, n1, t1), net_sentiment(p0, n0, t0)
        half = z * math.sqrt(_net_variance(p1, n1, t1) + _net_variance(p0, n0, t0))
        rows.append(
            {
                "brand": brand,
                "days": lift.days,
                "mentions": lift.during,
                "mentions_per_day": lift.during / lift.days,
                "baseline_mentions": lift.baseline,
                "baseline_per_day": lift.baseline / lift.days,
                "lift": lift.ratio,
                "lift_low": lift.low,
                "lift_high": lift.high,
                "net_sentiment": net1,
                "baseline_net_sentiment": net0,
                "net_change": net1 - net0,
                "net_change_low": net1 - net0 - half,
                "net_change_high": net1 - net0 + half,
            }
        )
    return pd.DataFrame(rows)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def _net_variance(positive: int, negative: int, total: int) -> float:
    """Return the variance of a window's net sentiment (NaN for an empty window)."""
    if not total:
        return math.nan
    net = (positive - negative) / total
    return max((positive + negative) / total - net * net, 0.0) / total
