"""Incidents as exports and alerts see them: store reads handed to analysis.spikes, with drivers."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from brandpulse.analysis import spikes
from brandpulse.analysis.query import text_terms
from brandpulse.analysis.terms import count_terms, emerging_terms
from brandpulse.config import Config
from brandpulse.rules import rules_from_config
from brandpulse.store import browse, signals, trends, voices
from brandpulse.store.scope import Scope

# Mentions read per window for terms, as the dashboard does: counts stay cheap at any size.
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

    def sample(first: date, last: date) -> tuple[pd.DataFrame, int]:
        window = scope.over(first, last)
        ids, _ = browse.sample_mention_ids(con, window, TERM_SAMPLE)
        return count_terms(signals.mention_texts(con, ids, window), own)

    now, n_now = sample(start, end)
    before, n_before = sample(start - timedelta(days=spikes.WINDOW_DAYS), start - timedelta(days=1))
    terms = emerging_terms(
        now, n_now, before, n_before, min_mentions=2, exclude=own, limit=top_terms
    )
    top = voices.top_mentions(con, scope, top_mentions)
    return terms, top
