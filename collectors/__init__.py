"""Collectors: one module per public source, each turning what it fetches into Mentions."""

from __future__ import annotations

import importlib
from types import ModuleType

from brandpulse.collectors.base import Section

# Source name -> module implementing the protocol in collectors.base. Built-ins are
# registered the same way an outside source would be: one line here. Config parsing,
# `collect --source`, status, the example config and the docs all read this dict.
REGISTRY: dict[str, str] = {
    "feeds": "brandpulse.collectors.feeds",
    "reddit": "brandpulse.collectors.reddit",
    "hackernews": "brandpulse.collectors.hackernews",
    "mastodon": "brandpulse.collectors.mastodon",
    "bluesky": "brandpulse.collectors.bluesky",
    "lemmy": "brandpulse.collectors.lemmy",
    "appstore": "brandpulse.collectors.appstore",
}


def load(name: str) -> ModuleType:
    """Return the collector module registered under `name` (imported on first use)."""
    try:
        return importlib.import_module(REGISTRY[name])
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise KeyError(f"unknown source {name!r}; known sources: {known}") from None


def modules() -> list[ModuleType]:
    """Return every registered source module, in registry (collection) order."""
    return [load(name) for name in REGISTRY]


def sections() -> list[Section]:
    """Return the TOML sections the registered sources read, each once, in registry order.

    Two sources may share a section (`[fetch]`) by listing the same `Section`; two different
    sections under one key are a registry mistake and raise ValueError.
    """
    found: dict[str, Section] = {}
    for module in modules():
        for section in module.sections:
            known = found.setdefault(section.key, section)
            if known != section:
                raise ValueError(
                    f"source {module.name!r} declares [{section.key}] differently from an"
                    " earlier source; share one Section object instead"
                )
    return list(found.values())


def mention_sources() -> list[str]:
    """Return every `Mention.source` value the registered sources yield, in registry order."""
    return [source for module in modules() for source in module.mention_sources]
