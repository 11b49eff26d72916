"""Cached readers: each runs a store or analysis function once per filters and data version.

Every reader takes `_reader` (not hashed; its connection is opened only on a cache miss) and
`key`, the database path and data version: any write bumps the version, so results are
recomputed exactly when the data changed and reruns are otherwise instant.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st
from brandpulse.analysis import spikes as spikes_module
from brandpulse.analysis import terms
from brandpulse.analysis.relevance import Estimate, Signals, cross_validate, text_of
from brandpulse.dashboard.db import Reader
from brandpulse.dashboard.filters import Filters
from brandpulse.store import analytics, browse, outbox, signals, triage
from brandpulse.store import copies as copies_store
from brandpulse.store import relevance as relevance_store
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
def copy_sizes(_reader: Reader, key: Key, ids: tuple[str, ...]) -> dict[str, int]:
    """Return how many mentions the story of each of these has, for those with copies."""
    return copies_store.group_sizes(_reader.con, list(ids))


@cached
def mention_detail(_reader: Reader, key: Key, mention_id: str) -> dict[str, Any] | None:
    """Return one mention in full."""
    return browse.mention_detail(_reader.con, mention_id)


@cached
def inbox_counts(_reader: Reader, key: Key, scope: Scope, person: str) -> pd.DataFrame:
    """Return per brand how many mentions in scope `person` has not read, and how many are new."""
    where, params = browse.scope_where(scope)
    return triage.inbox_counts(_reader.con, person, where, params)


@cached
def triage_of(_reader: Reader, key: Key, ids: tuple[str, ...], person: str) -> pd.DataFrame:
    """Return status, assignee, tags and read state (for `person`) of the given mentions."""
    return triage.triage_of(_reader.con, ids, person)


@cached
def mention_history(
    _reader: Reader, key: Key, mention_id: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return a mention's notes (oldest first) and its audit trail (newest first)."""
    return triage.notes_of(_reader.con, mention_id), triage.audit_of(_reader.con, mention_id)


@cached
def triage_options(_reader: Reader, key: Key) -> tuple[list[str], list[str]]:
    """Return the tags in use and the people mentions are assigned to."""
    return triage.known_tags(_reader.con), triage.known_assignees(_reader.con)


@cached
def saved_views(_reader: Reader, key: Key) -> pd.DataFrame:
    """Return the saved views."""
    return triage.saved_views(_reader.con)


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
def coverage(_reader: Reader, key: Key, tz: str) -> dict[str, date]:
    """Return each mention source's first local day with data (where its history begins)."""
    zone = ZoneInfo(tz)
    return {s: t.astimezone(zone).date() for s, t in signals.coverage_start(_reader.con).items()}


@cached
def last_collected(_reader: Reader, key: Key) -> datetime | None:
    """Return when the latest collection that stored anything ended."""
    return signals.last_collected(_reader.con)


@cached
def totals_between(
    _reader: Reader,
    key: Key,
    now: tuple[datetime, datetime],
    before: tuple[datetime, datetime],
    f: Filters,
    tz: str,
) -> pd.DataFrame:
    """Return every brand's totals in two spans of instants (for like-for-like changes)."""
    return signals.totals_between(
        _reader.con,
        None,
        now,
        before,
        f.sources,
        f.sentiments,
        (f.previous().first, f.last),
        tz,
        everything=f.everything,
        languages=f.languages,
    )


@cached
def alert_delivery(_reader: Reader, key: Key) -> pd.DataFrame:
    """Return per alert channel how many messages are sent, retrying and given up."""
    return outbox.delivery_state(_reader.con)


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
        "everything": f.everything,
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
    """Return the terms and phrases significantly more used in `now` than in `before`, and
    the sample sizes used.

    Each period is read from a random sample of TERM_SAMPLE mentions (all of them when it
    has fewer), so the cost stays flat at any database size; counts are of the samples then,
    and the page says so.
    """
    con = _reader.con
    now_ids, now_total = browse.sample_mention_ids(con, now, TERM_SAMPLE)
    before_ids, before_total = browse.sample_mention_ids(con, before, TERM_SAMPLE)
    current, n = terms.count_terms(signals.mention_texts(con, now_ids), exclude)
    baseline, m = terms.count_terms(signals.mention_texts(con, before_ids), exclude)
    result = terms.emerging_terms(current, n, baseline, m, exclude=exclude, limit=limit)
    sizes = {
        "now": now_total,
        "before": before_total,
        "now_sampled": len(now_ids),
        "before_sampled": len(before_ids),
    }
    return result, sizes


@cached
def spikes(
    _reader: Reader,
    key: Key,
    f: Filters,
    tz: str,
    brands: tuple[str, ...],
    per_brand: bool,
    planned: tuple[tuple[str, str, date, date], ...] = (),
    today: date | None = None,
    hours_past: float = 24.0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (days, incidents) of the window, incidents most severe first.

    The daily series starts WINDOW_DAYS before the window, so its first days have the
    history the detector needs. With `per_brand` each brand is scored on its own series,
    else the brands' sum is. `planned` holds (brand, campaign, first, last); when the
    window ends on `today`, that day counts as the `hours_past` share of a usual day.
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
        everything=f.everything,
        languages=list(f.languages),
    )
    if not per_brand:
        volume = volume.groupby("period", as_index=False)[["mentions", "negative"]].sum()
        volume["brand"] = " + ".join(brands)
    fraction = 1.0
    if today is not None and f.last == today:
        profile = signals.hour_profile(
            _reader.con, brands, history_first, today - timedelta(days=1), list(f.sources), tz
        )
        fraction = spikes_module.elapsed_share(profile, hours_past)
    windows: dict[str, list[tuple[str, date, date]]] = {}
    for brand, name, start, end in planned:
        windows.setdefault(brand, []).append((name, start, end))
    return spikes_module.brand_incidents(volume, f.first, planned=windows, today_fraction=fraction)


@cached
def campaign_daily(
    _reader: Reader,
    key: Key,
    brands: tuple[str, ...],
    first: date,
    last: date,
    sources: tuple[str, ...],
    tz: str,
    everything: bool = False,
) -> pd.DataFrame:
    """Return zero-filled daily counts of `brands` from `first` to `last` (campaign pages)."""
    return analytics.daily_volume(
        _reader.con,
        list(brands),
        first,
        last,
        list(sources),
        None,
        tz=tz,
        granularity="day",
        everything=everything,
    )


@cached
def relevance_counts(_reader: Reader, key: Key, scope: Scope, brand: str) -> tuple[int, int]:
    """Return how many of a brand's mentions in scope count and how many are left out."""
    return relevance_store.counted_in_scope(_reader.con, scope, brand)


@cached
def review_queue(
    _reader: Reader, key: Key, scope: Scope, brand: str, threshold: float, limit: int
) -> pd.DataFrame:
    """Return a brand's unmarked mentions in scope, the most uncertain first."""
    return relevance_store.review_queue(_reader.con, scope, brand, threshold, limit)


@cached
def relevance_estimate(_reader: Reader, key: Key, signals: Signals) -> Estimate:
    """Return the brand's filter precision, cross-validated on its own marks."""
    marks = relevance_store.marks(_reader.con, signals.name)
    texts = [text_of(r.title, r.text) for r in marks.itertuples(index=False)]
    labels = [r.label == relevance_store.RELATED for r in marks.itertuples(index=False)]
    return cross_validate(signals, texts, labels)
