"""Spikes: days whose volume jumped far above the usual, newest first, with what drove each."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st
from brandpulse.analysis import spikes as spike_rules
from brandpulse.dashboard import data, frame, panels, ui

# Drivers (terms, top mentions) are read for this many of the newest spikes.
EXPLAINED = 10

here = frame.current()
f, tz = here.filters, here.tz
st.title("Spikes")
ui.stop_if_empty(here.empty)
ui.note_window(f.first, f.last, tz)
st.caption(
    "A spike is a day far above what the same weekday had in the four weeks before"
    f" (robust z-score ≥ {spike_rules.THRESHOLD}, at least {spike_rules.MIN_COUNT} mentions)."
    " Each brand is scored on its own mentions."
)

brands = panels.compared_brands(here)
found = data.spikes(here.reader, here.key, f, tz, brands, True)
if found.empty:
    st.info("No spike in this period: volume stayed within its usual weekly rhythm.")
    st.stop()

summary = found.assign(
    times=(found["value"] / found["expected"].clip(lower=1)).round(1),
    negative_share=(found["negative"] / found["mentions"].clip(lower=1) * 100).round(0),
)
ui.table(
    summary[["period", "brand", "value", "expected", "times", "z", "negative_share"]],
    key="spikes_table",
    columns={
        "period": st.column_config.DateColumn(f"Day ({tz})", format="YYYY-MM-DD"),
        "brand": "Brand",
        "value": st.column_config.NumberColumn("Mentions", format="%d"),
        "expected": st.column_config.NumberColumn("Usual", format="%.0f"),
        "times": st.column_config.NumberColumn("× usual", format="×%.1f"),
        "z": st.column_config.NumberColumn("z", format="%.1f"),
        "negative_share": st.column_config.NumberColumn("Negative", format="%.0f%%"),
    },
)

words = panels.brand_words(here)
for number, row in enumerate(found.head(EXPLAINED).itertuples(index=False)):
    title = (
        f"{row.period:%Y-%m-%d} · {ui.plain(row.brand)} · {int(row.value):,} mentions"
        f" (usual {row.expected:.0f}) · {int(row.positive)} positive, {int(row.neutral)}"
        f" neutral, {int(row.negative)} negative"
    )
    with st.expander(title, expanded=number == 0):
        day = panels.window_scope(here, (row.brand,), row.period, row.period, sentiments=True)
        history = panels.window_scope(
            here,
            (row.brand,),
            row.period - timedelta(days=spike_rules.WINDOW_DAYS),
            row.period - timedelta(days=1),
            sentiments=True,
        )
        terms, _ = data.emerging_terms(here.reader, here.key, day, history, words, 8)
        left, right = st.columns([1, 2])
        with left:
            st.markdown("**Terms that drove it**")
            if terms.empty:
                st.caption("No term stands out against the four weeks before.")
            else:
                ui.table(
                    terms.assign(share=(terms["share"] * 100).round(1))[
                        ["term", "mentions", "share", "lift"]
                    ],
                    columns={
                        "term": "Term",
                        "mentions": st.column_config.NumberColumn("Mentions", format="%d"),
                        "share": st.column_config.NumberColumn("% of the day", format="%.1f%%"),
                        "lift": st.column_config.NumberColumn("Lift", format="×%.1f"),
                    },
                )
        with right:
            st.markdown("**Top mentions that day**")
            top = data.top_mentions(here.reader, here.key, day, None, 5)
            panels.mention_table(top, tz, key=f"spike_top_{row.brand}_{row.period}")
