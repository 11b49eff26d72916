"""Cached readers: each runs a store or analysis function once per filters and data version.

Every reader takes `_reader` (not hashed; its connection is opened only on a cache miss) and
`key`, the database path and data version: any write bumps the version, so results are
recomputed exactly when the data changed and reruns are otherwise instant.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st
from brandpulse.analysis import spikes as spikes_module
from brandpulse.analysis.relevance import Estimate, Signals, text_of
from brandpulse.dashboard.db import Reader
from brandpulse.store import browse, learning, outbox, signals, trends, triage
from brandpulse.store import copies as copies_store
from brandpulse.store import kpis as kpis_store
from brandpulse.store import relevance as relevance_store
from brandpulse.store.scope import Scope

from brandpulse import relevance
from brandpulse.signals import sampled_emerging_terms

Key = tuple[str, int]
# Results for a few dozen filter combinations per page stay in memory; older ones are dropped.
ENTRIES = 64
cached = st.cache_data(show_spinner=False, max_entries=ENTRIES)


@cached
def bounds(_reader: Reader, key: Key) -> dict[str, Any]:
    """Return stored mention count, first/last time, brands and sources."""
    return browse.overview_bounds(_reader.con)


@cached
def learning_status(_reader: Reader, key: Key) -> dict[str, Any]:
    """Return how many corrections there are, how many of them confirm the scorer's label,
    and the last `sentiment train` run (or None)."""
    total, confirmed = learning.correction_counts(_reader.con)
    return {
        "corrections": total,
        "confirmed": confirmed,
        "last_training": learning.last_training(_reader.con),
    }


@cached
def searched_keys(_reader: Reader, key: Key, scope: Scope) -> list[tuple[Any, str]] | None:
    """Return a searched scope's keys when its other filters leave few mentions, else None.

    Only a search pays for reading texts, so only then is this worth a first query; the
    count and every page of such a scope come from these keys.
    """
    if not scope.search.split():
        return None
    return browse.sparse_keys(_reader.con, scope)


@cached
def planned(_reader: Reader, key: Key, scope: Scope) -> Scope:
    """Return the scope with its search's use of trigram bits decided, once for the count
    and every page."""
    return browse.plan_search(_reader.con, scope)


@cached
def count_mentions(_reader: Reader, key: Key, scope: Scope) -> int:
    """Return how many mentions match the scope (search words included)."""
    keys = searched_keys(_reader, key, scope)
    if keys is not None:
        return len(keys)
    return browse.count_mentions(_reader.con, planned(_reader, key, scope))


@cached
def mention_page(
    _reader: Reader,
    key: Key,
    scope: Scope,
    before: tuple[Any, str] | None,
    limit: int,
) -> pd.DataFrame:
    """Return one page of mentions, newest first, after the key `before` (None: the first)."""
    keys = searched_keys(_reader, key, scope)
    if keys is not None:
        return browse.page_of_keys(_reader.con, keys, before=before, limit=limit)
    return browse.mention_page(
        _reader.con, planned(_reader, key, scope), before=before, limit=limit
    )


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
    where, params = scope.where()
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
    scope: Scope,
    now: tuple[datetime, datetime],
    before: tuple[datetime, datetime],
) -> pd.DataFrame:
    """Return every brand's totals in two spans of instants (for like-for-like changes); the
    scope's days cover both."""
    return signals.totals_between(_reader.con, scope, now, before)


@cached
def alert_delivery(_reader: Reader, key: Key) -> pd.DataFrame:
    """Return per alert channel how many messages are sent, retrying and given up."""
    return outbox.delivery_state(_reader.con)


@cached
def data_freshness(_reader: Reader, key: Key) -> pd.DataFrame:
    """Return newest published and collected times per mention source."""
    return browse.data_freshness(_reader.con)


@cached
def daily_volume(_reader: Reader, key: Key, scope: Scope, granularity: str) -> pd.DataFrame:
    """Return mentions by sentiment per period and brand (zero-filled)."""
    return trends.daily_volume(_reader.con, scope, granularity)


@cached
def kpis(_reader: Reader, key: Key, scope: Scope) -> pd.DataFrame:
    """Return the brands' totals now and in the previous window (for shares and changes)."""
    return kpis_store.kpis(_reader.con, scope)


@cached
def share_of_voice_over_time(
    _reader: Reader, key: Key, scope: Scope, granularity: str
) -> pd.DataFrame:
    """Return each brand's share of the period's mentions."""
    return trends.share_of_voice_over_time(_reader.con, scope, granularity)


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

    Counts are of a fixed sample of each period (`signals.sampled_emerging_terms`), and the
    page says so.
    """
    return sampled_emerging_terms(_reader.con, now, before, exclude, limit)


@cached
def spikes(
    _reader: Reader,
    key: Key,
    scope: Scope,
    per_brand: bool,
    planned: tuple[tuple[str, str, date, date], ...] = (),
    today: date | None = None,
    hours_past: float = 24.0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (days, incidents) of the scope's window, incidents most severe first.

    The daily series starts WINDOW_DAYS before the window, so its first days have the
    history the detector needs. With `per_brand` each brand is scored on its own series,
    else the brands' sum is. `planned` holds (brand, campaign, first, last); when the
    window ends on `today`, that day counts as the `hours_past` share of a usual day.
    """
    first, last = scope.days()
    history_first = first - timedelta(days=spikes_module.WINDOW_DAYS)
    volume = trends.daily_volume(_reader.con, scope.over(history_first, last), "day")
    if not per_brand:
        volume = volume.groupby("period", as_index=False)[["mentions", "negative"]].sum()
        volume["brand"] = " + ".join(scope.brands)
    fraction = 1.0
    if today is not None and last == today:
        history = scope.over(history_first, today - timedelta(days=1))
        profile = signals.hour_profile(_reader.con, replace(history, sentiments=()))
        fraction = spikes_module.elapsed_share(profile, hours_past)
    windows: dict[str, list[tuple[str, date, date]]] = {}
    for brand, name, start, end in planned:
        windows.setdefault(brand, []).append((name, start, end))
    return spikes_module.brand_incidents(volume, first, planned=windows, today_fraction=fraction)


@cached
def campaign_daily(_reader: Reader, key: Key, scope: Scope) -> pd.DataFrame:
    """Return zero-filled daily counts of the scope's brands over its days (campaign pages)."""
    return trends.daily_volume(_reader.con, scope, "day")


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
def relevance_estimate(_reader: Reader, key: Key, signals: Signals, accurate: bool) -> Estimate:
    """Return the brand's filter precision, cross-validated on its own marks with the model
    that scores its mentions (`accurate`: with the embedding heads)."""
    marks = relevance_store.marks(_reader.con, signals.name)
    texts = [text_of(r.title, r.text) for r in marks.itertuples(index=False)]
    labels = [r.label == relevance_store.RELATED for r in marks.itertuples(index=False)]
    return relevance.estimate(signals, texts, labels, accurate)
