"""Review: a brand's least certain mentions first, to mark "about us" or "not about us"."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from brandpulse.analysis.relevance import RELATED, UNRELATED
from brandpulse.dashboard import data, frame, review, ui
from brandpulse.store.errors import BrandpulseError

from brandpulse.rules import relevance_signals

LIMIT = 20

here = frame.current()
st.title("Review")
ui.stop_if_empty(here.empty)
review.show_outcome()

signals_of = relevance_signals(here.config)
brands = list(signals_of)
if not brands:
    st.info("No brands are configured: add [[brands]] to brands.toml to review their mentions.")
    st.stop()
picked = [b for b in here.filters.brands if b in signals_of]
brand = st.selectbox("Brand", brands, index=brands.index(picked[0]) if picked else 0, key="r_brand")
signals = signals_of[brand]
scope = here.scope

counted, left_out = data.relevance_counts(here.reader, here.key, scope, brand)
named = ui.plain(brand)  # Markdown below: brand names go through ui.plain like every page's
ui.note_window(here.filters.first, here.filters.last, here.tz)
st.markdown(
    f"**{counted:,}** mentions of {named} are counted · **{left_out:,}** are left out as"
    f" not about {named} (relevance below {signals.threshold:.2f}, or marked so)."
)
accurate = here.config.analysis.accurate_relevance
try:
    # With the embedding heads, cross-validating embeds the marks: seconds on a first view.
    with st.spinner(f"Checking the filter against your marks of {named}…", show_time=accurate):
        estimate = data.relevance_estimate(here.reader, here.key, signals, accurate)
except BrandpulseError as exc:  # accurate_relevance on without its extra
    st.error(f"{exc.message}. {exc.fix}" if exc.fix else exc.message)
else:
    if estimate.precision is not None:
        kept = ""
        if estimate.recall:
            kept = f"; it keeps about {estimate.recall:.0%} of those that are"
        st.markdown(
            f"About **{estimate.precision:.0%}** of counted mentions are about {named}{kept},"
            f" from {estimate.marks} marks (cross-validated on your marks)."
        )
    else:
        st.caption(
            f"{estimate.marks} marks for {named} so far: after a few of each kind, this page"
            " estimates how precise the filter is."
        )

queue = data.review_queue(here.reader, here.key, scope, brand, signals.threshold, LIMIT)
if queue.empty:
    st.info(f"No unmarked mention of {named} in this window.")
    st.stop()
st.caption(
    "Least certain first: these are the marks that teach the filter most (measured on public"
    " tweets with the default filter, 25 marks made from the top did as well as 40 made at"
    " random). Marks apply at"
    " once and the filter retrains on them."
)
shown = [str(i) for i in queue["id"]]
db, config = here.settings.db, here.config
bulk = st.columns([1, 1, 2])
bulk[0].button(
    "Ticked: about us",
    on_click=review.save_picked,
    args=(db, config, brand, shown, RELATED),
    width="stretch",
)
bulk[1].button(
    "Ticked: not about us",
    on_click=review.save_picked,
    args=(db, config, brand, shown, UNRELATED),
    width="stretch",
)
times = ui.to_local(pd.Series(queue["published_at"]), here.tz)
for row, when in zip(queue.itertuples(index=False), times, strict=True):
    with st.container(border=True, key=f"r_row_{row.id}"):
        tick, body, buttons = st.columns([0.3, 6, 2])
        tick.checkbox("tick", key=review.PICK + str(row.id), label_visibility="collapsed")
        # Titles and texts come from the web: always shown as plain text, never markup.
        body.text((row.title + "\n" if row.title else "") + (row.text or "")[:600])
        state = "counted" if row.counted else "left out"
        body.caption(
            f"relevance {row.relevance:.2f} ({state}) · {row.source} · {when:%Y-%m-%d %H:%M}"
            f" · {row.id}"
        )
        buttons.button(
            "About us",
            key=f"r_yes_{row.id}",
            on_click=review.save,
            args=(db, config, brand, [str(row.id)], RELATED),
            width="stretch",
        )
        buttons.button(
            "Not about us",
            key=f"r_no_{row.id}",
            on_click=review.save,
            args=(db, config, brand, [str(row.id)], UNRELATED),
            width="stretch",
        )
