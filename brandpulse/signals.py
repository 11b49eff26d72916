"""Incidents as exports and alerts see them: store reads handed to analysis.spikes, with drivers."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from brandpulse.analysis import spikes, terms
from brandpulse.analysis.query import text_terms
from brandpulse.config import Config
from brandpulse.rules import rules_from_config
from brandpulse.store import signals, term_cache, trends, voices
from brandpulse.store.scope import Scope

# Mentions read per period for terms: enough for shares to within about a point, and cheap
# at any size.
TERM_SAMPLE = 2000


def planned_windows(config: Config) -> dict[str, list[tuple[str, date, date]]]:
    """Return each brand's campaign windows (name, first, last): surges there are expected."""
    out: dict[str, list[tuple[str, date, date]]] = {}
    for campaign in config.campaigns:
        out.setdefault(campaign.brand, []).append((campaign.name, campaign.start, campaign.end))
    return out


def incidents(
    con: duckdb.DuckDBPyConnection,
    config: Config,
    scope: Scope,
    now: datetime,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (days, incidents) of the scope's brands over its days, as the Spikes page shows.

    History before the first stored day would be zeros that only mean "not collected
    yet", so the series starts no earlier than that day. When the last day is today (in
    the scope's time zone), today counts as the share of a usual day already past at `now`.
    """
    tz = scope.tz
    first, last = scope.days()
    bounds = trends.data_range(con, tz)
    if bounds is None or not scope.brands:
        return pd.DataFrame(columns=spikes.DAY_COLUMNS), pd.DataFrame(
            columns=spikes.INCIDENT_COLUMNS
        )
    history_first = max(first - timedelta(days=spikes.WINDOW_DAYS), bounds[0])
    volume = trends.daily_volume(con, scope.over(history_first, last), "day")
    local = now.astimezone(ZoneInfo(tz))
    fraction = 1.0
    if last == local.date():
        history = scope.over(history_first, last - timedelta(days=1))
        profile = signals.hour_profile(con, replace(history, sentiments=()))
        fraction = spikes.elapsed_share(profile, local.hour + local.minute / 60)
    return spikes.brand_incidents(
        volume, first, planned=planned_windows(config), today_fraction=fraction
    )


def drivers(
    con: duckdb.DuckDBPyConnection,
    config: Config,
    scope: Scope,
    top_terms: int = 5,
    top_mentions: int = 3,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (terms, mentions) behind an incident: its terms and phrases significantly more
    used than in the four weeks before it (as the Spikes page finds them), and its most
    engaged mentions. `scope` is the incident's brand over its days."""
    (brand,) = scope.brands
    start, end = scope.days()
    rules = rules_from_config(config)
    own = [brand, *{r.name: text_terms(r.query) for r in rules.brands}.get(brand, [])]
    for b in config.brands:
        if b.name == brand:
            own += [*b.keywords, *b.aliases]

    before = scope.over(start - timedelta(days=spikes.WINDOW_DAYS), start - timedelta(days=1))
    found, _ = sampled_emerging_terms(con, scope, before, tuple(own), top_terms, min_mentions=2)
    top = voices.top_mentions(con, scope, top_mentions)
    return found, top


def sampled_emerging_terms(
    con: duckdb.DuckDBPyConnection,
    now: Scope,
    before: Scope,
    exclude: tuple[str, ...],
    limit: int,
    *,
    min_mentions: int = terms.MIN_MENTIONS,
    stored: bool = True,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Return the terms and phrases significantly more used in `now` than in `before`, and
    the sample sizes used.

    Each period is read from a fixed random sample of TERM_SAMPLE mentions (the lowest
    sample keys in scope; all of them when it has fewer), so the cost stays flat at any
    database size and every reader sees the same sample. With `stored`, a sample whose
    mentions all have stored terms is counted in SQL; otherwise (or without `stored`) the
    sampled texts are read and tokenised. Both give the same result.
    """
    now_keys, now_total = term_cache.sample(con, now, TERM_SAMPLE)
    before_keys, before_total = term_cache.sample(con, before, TERM_SAMPLE)
    counted = None
    if stored and term_cache.cached(now_keys + before_keys):
        counted = term_cache.count_terms(
            con, [now_keys, before_keys], terms.brand_words(exclude), min_mentions
        )
    if counted is None:
        now_ids = term_cache.sample_ids(con, now, now_keys)
        before_ids = term_cache.sample_ids(con, before, before_keys)
        current, n = terms.count_terms(signals.mention_texts(con, now_ids, now), exclude)
        baseline, m = terms.count_terms(signals.mention_texts(con, before_ids, before), exclude)
        totals = None
    else:
        frame, sums, (n, m) = counted
        current = frame[["term", "g0"]].rename(columns={"g0": "mentions"})
        baseline = frame[["term", "g1"]].rename(columns={"g1": "mentions"})
        totals = (sums[0], sums[1])
    result = terms.emerging_terms(
        current,
        n,
        baseline,
        m,
        min_mentions=min_mentions,
        exclude=exclude,
        limit=limit,
        totals=totals,
    )
    sizes = {"now": now_total, "before": before_total, "now_sampled": n, "before_sampled": m}
    return result, sizes
