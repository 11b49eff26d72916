"""Analysis: brand and campaign matching, sentiment and trends, as pure functions over records.

`annotate` is what the pipeline calls for every batch of collected mentions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from brandpulse.analysis.campaigns import match_campaigns
from brandpulse.analysis.matcher import match_mentions
from brandpulse.analysis.query import QuerySyntaxError, parse_query
from brandpulse.analysis.rules import BrandRule, CampaignRule, Rules
from brandpulse.analysis.sentiment import SCORER, SCORER_VERSION, label_for, score_mentions
from brandpulse.store.records import BrandMatch, CampaignMatch, Mention, SentimentLabel

__all__ = [
    "SCORER",
    "SCORER_VERSION",
    "Annotations",
    "BrandRule",
    "CampaignRule",
    "QuerySyntaxError",
    "Rules",
    "annotate",
    "label_for",
    "parse_query",
]


@dataclass
class Annotations:
    """What analysis attaches to a batch of mentions, ready for `store.writes.write_analysis`."""

    brands: list[BrandMatch] = field(default_factory=list)
    campaigns: list[CampaignMatch] = field(default_factory=list)
    sentiments: list[SentimentLabel] = field(default_factory=list)


def annotate(mentions: Sequence[Mention], rules: Rules) -> Annotations:
    """Match brands and campaigns and label sentiment; mentions matching no brand get no label."""
    brands = match_mentions(mentions, rules.brands)
    matched = {b.mention_id for b in brands}
    kept = [m for m in mentions if m.id in matched]
    return Annotations(
        brands=brands,
        campaigns=match_campaigns(kept, brands, rules.campaigns, rules.timezone),
        sentiments=score_mentions(kept, brands, rules),
    )
