"""What analysis needs to know from the config, as plain values: brands, campaigns, thresholds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from brandpulse.analysis.query import Node


@dataclass(frozen=True)
class BrandRule:
    """A brand's parsed query and its exclusions; `query_text` is shown back to users."""

    name: str
    query: Node
    query_text: str = ""
    exclude: tuple[Node, ...] = ()
    exclude_sites: tuple[str, ...] = ()
    exclude_subreddits: tuple[str, ...] = ()
    exclude_authors: tuple[str, ...] = ()


@dataclass(frozen=True)
class CampaignRule:
    """A campaign window (dates inclusive, in the display time zone) and its tracked terms."""

    name: str
    brand: str
    start: date
    end: date
    terms: tuple[Node, ...] = ()


@dataclass(frozen=True)
class Rules:
    """Everything `annotate` applies to a batch of mentions."""

    brands: tuple[BrandRule, ...] = ()
    campaigns: tuple[CampaignRule, ...] = ()
    positive_threshold: float = 0.05
    negative_threshold: float = -0.05
    timezone: str = "UTC"
    # Texts longer than this many characters are scored on the sentences naming the brand.
    targeted_min_chars: int = 400
    # "model" (the shipped classifier) or "vader"; `model_path` replaces the shipped model.
    scorer: str = "model"
    # ISO 639-1 codes of the languages kept at collection; empty keeps all.
    languages: tuple[str, ...] = ()
    model_path: Path | None = None
    # With scorer "model": average the embedding head in on the least-confident texts.
    accurate_tier: bool = False

    def brand(self, name: str) -> BrandRule:
        """Return the rule of the brand called `name` (case-insensitive), or raise KeyError."""
        for rule in self.brands:
            if rule.name.casefold() == name.casefold():
                return rule
        known = ", ".join(r.name for r in self.brands) or "none configured"
        raise KeyError(f"no brand called {name!r} (known: {known})")
