"""Analysis: brand and campaign matching, sentiment and trends, as pure functions over records.

`annotate` is what the pipeline calls for every batch of collected mentions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from brandpulse.analysis.campaigns import match_campaigns
from brandpulse.analysis.language import kept as in_languages
from brandpulse.analysis.language import with_languages
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
    """What analysis attaches to a batch of mentions, ready for `store.writes.write_analysis`.

    `mentions` are the ones to keep (matching a brand, in a kept language), with their
    detected language set.
    """

    mentions: list[Mention] = field(default_factory=list)
    brands: list[BrandMatch] = field(default_factory=list)
    campaigns: list[CampaignMatch] = field(default_factory=list)
    sentiments: list[SentimentLabel] = field(default_factory=list)


def annotate(mentions: Sequence[Mention], rules: Rules) -> Annotations:
    """Match brands and campaigns, detect languages and label sentiment.

    Mentions matching no brand, or in a language `rules.languages` leaves out, are dropped
    (no label, not in `mentions`).
    """
    brands = match_mentions(mentions, rules.brands)
    matched = {b.mention_id for b in brands}
    kept = in_languages(with_languages([m for m in mentions if m.id in matched]), rules.languages)
    ids = {m.id for m in kept}
    brands = [b for b in brands if b.mention_id in ids]
    return Annotations(
        mentions=kept,
        brands=brands,
        campaigns=match_campaigns(kept, brands, rules.campaigns, rules.timezone),
        sentiments=score_mentions(kept, brands, rules),
    )
