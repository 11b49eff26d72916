"""Spikes: incidents (runs of days far above a brand's norm), most severe first, with drivers."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st
from brandpulse.analysis import spikes as spike_rules
from brandpulse.dashboard import data, frame, panels, ui

# Drivers (terms, top mentions) are read for this many of the most severe incidents.
EXPLAINED = 10

here = frame.current()
f, tz = here.filters, here.tz
st.title("Spikes")
ui.stop_if_empty(here.empty)
ui.note_window(f.first, f.last, tz)
st.caption(
    "An incident is a run of days far above what the brand usually has on that weekday (its"
    " last four weeks, over-dispersed counts): at most a 1 in"
    f" {1 / spike_rules.P_MAX:,.0f} chance as noise, at least ×{spike_rules.MIN_RATIO:g} the"
    f" expected and {spike_rules.MIN_EXCESS} mentions above it, or a negative share far above"
    " the usual one. Today counts as the part of a usual day already past."
)

brands = panels.compared_brands(here)
_, found = panels.incidents(here, brands)
planned = found[found["planned"] != ""] if not found.empty else found
found = found[found["planned"] == ""] if not found.empty else found
if not planned.empty:
    st.caption(
        f"{len(planned)} surge(s) inside a configured campaign are expected and not listed: "
        + ", ".join(f"{r.brand} {r.start:%Y-%m-%d} ({r.planned})" for r in planned.itertuples())
    )
if found.empty:
    st.info("No incident in this period: volume and tone stayed within their usual rhythm.")
    st.stop()

summary = found.assign(
    negative_share=(found["negative"] / found["mentions"].clip(lower=1) * 100).round(0),
    peak_ratio=(found["peak_value"] / found["peak_expected"]).round(1),
)
ui.table(
    summary[
        [
            "severity",
            "status",
            "brand",
            "kind",
            "start",
            "peak",
            "end",
            "peak_value",
            "peak_expected",
            "peak_ratio",
            "mentions",
            "expected",
            "negative_share",
        ]
    ],
    key="spikes_table",
    # Widths that fit beside the sidebar at 1440 px; the day columns are days in `tz`,
    # which the caption above names and each heading's help repeats.
    columns={
        "severity": st.column_config.TextColumn("Severity", width=58),
        "status": st.column_config.TextColumn("Status", width=58),
        "brand": st.column_config.TextColumn("Brand", width=80),
        "kind": st.column_config.TextColumn("What", width=112),
        "start": st.column_config.DateColumn(
            "Start", format="YYYY-MM-DD", help=f"First day ({tz})", width=90
        ),
        "peak": st.column_config.DateColumn(
            "Peak", format="YYYY-MM-DD", help=f"Busiest day ({tz})", width=90
        ),
        "end": st.column_config.DateColumn(
            "Last day", format="YYYY-MM-DD", help=f"Last day above the norm ({tz})", width=90
        ),
        "peak_value": st.column_config.NumberColumn(
            "Peak", help="Mentions on the peak day", format="%d", width=60
        ),
        "peak_expected": st.column_config.NumberColumn(
            "Expected", help="Expected mentions on the peak day", format="%.1f", width=65
        ),
        "peak_ratio": st.column_config.NumberColumn(
            "× exp.", help="Peak day: mentions ÷ expected", format="×%.1f", width=60
        ),
        "mentions": st.column_config.NumberColumn(
            "All days", help="Mentions over the whole incident", format="%d", width=65
        ),
        "expected": st.column_config.NumberColumn(
            "Exp. (all)", help="Expected over the whole incident", format="%.1f", width=70
        ),
        "negative_share": st.column_config.NumberColumn(
            "Negative", help="Negative share over the incident", format="%.0f%%", width=70
        ),
    },
)

words = panels.brand_words(here)
for number, row in enumerate(found.head(EXPLAINED).itertuples(index=False)):
    span = f"{row.start:%Y-%m-%d}" + (f" to {row.end:%Y-%m-%d}" if row.end != row.start else "")
    title = (
        f"{row.severity} · {row.status} · {ui.plain(row.brand)} · {span} · peak"
        f" {row.peak:%Y-%m-%d}: {spike_rules.describe(int(row.peak_value), row.peak_expected)}"
        f" · {int(row.negative)} negative vs {row.negative_expected:.1f} expected"
    )
    with st.expander(title, expanded=number == 0):
        days = panels.window_scope(here, (row.brand,), row.start, row.end, sentiments=True)
        history = panels.window_scope(
            here,
            (row.brand,),
            row.start - timedelta(days=spike_rules.WINDOW_DAYS),
            row.start - timedelta(days=1),
            sentiments=True,
        )
        terms, _ = data.emerging_terms(here.reader, here.key, days, history, words, 8)
        left, right = st.columns([1, 2])
        with left:
            st.markdown("**Terms that drove it**")
            if terms.empty:
                st.caption("No term stands out against the four weeks before.")
            else:
                panels.term_table(terms)
        with right:
            st.markdown("**Most engaged mentions**")
            top = data.top_mentions(here.reader, here.key, days, None, 5)
            panels.mention_table(top, tz, key=f"spike_top_{row.brand}_{row.start}")
