"""The Mentions page's CSV download: exactly the filtered view, built only when clicked.

The file is what `brandpulse export --what mentions --format csv` writes for the same
filters (one row per mention and brand, times in the display zone, formulas neutralised):
it is read by the same store function with the same `Scope` and neutralised by the same
function, with the same CSV options. The page's search words and triage filters, which the
export command does not have, narrow it in the same WHERE clause.
"""

from __future__ import annotations

import io
from pathlib import Path

import streamlit as st
from brandpulse.analysis.spreadsheet import write_csv
from brandpulse.dashboard.db import Reader
from brandpulse.dashboard.frame import Frame
from brandpulse.store import exports
from brandpulse.store.scope import Scope


def mentions_csv(db: Path, scope: Scope) -> bytes:
    """Return the CSV of the mentions in scope (search and triage filters included), oldest
    first."""
    buffer = io.BytesIO()
    with Reader(db) as reader:
        batches = exports.mentions_reader(reader.con, scope)
        write_csv(batches, batches.schema, buffer)
    return buffer.getvalue()


def csv_button(here: Frame) -> None:
    """Draw the download button; the CSV is generated when it is clicked, not on every rerun."""
    db, scope = here.settings.db, here.inbox_scope
    name = f"brandpulse-mentions-{scope.first:%Y%m%d}-{scope.last:%Y%m%d}.csv"
    st.download_button(
        "Download these mentions (CSV)",
        data=lambda: mentions_csv(db, scope),
        file_name=name,
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        help="One row per mention and brand, as `brandpulse export --what mentions` writes"
        " for the same filters.",
    )
