"""The Mentions page's CSV download: exactly the filtered view, built only when clicked."""

from __future__ import annotations

import io

import streamlit as st

from dashboard.db import Reader
from dashboard.frame import Frame
from store import browse

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _neutralise(value: object) -> object:
    # A cell starting with = + - @ is run as a formula by spreadsheets: prefix a quote.
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def mentions_csv(db: object, scope: browse.Scope, search: str) -> bytes:
    """Return the CSV of every mention in scope (and matching the search), newest first."""
    with Reader(db) as reader:  # type: ignore[arg-type]
        df = browse.export_mentions(reader.con, scope, search)
    for column in df.columns:
        if df[column].dtype == object or str(df[column].dtype).startswith("str"):
            df[column] = df[column].map(_neutralise)
    buffer = io.StringIO()
    df.to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")


def csv_button(here: Frame, search: str) -> None:
    """Draw the download button; the CSV is generated when it is clicked, not on every rerun."""
    db, scope = here.settings.db, here.scope
    name = f"brandpulse-mentions-{here.filters.first:%Y%m%d}-{here.filters.last:%Y%m%d}.csv"
    st.download_button(
        "Download these mentions (CSV)",
        data=lambda: mentions_csv(db, scope, search),
        file_name=name,
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
    )
