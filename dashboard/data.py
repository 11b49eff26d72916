"""Cached readers: each runs a store or analysis function once per filters and data version.

Every reader takes `_reader` (not hashed; its connection is opened only on a cache miss) and
`key`, the database path and data version: any write bumps the version, so results are
recomputed exactly when the data changed and reruns are otherwise instant.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.db import Reader
from dashboard.filters import Filters
from store import analytics, browse
from store.browse import Scope

Key = tuple[str, int]
# Results for a few dozen filter combinations per page stay in memory; older ones are dropped.
ENTRIES = 64
cached = st.cache_data(show_spinner=False, max_entries=ENTRIES)


@cached
def bounds(_reader: Reader, key: Key) -> dict[str, Any]:
    """Return stored mention count, first/last time, brands and sources."""
    return browse.overview_bounds(_reader.con)


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
    after: tuple[Any, str] | None,
    limit: int,
) -> pd.DataFrame:
    """Return one page of mentions, newest first."""
    return browse.mention_page(
        _reader.con, scope, search=search, before=before, after=after, limit=limit
    )


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
def top_by(
    _reader: Reader,
    key: Key,
    f: Filters,
    tz: str,
    dimension: str,
    brands: tuple[str, ...],
    limit: int,
) -> pd.DataFrame:
    """Return the top authors, subreddits, domains, feeds or sources."""
    return analytics.top_by(_reader.con, dimension, **_args(f, brands), tz=tz, limit=limit)


@cached
def share_of_voice_over_time(
    _reader: Reader, key: Key, f: Filters, tz: str, brands: tuple[str, ...], granularity: str
) -> pd.DataFrame:
    """Return each brand's share of the period's mentions."""
    return analytics.share_of_voice_over_time(
        _reader.con, **_args(f, brands), tz=tz, granularity=granularity
    )


@cached
def share_of_voice(
    _reader: Reader, key: Key, f: Filters, tz: str, brands: tuple[str, ...]
) -> pd.DataFrame:
    """Return each brand's share of the window's mentions, with its net sentiment."""
    return analytics.share_of_voice(_reader.con, **_args(f, brands), tz=tz)
