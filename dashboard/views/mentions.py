"""Mentions: search and page through the filtered mentions, open one, correct its sentiment."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from brandpulse.dashboard import corrections, data, downloads, frame, panels, ui
from brandpulse.dashboard.filters import SENTIMENTS

PAGE_SIZES = (25, 50, 100, 250)

here = frame.current()
tz = here.tz
st.title("Mentions")
ui.stop_if_empty(here.empty)
corrections.show_outcome()

search = st.text_input(
    "Search titles and texts",
    key="m_search",
    placeholder="words that must all appear, e.g. battery recall",
).strip()
scope = here.scope
size = st.session_state.get("m_size", PAGE_SIZES[1])

# Keyset paging: the stack holds the last key of every page before the current one.
signature = (scope, search, size, here.version)
if st.session_state.get("m_signature") != signature:
    st.session_state["m_signature"] = signature
    st.session_state["m_cursors"] = []
cursors: list[tuple[object, str]] = st.session_state["m_cursors"]
before = cursors[-1] if cursors else None
# A selected row belongs to its page: a new page starts with nothing selected.
if st.session_state.get("m_shown") != (signature, len(cursors)):
    st.session_state["m_shown"] = (signature, len(cursors))
    st.session_state.pop("m_table", None)

total = data.count_mentions(here.reader, here.key, scope, search)
rows = data.mention_page(here.reader, here.key, scope, search, before, size)
page_number = len(cursors) + 1
pages = max(1, -(-total // size))
ui.note_window(here.filters.first, here.filters.last, tz)
st.markdown(f"**{total:,}** mentions match · page {page_number:,} of {pages:,}")

shown = panels.mention_frame(rows, tz)
event = st.dataframe(
    shown,
    key="m_table",
    hide_index=True,
    width="stretch",
    on_select="rerun",
    selection_mode="single-row",
    # Tall enough for 20 rows without scrolling inside the table.
    height=38 + 35 * max(1, min(len(shown), 20)),
    column_config=panels.mention_columns(tz),
)

left, middle, right = st.columns([1, 1, 2])
if left.button("← Newer", disabled=not cursors, width="stretch"):
    cursors.pop()
    st.rerun()
if middle.button("Older →", disabled=len(rows) < size or page_number >= pages, width="stretch"):
    last = rows.iloc[-1]
    cursors.append((last["published_at"].to_pydatetime(), str(last["id"])))
    st.rerun()
right.selectbox(
    "Rows per page",
    PAGE_SIZES,
    index=PAGE_SIZES.index(size),
    key="m_size",
    label_visibility="collapsed",
    format_func=lambda n: f"{n} rows per page",
)

downloads.csv_button(here, search)

picked = event.selection.rows if event and event.selection else []
if picked and picked[0] < len(rows):
    mention_id = str(rows.iloc[picked[0]]["id"])
    detail = data.mention_detail(here.reader, here.key, mention_id)
    if detail is not None:
        with st.container(border=True):
            # Titles and texts come from the web: always shown as plain text, never markup.
            st.text(detail["title"] or "(no title)")
            when = ui.to_local(pd.Series([detail["published_at"]]), tz).iloc[0]
            url = ui.safe_url(detail["url"])
            # The caption renders Markdown: every outside value in it goes through ui.plain.
            st.caption(
                f"{ui.plain(detail['source'])} · {when:%Y-%m-%d %H:%M} ({ui.plain(tz)})"
                f" · by {ui.plain(detail['author'] or '?')}"
                f" · brands: {ui.plain(', '.join(detail['brands'] or []))}"
            )
            st.text(detail["text"])
            if url:
                st.link_button("Open the original", url)
            scorer = detail["scorer_label"] or "unscored"
            score = detail["sentiment_score"]
            st.caption(
                f"Scorer ({ui.plain(detail['scorer'] or '-')}"
                f" {ui.plain(detail['scorer_version'] or '')}): {ui.plain(scorer)}"
                + (f", score {score:+.3f}" if score is not None else "")
                + (
                    f", confidence {detail['confidence']:.0%}"
                    if detail.get("confidence") is not None
                    else ""
                )
                + (f", language {ui.plain(detail['language'])}" if detail.get("language") else "")
                + (
                    f"; corrected to {ui.plain(detail['corrected_label'])}"
                    if detail["corrected_label"]
                    else ""
                )
            )
            current = detail["corrected_label"] or detail["scorer_label"] or "neutral"
            label = st.segmented_control(
                "Correct the sentiment",
                SENTIMENTS,
                default=current if current in SENTIMENTS else None,
                key=f"m_label_{mention_id}",
            )
            st.button(
                "Save correction",
                disabled=label is None or label == current,
                on_click=corrections.save,
                args=(here.settings.db, mention_id, label),
                type="primary",
            )
else:
    st.caption("Select a row to read the whole mention and correct its sentiment.")

learning = data.learning_status(here.reader, here.key)
trained = learning["last_training"]
st.caption(
    f"Corrections so far: {learning['corrections']}. "
    + (
        f"Project model last trained {trained['trained_at']:%Y-%m-%d %H:%M %Z} on"
        f" {trained['corrections']} corrections"
        f" ({'adopted' if trained['adopted'] else 'not better, not adopted'})."
        if trained
        else "No project model trained yet: `brandpulse sentiment train` learns from them."
    )
)
