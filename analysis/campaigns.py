"""Campaign matching: a mention of the campaign's brand, inside its window, using a tracked term."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

from analysis.matcher import MentionView, evaluate
from analysis.rules import CampaignRule
from store.records import BrandMatch, CampaignMatch, Mention


def match_campaigns(
    mentions: Iterable[Mention],
    brands: Sequence[BrandMatch],
    campaigns: Sequence[CampaignRule],
    timezone: str = "UTC",
) -> list[CampaignMatch]:
    """Return the campaign matches: window dates are inclusive, in the display time zone.

    A campaign without tracked terms takes every mention of its brand in the window.
    """
    if not campaigns:
        return []
    zone = ZoneInfo(timezone)
    brands_of: dict[str, set[str]] = {}
    for match in brands:
        brands_of.setdefault(match.mention_id, set()).add(match.brand.casefold())
    matches = []
    for mention in mentions:
        named = brands_of.get(mention.id)
        if not named:
            continue
        day = mention.published_at.astimezone(zone).date()
        view: MentionView | None = None
        for campaign in campaigns:
            if campaign.brand.casefold() not in named or not campaign.start <= day <= campaign.end:
                continue
            if not campaign.terms:
                matches.append(CampaignMatch(mention.id, campaign.name, None))
                continue
            view = view or MentionView.of(mention)
            for term in campaign.terms:
                hit = evaluate(term, view)
                if hit:
                    matches.append(CampaignMatch(mention.id, campaign.name, hit))
                    break
    return matches
