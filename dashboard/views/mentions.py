"""Mentions: the team's inbox. Search, filter by triage, act on a selection, open one mention."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from brandpulse.analysis.sentiment_train import too_few_confirmations
from brandpulse.dashboard import corrections, data, downloads, frame, inbox, ui
from brandpulse.dashboard.filters import SENTIMENTS
from brandpulse.store.triage import STATUSES

PAGE_SIZES = (25, 50, 100, 250)

here = frame.current()
tz, me = here.tz, here.person
state = st.session_state
st.title("Mentions")
ui.stop_if_empty(here.empty)
corrections.show_outcome()

inbox.saved_views(here)

# The page's filter widgets start from the values kept across pages (and read from the URL).
for widget, kept in (
    ("m_search", "f_search"),
    ("m_status", "f_status"),
    ("m_tags", "f_tags"),
    ("m_assignees", "f_assignees"),
    ("m_unread", "f_unread"),
):
    if widget not in state:
        state[widget] = state.get(kept)
tags, assignees = data.triage_options(here.reader, here.key)
st.text_input(
    "Search titles and texts",
    key="m_search",
    placeholder="words that must all appear, e.g. battery recall",
)
status_col, tag_col, who_col, unread_col = st.columns([2, 2, 2, 1], vertical_alignment="bottom")
status_col.multiselect("Status", STATUSES, key="m_status", placeholder="Any status")
tag_col.multiselect(
    "Tags",
    sorted({*tags, *(state.get("m_tags") or [])}),
    key="m_tags",
    placeholder="Any tag",
)
who_col.multiselect(
    "Assigned to",
    ["", *sorted({*assignees, me, *(state.get("m_assignees") or [])} - {""})],
    key="m_assignees",
    format_func=lambda name: name or "nobody",
    placeholder="Anyone or nobody",
)
unread_col.toggle("Unread", key="m_unread", help=f"Only mentions {me} has not read yet")

f = here.filters
scope = here.inbox_scope
size = state.get("m_size", PAGE_SIZES[1])

# Keyset paging: the stack holds the last key of every page before the current one. A
# change (a read mark, a tag) keeps the page; other filters start again from the first.
signature = (scope, size)
if state.get("m_signature") != signature:
    state["m_signature"] = signature
    state["m_cursors"] = []
cursors: list[tuple[object, str]] = state["m_cursors"]
before = cursors[-1] if cursors else None

rows = data.mention_page(here.reader, here.key, scope, before, size)
ids = tuple(str(i) for i in rows["id"])
# A selection belongs to the rows it was made on: when they change, it is cleared, so the
# ticked boxes are always the rows the actions below apply to.
if state.get("m_shown") != ids:
    state["m_shown"] = ids
    state.pop("m_table", None)
triage_rows = data.triage_of(here.reader, here.key, ids, me)
page_number = len(cursors) + 1
ui.note_window(f.first, f.last, tz)
# The rows are drawn before the count is known: a search over a long window spends most of
# its time counting every match, and the page of newest matches is ready long before.
heading = st.empty()

shown = inbox.table_frame(rows, triage_rows, tz, data.copy_sizes(here.reader, here.key, ids))
# Actions and the open mention sit above the table, in view when a row is ticked; they are
# drawn into this place once the table has said which rows are ticked.
above = st.container()
event = st.dataframe(
    shown,
    key="m_table",
    hide_index=True,
    width="stretch",
    on_select="rerun",
    selection_mode="multi-row",
    # Tall enough for every row of the page: no scrolling inside the table.
    height=38 + 35 * max(1, len(shown)),
    column_config=inbox.table_columns(tz),
)
total = data.count_mentions(here.reader, here.key, scope)
pages = max(1, -(-total // size))
heading.markdown(f"**{total:,}** mentions match · page {page_number:,} of {pages:,}")

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

downloads.csv_button(here)

picked = [n for n in (event.selection.rows if event and event.selection else []) if n < len(rows)]
chosen = [ids[n] for n in picked]
with above:
    if chosen:
        inbox.bulk_actions(here, chosen, tags)
with above:
    if len(chosen) == 1:
        mention_id = chosen[0]
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
                st.code(mention_id, language=None)
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
                    + (
                        f", language {ui.plain(detail['language'])}"
                        if detail.get("language")
                        else ""
                    )
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
                save_col, confirm_col = st.columns(2)
                save_col.button(
                    "Save correction",
                    disabled=label is None or label == current,
                    on_click=corrections.save,
                    args=(here.settings.db, mention_id, label, me),
                    type="primary",
                    width="stretch",
                )
                # A confirmed label teaches the project model as much as a correction.
                confirm_col.button(
                    "Label is right",
                    disabled=bool(detail["corrected_label"])
                    or detail["scorer_label"] not in SENTIMENTS,
                    on_click=inbox.confirm,
                    args=(here.settings.db, [mention_id], me),
                    width="stretch",
                    help="Saves the scorer's label as the team's: `brandpulse sentiment train`"
                    " learns from confirmed labels as from corrections.",
                )
                inbox.history(here, mention_id)
if not chosen:
    above.caption(
        "Tick rows to mark them read, set their status, tag, assign or relabel them; tick one"
        " to read it whole, correct its sentiment and see its notes and history."
    )

learning = data.learning_status(here.reader, here.key)
trained = learning["last_training"]
total, confirmed = learning["corrections"], learning["confirmed"]
st.caption(
    f"Corrections so far: {total}"
    + (f" ({confirmed} confirm the scorer's label). " if total else ". ")
    + (
        f"Project model last trained {trained['trained_at']:%Y-%m-%d %H:%M %Z} on"
        f" {trained['corrections']} corrections"
        f" ({'adopted' if trained['adopted'] else 'not better, not adopted'})."
        if trained
        else "No project model trained yet: `brandpulse sentiment train` learns from them."
    )
    + (
        ' Most are changes: confirm right labels too ("Label is right"), so the project'
        " model learns the brand's mentions and not only the scorer's mistakes."
        if too_few_confirmations(total, confirmed)
        else ""
    )
)
