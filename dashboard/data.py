"""Cached readers: each runs a store or analysis function once per filters and data version.

Every reader takes `_reader` (not hashed; its connection is opened only on a cache miss) and
`key`, the database path and data version: any write bumps the version, so results are
recomputed exactly when the data changed and reruns are otherwise instant.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from brandpulse.analysis import spikes as spikes_module
from brandpulse.analysis import terms
from brandpulse.dashboard.db import Reader
from brandpulse.dashboard.filters import Filters
from brandpulse.store import analytics, browse
from brandpulse.store.browse import Scope

Key = tuple[str, int]
# Results for a few dozen filter combinations per page stay in memory; older ones are dropped.
ENTRIES = 64
cached = st.cache_data(show_spinner=False, max_entries=ENTRIES)
# Mentions read per period for emerging terms: enough for shares to within about a point.
TERM_SAMPLE = 2000


@cached
def bounds(_reader: Reader, key: Key) -> dict[str, Any]:
    """Return stored mention count, first/last time, brands and sources."""
    return browse.overview_bounds(_reader.con)


@cached
def learning_status(_reader: Reader, key: Key) -> dict[str, Any]:
    """Return how many corrections there are and the last `sentiment train` run (or None)."""
    total, _ = analytics.agreement_rate(analytics.correction_agreement(_reader.con))
    return {"corrections": total, "last_training": analytics.last_training(_reader.con)}


@cached
def count_mentions(_reader: Reader, key: Key, scope: Scope, search: str) -> int:
    """Return how many mentions match the filters and search words."""
    return browse.count_mentions(_reader.con, scope, search)


@cached
def mention_page(
    _reader: Reader,
    key: Key,
    scope: Scope,
    search: str,
    before: tuple[Any, str] | None,
    limit: int,
) -> pd.DataFrame:
    """Return one page of mentions, newest first, after the key `before` (None: the first)."""
    return browse.mention_page(_reader.con, scope, search=search, before=before, limit=limit)


@cached
def mention_detail(_reader: Reader, key: Key, mention_id: str) -> dict[str, Any] | None:
    """Return one mention in full."""
    return browse.mention_detail(_reader.con, mention_id)


@cached
def volume_by_source(_reader: Reader, key: Key, scope: Scope) -> pd.DataFrame:
    """Return mentions per source."""
    return browse.volume_by_source(_reader.con, scope)


@cached
def top_mentions(
    _reader: Reader, key: Key, scope: Scope, campaign: str | None, limit: int
) -> pd.DataFrame:
    """Return the most engaging mentions."""
    return browse.top_mentions(_reader.con, scope, campaign=campaign, limit=limit)


@cached
def source_health(_reader: Reader, key: Key) -> pd.DataFrame:
    """Return each collector's latest run and failure streak."""
    return browse.source_health(_reader.con)


@cached
def run_history(_reader: Reader, key: Key, limit: int) -> pd.DataFrame:
    """Return the latest runs."""
    return browse.run_history(_reader.con, limit)


@cached
def data_freshness(_reader: Reader, key: Key) -> pd.DataFrame:
    """Return newest published and collected times per mention source."""
    return browse.data_freshness(_reader.con)


def _args(f: Filters, brands: Sequence[str] | None = None) -> dict[str, Any]:
    return {
        "brands": list(f.brands if brands is None else brands),
        "first": f.first,
        "last": f.last,
        "sources": list(f.sources),
        "sentiments": list(f.sentiments),
        "languages": list(f.languages),
    }


@cached
def daily_volume(
    _reader: Reader,
    key: Key,
    f: Filters,
    tz: str,
    granularity: str,
    brands: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Return mentions by sentiment per period and brand (zero-filled)."""
    return analytics.daily_volume(_reader.con, **_args(f, brands), tz=tz, granularity=granularity)


@cached
def kpis(_reader: Reader, key: Key, f: Filters, tz: str) -> pd.DataFrame:
    """Return every brand's totals now and in the previous window (for shares and changes)."""
    return analytics.kpis(_reader.con, **_args(f, ()), tz=tz)


@cached
def share_of_voice_over_time(
    _reader: Reader, key: Key, f: Filters, tz: str, brands: tuple[str, ...], granularity: str
) -> pd.DataFrame:
    """Return each brand's share of the period's mentions."""
    return analytics.share_of_voice_over_time(
        _reader.con, **_args(f, brands), tz=tz, granularity=granularity
    )


@cached
def top_voices(_reader: Reader, key: Key, scope: Scope, limit: int) -> pd.DataFrame:
    """Return the top authors, subreddits and sites in one frame (column `dimension`)."""
    return browse.top_voices(_reader.con, scope, limit)


@cached
def emerging_terms(
    _reader: Reader,
    key: Key,
    now: Scope,
    before: Scope,
    exclude: tuple[str, ...],
    limit: int,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Return the terms rising most in `now` against `before`, and the sample sizes used.

    Each period is read from a random sample of TERM_SAMPLE mentions (all of them when it
    has fewer), so the cost stays flat at any database size; shares and lifts are
    estimates then, and the page says so.
    """
    con = _reader.con
    now_ids, now_total = browse.sample_mention_ids(con, now, TERM_SAMPLE)
    before_ids, before_total = browse.sample_mention_ids(con, before, TERM_SAMPLE)
    counts = browse.term_mentions(con, {"now": now_ids, "before": before_ids})
    current = counts.loc[counts["now"] > 0, ["term", "now"]].rename(columns={"now": "mentions"})
    baseline = counts.loc[counts["before"] > 0, ["term", "before"]].rename(
        columns={"before": "mentions"}
    )
    result = terms.emerging_terms(
        current, len(now_ids), baseline, len(before_ids), exclude=exclude, limit=limit
    )
    sizes = {
        "now": now_total,
        "before": before_total,
        "now_sampled": len(now_ids),
        "before_sampled": len(before_ids),
    }
    return result, sizes


@cached
def spikes(
    _reader: Reader, key: Key, f: Filters, tz: str, brands: tuple[str, ...], per_brand: bool
) -> pd.DataFrame:
    """Return the spike days inside the window, newest first, with their sentiment split.

    The daily series starts WINDOW_DAYS before the window, so its first days have the
    history the detector needs. With `per_brand` each brand is scored on its own series,
    else the brands' sum is. Columns: brand ('+'-joined when summed), period, value,
    expected, z, mentions, positive, neutral, negative.
    """
    history_first = f.first - timedelta(days=spikes_module.WINDOW_DAYS)
    volume = analytics.daily_volume(
        _reader.con,
        list(brands),
        history_first,
        f.last,
        list(f.sources),
        list(f.sentiments),
        tz=tz,
        granularity="day",
        languages=list(f.languages),
    )
    columns = ["mentions", "positive", "neutral", "negative"]
    groups = (
        list(volume.groupby("brand", sort=False)) if per_brand else [(" + ".join(brands), volume)]
    )
    found = []
    for brand, rows in groups:
        daily = rows.groupby("period", as_index=False)[columns].sum()
        scored = spikes_module.detect_spikes(daily)
        hits = scored[scored["spike"] & (scored["period"] >= f.first)]
        if hits.empty:
            continue
        hits = hits.merge(daily, on="period", how="left").assign(brand=str(brand))
        found.append(hits)
    if not found:
        return pd.DataFrame(columns=["brand", "period", "value", "expected", "z", *columns])
    out = pd.concat(found, ignore_index=True)
    out = out.sort_values(["period", "z"], ascending=[False, False]).reset_index(drop=True)
    return out[["brand", "period", "value", "expected", "z", *columns]]


@cached
def campaign_daily(
    _reader: Reader,
    key: Key,
    brands: tuple[str, ...],
    first: date,
    last: date,
    sources: tuple[str, ...],
    tz: str,
) -> pd.DataFrame:
    """Return zero-filled daily counts of `brands` from `first` to `last` (campaign pages)."""
    return analytics.daily_volume(
        _reader.con, list(brands), first, last, list(sources), None, tz=tz, granularity="day"
    )
