"""Small pieces every page shares: error and empty-state explanations, plain text, safe links,
local times."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st
from brandpulse.store.errors import BrandpulseError

GETTING_STARTED = """
**There is nothing to show yet.** brandpulse fills this dashboard from its database:

1. `brandpulse init` writes a commented `brands.toml`: add your brands, competitors and sources.
2. `brandpulse collect` fetches mentions (run it from cron to keep them fresh).
3. Reload this page.

To look around first, `brandpulse demo` builds a database of synthetic demo data and opens it.
"""


# Every ASCII punctuation mark: CommonMark lets a backslash make each one literal, which also
# stops Streamlit's own syntax (`:red[...]`, `:material/x:`, `$math$`).
_MARKUP = re.compile(r"([!-/:-@\\[-`{-~])")
# Bare URLs and e-mail addresses become links after escapes are resolved (GFM autolinks run on
# the parsed text), so an invisible word joiner goes where the link pattern needs its next
# character: "http:\u2060//", "www\u2060.", "a@\u2060b.c".
_AUTOLINK = re.compile(r"(?i)(https?:)(?=//)|\b(www)(?=\.)|(@)")
WORD_JOINER = "\u2060"


def plain(value: object) -> str:
    """Return text from outside (an author, a site, an error) made safe for Streamlit's
    Markdown: `![](http://x/beacon.png)` shows as those characters, never as an image or link.

    For captions, labels and messages that mix our words with outside text; whole texts go
    to `st.text`. Line breaks become spaces: one caption line stays one line.
    """
    text = " ".join(str(value).split())
    text = _AUTOLINK.sub(lambda m: m.group(0) + WORD_JOINER, text)
    return _MARKUP.sub(r"\\\1", text)


def explain_error(exc: BrandpulseError) -> None:
    """Show a brandpulse error as a message and its fix, never a traceback."""
    if "no database at" in exc.message:
        st.info(f"No database yet: {plain(exc.message.removeprefix('no database at '))}")
        st.markdown(GETTING_STARTED)
        return
    st.error(plain(exc.message))
    if exc.fix:
        st.caption(f"Fix: {plain(exc.fix)}")


def stop_if_empty(empty: bool) -> None:
    """Explain how to get data and stop the page when the database holds no mention."""
    if empty:
        st.info("The database holds no mentions yet.")
        st.markdown(GETTING_STARTED)
        st.stop()


def safe_url(url: object) -> str | None:
    """Return the URL when it is http(s) with a host, else None: no javascript:, data:, ..."""
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


def to_local(series: pd.Series, tz: str) -> pd.Series:
    """Return timestamps converted to the display time zone, naive, for tables and charts."""
    if series.empty:
        return series
    values = pd.to_datetime(series, utc=True)
    return values.dt.tz_convert(tz).dt.tz_localize(None)


def signed(value: float | None, digits: int = 1, suffix: str = "") -> str | None:
    """Return a change like '+12.5%' for st.metric deltas, None when there is nothing to compare."""
    if value is None or pd.isna(value):
        return None
    return f"{value:+.{digits}f}{suffix}"


def note_window(first: object, last: object, tz: str) -> None:
    """Print the window a page covers, with the time zone its days are in."""
    st.caption(f"{first:%Y-%m-%d} to {last:%Y-%m-%d} · days in {plain(tz)}")


def table(
    rows: pd.DataFrame, columns: dict[str, Any] | None = None, key: str | None = None
) -> None:
    """Show a read-only table across the page, without the index; `columns` as column_config."""
    st.dataframe(rows, hide_index=True, width="stretch", column_config=columns, key=key)


def time_column(label: str, tz: str, *, seconds: bool = False, width: Any = None) -> Any:
    """Return a table column of local times (see `to_local`) whose heading names the zone."""
    return st.column_config.DatetimeColumn(
        f"{label} ({tz})",
        format="YYYY-MM-DD HH:mm:ss" if seconds else "YYYY-MM-DD HH:mm",
        width=width,
    )


def plural(count: int, noun: str) -> str:
    """Return '1 run' or '3 runs'."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"
