"""Campaigns: one campaign's before, during and after, its lift with an interval, competitors."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st
from brandpulse.analysis.campaigns import campaign_report, campaign_windows
from brandpulse.dashboard import charts, data, frame, panels, ui
from brandpulse.dashboard.filters import local_day
from brandpulse.store.scope import Scope

here = frame.current()
tz = here.tz
st.title("Campaigns")
ui.stop_if_empty(here.empty)

campaigns = list(here.config.campaigns)
if not campaigns:
    st.info(
        "No campaign is configured. Add a `[[campaigns]]` table to the config (name, brand,"
        " start, end and the hashtags or terms it tracks) to compare its window with the"
        " weeks before and after."
    )
    st.stop()

labels = {
    c.name: f"{c.name} · {c.brand} · {c.start:%Y-%m-%d} to {c.end:%Y-%m-%d}" for c in campaigns
}
name = st.selectbox("Campaign", list(labels), format_func=labels.get, key="c_campaign")
campaign = next(c for c in campaigns if c.name == name)
# The config accepts the campaign's brand in any case; the store keeps the brand's own name.
own_brand = next(
    (b.name for b in here.config.brands if b.name.casefold() == campaign.brand.casefold()),
    campaign.brand,
)
(first, last), (base_first, base_last) = campaign_windows(campaign.start, campaign.end)
days = (last - first).days + 1
newest = local_day(here.bounds["last"], tz) or last
after_first = last + timedelta(days=1)
after_last = min(last + timedelta(days=days), max(newest, after_first))
competitors = tuple(b.name for b in here.config.competitors if b.name != own_brand)
brands = (own_brand, *competitors)
sources = here.filters.sources
st.caption(
    f"Before {base_first:%Y-%m-%d}–{base_last:%Y-%m-%d} · during {first:%Y-%m-%d}–"
    f"{last:%Y-%m-%d} · after {after_first:%Y-%m-%d}–{after_last:%Y-%m-%d}"
    f" · days in {tz}. This page uses the campaign's own dates"
    + (f" and the sidebar's sources ({ui.plain(', '.join(sources))})." if sources else ".")
)

# The campaign's own days and brands with the sidebar's sources and relevance switch only.
window = Scope(
    brands=brands,
    first=base_first,
    last=after_last,
    tz=tz,
    sources=sources,
    everything=here.filters.everything,
)
daily = data.campaign_daily(here.reader, here.key, window)
own = daily[daily["brand"] == own_brand]
report = campaign_report(daily[daily["period"] <= last], campaign.start, campaign.end)
mine = report[report["brand"] == own_brand].iloc[0]

cols = st.columns(3)
cols[0].metric(
    "Mentions per day during",
    f"{mine['mentions_per_day']:.1f}",
    f"{mine['mentions_per_day'] - mine['baseline_per_day']:+.1f} vs before",
    delta_color=panels.delta_color(mine["mentions_per_day"] - mine["baseline_per_day"]),
    border=True,
)
cols[1].metric(
    "Volume lift",
    f"×{mine['lift']:.2f}",
    help="Mentions during the campaign divided by the equally long period before it. The"
    " range is a 95% interval that allows for bursty daily counts: a range above 1 means the"
    " rise is unlikely to be chance.",
    border=True,
)
cols[1].caption(f"95% interval ×{mine['lift_low']:.2f} to ×{mine['lift_high']:.2f}")
panels.metric(
    cols[2],
    "Net sentiment during",
    "–" if pd.isna(mine["net_sentiment"]) else f"{mine['net_sentiment']:+.2f}",
    mine["net_change"],
    digits=2,
)
if not pd.isna(mine["net_change_low"]):
    cols[2].caption(
        f"Change 95% interval {mine['net_change_low']:+.2f} to {mine['net_change_high']:+.2f}"
    )

phases = []
for phase, (a, b) in (
    ("before", (base_first, base_last)),
    ("during", (first, last)),
    ("after", (after_first, after_last)),
):
    rows = own[(own["period"] >= a) & (own["period"] <= b)]
    span = max(1, (b - a).days + 1)
    mentions = int(rows["mentions"].sum())
    scored = int(rows[["positive", "neutral", "negative"]].sum().sum())
    phases.append(
        {
            "phase": f"{phase} ({span} days)",
            "positive": rows["positive"].sum() / span,
            "neutral": rows["neutral"].sum() / span,
            "negative": rows["negative"].sum() / span,
            "unscored": (mentions - scored) / span,
        }
    )
left, right = st.columns(2)
with left:
    st.subheader(f"{ui.plain(own_brand)}: before, during, after")
    st.plotly_chart(charts.phase_volume(pd.DataFrame(phases)), key="campaign_phases")
with right:
    st.subheader("Sentiment by phase")
    st.plotly_chart(
        charts.sentiment_split(pd.DataFrame(phases), category="phase"), key="campaign_sentiment"
    )

st.subheader("Daily mentions, with competitors over the same days")
st.plotly_chart(
    charts.brand_lines(
        daily,
        value="mentions",
        y_title="Mentions",
        granularity="day",
        tz=tz,
        colors=panels.colors(here),
        window=(first, last),
    ),
    key="campaign_lines",
)
table = report.assign(
    lift_interval=[
        f"×{lo:.2f} – ×{hi:.2f}"
        for lo, hi in zip(report["lift_low"], report["lift_high"], strict=True)
    ]
)
ui.table(
    table[
        [
            "brand",
            "mentions",
            "baseline_mentions",
            "lift",
            "lift_interval",
            "net_sentiment",
            "baseline_net_sentiment",
            "net_change",
        ]
    ],
    columns={
        "brand": "Brand",
        "mentions": st.column_config.NumberColumn("Mentions during", format="%d"),
        "baseline_mentions": st.column_config.NumberColumn("Mentions before", format="%d"),
        "lift": st.column_config.NumberColumn("Lift", format="×%.2f"),
        "lift_interval": "95% interval",
        "net_sentiment": st.column_config.NumberColumn("Net during", format="%+.2f"),
        "baseline_net_sentiment": st.column_config.NumberColumn("Net before", format="%+.2f"),
        "net_change": st.column_config.NumberColumn("Net change", format="%+.2f"),
    },
    key="campaign_table",
)

st.subheader("The campaign's top mentions")
scope = panels.window_scope(here, (own_brand,), first, last)
top = data.top_mentions(here.reader, here.key, scope, campaign.name, 10)
if top.empty:
    st.caption(
        "No mention used the campaign's tracked terms"
        f" ({ui.plain(', '.join(campaign.terms) or 'none configured')}) during its window."
    )
else:
    panels.mention_table(top, tz, key="campaign_top")
