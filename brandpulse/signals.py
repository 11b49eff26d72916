"""Incidents as exports and alerts see them: store reads handed to analysis.spikes, with drivers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from brandpulse.analysis import spikes
from brandpulse.analysis.query import text_terms
from brandpulse.analysis.terms import count_terms, emerging_terms
from brandpulse.config import Config
from brandpulse.rules import rules_from_config
from brandpulse.store import analytics, browse, signals
from brandpulse.store.browse import Scope

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
    brands: Sequence[str],
    first: date,
    last: date,
    sources: Sequence[str],
    tz: str,
    now: datetime,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (days, incidents) of `brands` from `first` to `last`, as the Spikes page shows.

    History before the first stored day would be zeros that only mean "not collected
    yet", so the series starts no earlier than that day. When `last` is today (in `tz`),
    today counts as the share of a usual day already past at `now`.
    """
    bounds = analytics.data_range(con, tz)
    if bounds is None or not brands:
        return pd.DataFrame(columns=spikes.DAY_COLUMNS), pd.DataFrame(
            columns=spikes.INCIDENT_COLUMNS
        )
    history_first = max(first - timedelta(days=spikes.WINDOW_DAYS), bounds[0])
    volume = analytics.daily_volume(
        con, list(brands), history_first, last, list(sources), None, tz, "day"
    )
    local = now.astimezone(ZoneInfo(tz))
    fraction = 1.0
    if last == local.date():
        profile = signals.hour_profile(
            con, brands, history_first, last - timedelta(days=1), sources, tz
        )
        fraction = spikes.elapsed_share(profile, local.hour + local.minute / 60)
    return spikes.brand_incidents(
        volume, first, planned=planned_windows(config), today_fraction=fraction
    )


def drivers(
    con: duckdb.DuckDBPyConnection,
    config: Config,
    brand: str,
    start: date,
    end: date,
    sources: Sequence[str],
    tz: str,
    top_terms: int = 5,
    top_mentions: int = 3,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (terms, mentions) behind an incident: its terms and phrases significantly more
    used than in the four weeks before it (as the Spikes page finds them), and its most
    engaged mentions."""
    rules = rules_from_config(config)
    own = [brand, *{r.name: text_terms(r.query) for r in rules.brands}.get(brand, [])]
    for b in config.brands:
        if b.name == brand:
            own += [*b.keywords, *b.aliases]

    def sample(first: date, last: date) -> tuple[pd.DataFrame, int]:
        zone = ZoneInfo(tz)
        scope = Scope(
            brands=(brand,),
            start=datetime.combine(first, time(0), zone),
            end=datetime.combine(last + timedelta(days=1), time(0), zone),
            sources=tuple(sources),
            sentiments=(),
        )
        ids, _ = browse.sample_mention_ids(con, scope, TERM_SAMPLE)
        return count_terms(signals.mention_texts(con, ids), own)

    now, n_now = sample(start, end)
    before, n_before = sample(start - timedelta(days=spikes.WINDOW_DAYS), start - timedelta(days=1))
    terms = emerging_terms(
        now, n_now, before, n_before, min_mentions=2, exclude=own, limit=top_terms
    )
    top = analytics.top_mentions(con, brand, start, end, sources, None, tz, top_mentions)
    return terms, top
