"""The Mentions page's CSV download: exactly the filtered view, built only when clicked.

The file is what `brandpulse export --what mentions --format csv` writes for the same
filters (one row per mention and brand, times in the display zone, formulas neutralised):
it is read by the same store function and neutralised by the same function, with the same
CSV options. Search words, which the export command does not have, narrow it further.
"""

from __future__ import annotations

import io
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import streamlit as st
from brandpulse.analysis.spreadsheet import write_csv
from brandpulse.dashboard.db import Reader
from brandpulse.dashboard.filters import Filters
from brandpulse.dashboard.frame import Frame
from brandpulse.store import exports


def export_filter(filters: Filters, tz: str) -> exports.ExportFilter:
    """Return the export filter equal to the sidebar filters."""
    return exports.ExportFilter(
        brands=filters.brands,
        sources=filters.sources,
        sentiments=filters.sentiments,
        first=filters.first,
        last=filters.last,
        tz=tz,
        everything=filters.everything,
    )


def _matches(batch: pa.RecordBatch, words: list[str]) -> pa.RecordBatch:
    """Keep the rows whose title or text contains every word, ignoring case."""
    if not words:
        return batch
    title = pc.utf8_lower(pc.fill_null(batch.column("title"), ""))
    text = pc.utf8_lower(pc.fill_null(batch.column("text"), ""))
    keep = None
    for word in words:
        hit = pc.or_(pc.match_substring(title, word), pc.match_substring(text, word))
        keep = hit if keep is None else pc.and_(keep, hit)
    return batch.filter(keep)


def mentions_csv(db: Path, filters: Filters, tz: str, search: str = "") -> bytes:
    """Return the CSV of the filtered mentions (and search words), oldest first."""
    words = [w.lower() for w in search.split()]
    buffer = io.BytesIO()
    with Reader(db) as reader:
        batches = exports.mentions_reader(reader.con, export_filter(filters, tz))
        write_csv((_matches(b, words) for b in batches), batches.schema, buffer)
    return buffer.getvalue()


def csv_button(here: Frame, search: str) -> None:
    """Draw the download button; the CSV is generated when it is clicked, not on every rerun."""
    db, filters, tz = here.settings.db, here.filters, here.tz
    name = f"brandpulse-mentions-{filters.first:%Y%m%d}-{filters.last:%Y%m%d}.csv"
    st.download_button(
        "Download these mentions (CSV)",
        data=lambda: mentions_csv(db, filters, tz, search),
        file_name=name,
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        help="One row per mention and brand, as `brandpulse export --what mentions` writes"
        " for the same filters.",
    )
