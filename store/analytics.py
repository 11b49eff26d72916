"""The trend readers in one namespace: counts, KPIs, voices and terms, learning inputs.

Each lives in a module of its own (`trends`, `kpis`, `voices`, `learning`, `days`); this
module gathers their names for callers that want one import.
"""

from __future__ import annotations

from brandpulse.store.days import GRANULARITIES, offset_changes, utc_bounds
from brandpulse.store.kpis import kpis
from brandpulse.store.learning import (
    agreement_rate,
    analysis_state,
    correction_agreement,
    correction_counts,
    correction_examples,
    last_training,
    mentions_after,
)
from brandpulse.store.trends import (
    brands_present,
    daily_volume,
    data_range,
    share_of_voice,
    share_of_voice_over_time,
)
from brandpulse.store.voices import DIMENSIONS, TERM_PATTERN, term_counts, top_by, top_mentions

__all__ = [
    "DIMENSIONS",
    "GRANULARITIES",
    "TERM_PATTERN",
    "agreement_rate",
    "analysis_state",
    "brands_present",
    "correction_agreement",
    "correction_counts",
    "correction_examples",
    "daily_volume",
    "data_range",
    "kpis",
    "last_training",
    "mentions_after",
    "offset_changes",
    "share_of_voice",
    "share_of_voice_over_time",
    "term_counts",
    "top_by",
    "top_mentions",
    "utc_bounds",
]
