"""Collectors: one module per public source, each turning what it fetches into Mentions."""

from __future__ import annotations

import importlib
from types import ModuleType

# Source name -> module implementing collectors.base.Collector. Built-ins are registered
# the same way an outside source would be: one line here.
REGISTRY: dict[str, str] = {
    "feeds": "brandpulse.collectors.feeds",
    "reddit": "brandpulse.collectors.reddit",
}


def load(name: str) -> ModuleType:
    """Return the collector module registered under `name` (imported on first use)."""
    try:
        return importlib.import_module(REGISTRY[name])
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise KeyError(f"unknown source {name!r}; known sources: {known}") from None
