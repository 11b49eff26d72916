"""Overview: KPIs against the previous period, volume and net sentiment over time, top lists."""

from __future__ import annotations

import streamlit as st
from brandpulse.dashboard import charts, data, frame, panels, ui

here = frame.current()
f, tz = here.filters, here.tz
st.title("Overview")
ui.stop_if_empty(here.empty)

focus = panels.focus_brands(here)
granularity = panels.granularity(f)
ui.note_window(f.first, f.last, tz)
st.caption(
    f"Brands: {ui.plain(', '.join(focus))} · compared with the {f.days} days before"
    f" ({f.previous().first:%Y-%m-%d} to {f.previous().last:%Y-%m-%d})"
)

kpi, basis = panels.headline_and_basis(here, focus)
# Without a comparable previous period the cards say so instead of showing a change.
unchanged = "no change: previous period not collected" if kpi.mentions_change is None else None
cols = st.columns(4)
panels.metric(
    cols[0],
    "Mentions",
    f"{kpi.mentions:,}",
    kpi.mentions_change,
    scale=100,
    suffix="%",
    help="Brand mentions in the period; a mention naming two of these brands counts for each.",
    why=unchanged,
)
panels.metric(
    cols[1],
    "Net sentiment",
    "–" if kpi.net is None else f"{kpi.net:+.2f}",
    kpi.net_change,
    digits=2,
    help="(positive − negative) / mentions, from −1 (all negative) to +1 (all positive).",
    why=unchanged,
)
panels.metric(
    cols[2],
    "Share of voice",
    "–" if kpi.share is None else f"{kpi.share * 100:.1f}%",
    kpi.share_change,
    scale=100,
    suffix=" pts",
    help="These brands' mentions as a share of all tracked brands' (competitors included).",
    why=unchanged,
)
panels.metric(
    cols[3],
    "Engagement",
    f"{kpi.engagement:,}",
    kpi.engagement_change,
    scale=100,
    suffix="%",
    help="Scores plus comments of the period's mentions.",
    why=unchanged,
)
if basis and unchanged:
    st.caption(f"No change against the previous period: {basis}.")
elif basis:
    st.caption(basis[0].upper() + basis[1:] + ".")

volume = data.daily_volume(here.reader, here.key, panels.focus_scope(here, focus), granularity)
totals = panels.sentiment_totals(volume)
spikes = panels.spike_marks(here, focus, granularity)
st.subheader("Volume by sentiment")
st.plotly_chart(
    charts.volume_by_sentiment(
        totals,
        granularity=granularity,
        tz=tz,
        campaigns=panels.campaign_windows(here, focus),
        spikes=spikes,
    ),
    key="overview_volume",
)

st.subheader("Net sentiment")
rolling = panels.trend_view("overview_net_view", granularity)
net = panels.net_trend(here, focus, granularity, rolling)
st.plotly_chart(
    charts.net_sentiment(
        net, granularity=granularity, tz=tz, colors=panels.colors(here), rolling=rolling
    ),
    key="overview_net",
)
st.caption("The band is the 95% interval: wide where few mentions decide the value.")

left, right = st.columns(2)
with left:
    st.subheader("Mentions by source")
    by_source = data.volume_by_source(here.reader, here.key, panels.focus_scope(here, focus))
    st.plotly_chart(charts.ranking(by_source, label="source"), key="overview_sources")
with right:
    st.subheader("Emerging terms")
    panels.emerging_terms(here, focus)

st.subheader("Top voices")
voices = data.top_voices(here.reader, here.key, panels.focus_scope(here, focus), 10)
# Tabs give each list the page's width, so headings and numbers are never cut.
for tab, (dimension, title) in zip(
    st.tabs(["Authors", "Subreddits", "Sites"]),
    (("author", "Authors"), ("subreddit", "Subreddits"), ("site", "Sites")),
    strict=True,
):
    with tab:
        top = voices[voices["dimension"] == dimension]
        if top.empty:
            st.caption(f"No {title.lower()} in this view.")
        else:
            # News sites have no score or comments: no column of zeros that mean "unknown".
            known = bool(top["engagement"].fillna(0).ne(0).any())
            ui.table(
                top[["name", "mentions", "engagement"] if known else ["name", "mentions"]],
                columns={
                    "name": st.column_config.TextColumn(title[:-1], width="large"),
                    "mentions": st.column_config.NumberColumn("Mentions", format="%d"),
                    "engagement": st.column_config.NumberColumn("Engagement", format="%d"),
                },
                key=f"overview_top_{dimension}",
            )
