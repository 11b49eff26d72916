"""The shared frame of every rerun: settings, the rerun's database reader, bounds and filters.

`app.py` builds it before running the page; pages fetch it with `current()`. It lives in
session state because Streamlit runs each browser session in its own thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import streamlit as st
from brandpulse.dashboard import data, people, sidebar, ui
from brandpulse.dashboard.db import Reader
from brandpulse.dashboard.filters import Filters, local_day
from brandpulse.dashboard.settings import Settings
from brandpulse.store.scope import Scope

from brandpulse.config import Config

_KEY = "_brandpulse_frame"


@dataclass
class Frame:
    """What a page needs: where the data is, its version (the cache key) and the filters."""

    settings: Settings
    reader: Reader
    version: int
    bounds: dict[str, Any]
    filters: Filters
    # Who is acting in this session (see people.render).
    person: str = "local"

    @property
    def config(self) -> Config:
        return self.settings.config

    @property
    def tz(self) -> str:
        return self.settings.timezone

    @property
    def key(self) -> tuple[str, int]:
        """Return the cache key of the data: the database file and its data version.

        With "count copies once" every count reads differently (see store.sql.copies_once),
        so those results are cached apart.
        """
        copies = " (copies once)" if self.filters.copies_once else ""
        return (f"{self.settings.db}{copies}", self.version)

    @property
    def scope(self) -> Scope:
        return self.filters.scope(self.tz)

    @property
    def inbox_scope(self) -> Scope:
        """Return the scope with the Mentions page's triage filters, for this person."""
        return self.filters.inbox_scope(self.tz, self.person)

    @property
    def empty(self) -> bool:
        return not self.bounds["mentions"]


def brand_options(config: Config, stored: list[str]) -> list[str]:
    """Return brands to offer: own brands, then competitors, then any other stored brand."""
    names = [b.name for b in config.own_brands] + [b.name for b in config.competitors]
    return names + [b for b in stored if b not in names]


def build(settings: Settings, reader: Reader) -> Frame:
    """Read the data version and bounds, draw the sidebar and remember the frame."""
    version = reader.version()
    bounds = data.bounds(reader, (str(settings.db), version))
    tz = settings.timezone
    today = local_day(datetime.now(UTC), tz)
    assert today is not None
    newest = local_day(bounds["last"], tz) or today
    oldest = local_day(bounds["first"], tz) or newest
    key = (str(settings.db), version)
    views = data.saved_views(reader, key)
    default = views[views["is_default"]]
    filters = sidebar.render(
        brands=brand_options(settings.config, bounds["brands"]),
        sources=bounds["sources"],
        languages=bounds.get("languages", []),
        newest=newest,
        oldest=oldest,
        tz=tz,
        default_query="" if default.empty else str(default.iloc[0]["query"]),
    )
    person = people.render(settings.user)
    frame = Frame(settings, reader, version, bounds, filters, person)
    if bounds["mentions"]:
        counts = data.inbox_counts(reader, key, frame.scope, person)
        with st.sidebar:
            st.markdown("**Inbox** · in this period")
            for row in counts.itertuples(index=False):
                st.caption(
                    f"{ui.plain(row.brand)}: {int(row.unread):,} unread · {int(row.new):,} new"
                )
    st.session_state[_KEY] = frame
    return frame


def current() -> Frame:
    """Return the frame `app.py` built for this rerun."""
    return st.session_state[_KEY]
