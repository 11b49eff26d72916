"""Competitors: share of voice over time and sentiment side by side, own brands and rivals."""

from __future__ import annotations

import streamlit as st
from brandpulse.dashboard import charts, data, frame, panels, ui

here = frame.current()
f, tz = here.filters, here.tz
st.title("Competitors")
ui.stop_if_empty(here.empty)

brands = panels.compared_brands(here)
if len(brands) < 2:
    st.info(
        "Share of voice compares at least two brands. Add `[[competitors]]` to the config"
        " (or pick two brands in the sidebar)."
    )
    st.stop()

granularity = panels.granularity(f)
colors = panels.colors(here)
ui.note_window(f.first, f.last, tz)

kpis = data.kpis(here.reader, here.key, here.scope.of(()))
kpis = kpis[kpis["brand"].isin(brands)].set_index("brand").reindex(list(brands)).reset_index()
kpis = kpis.fillna(
    {c: 0 for c in kpis.columns if c.endswith(("mentions", "positive", "negative", "neutral"))}
)
total = kpis["mentions"].sum()
prev_total = kpis["prev_mentions"].sum()
cols = st.columns(len(brands))
for column, row in zip(cols, kpis.itertuples(index=False), strict=True):
    share = row.mentions / total if total else None
    prev_share = row.prev_mentions / prev_total if prev_total else None
    panels.metric(
        column,
        f"{ui.plain(row.brand)} share of voice",
        "–" if share is None else f"{share * 100:.1f}%",
        None if share is None or prev_share is None else share - prev_share,
        scale=100,
        suffix=" pts",
        help=f"{int(row.mentions):,} of the {int(total):,} mentions of these brands",
    )

st.subheader("Share of voice over time")
share = panels.share_trend(
    here, brands, granularity, panels.trend_view("competitors_share_view", granularity)
)
st.plotly_chart(
    charts.share_over_time(share, granularity=granularity, tz=tz, colors=colors),
    key="competitors_share",
)

left, right = st.columns(2)
with left:
    st.subheader("Sentiment side by side")
    split = kpis[["brand", "positive", "neutral", "negative", "mentions"]].copy()
    split["unscored"] = (
        split["mentions"] - split["positive"] - split["neutral"] - split["negative"]
    ).clip(lower=0)
    st.plotly_chart(charts.sentiment_split(split), key="competitors_sentiment")
with right:
    st.subheader("Net sentiment over time")
    rolling = panels.trend_view("competitors_net_view", granularity)
    volume = panels.net_trend(here, brands, granularity, rolling)
    st.plotly_chart(
        charts.net_sentiment(
            volume, granularity=granularity, tz=tz, colors=colors, rolling=rolling
        ),
        key="competitors_net",
    )

table = kpis.assign(
    share=(kpis["mentions"] / total * 100) if total else 0.0,
    change=kpis["mentions_change"] * 100,
)
ui.table(
    table[
        [
            "brand",
            "mentions",
            "share",
            "change",
            "net_sentiment",
            "net_sentiment_change",
            "engagement",
        ]
    ],
    columns={
        "brand": "Brand",
        "mentions": st.column_config.NumberColumn("Mentions", format="%d"),
        "share": st.column_config.NumberColumn("Share of voice", format="%.1f%%"),
        "change": st.column_config.NumberColumn("Mentions vs before", format="%+.1f%%"),
        "net_sentiment": st.column_config.NumberColumn("Net sentiment", format="%+.2f"),
        "net_sentiment_change": st.column_config.NumberColumn("Net vs before", format="%+.2f"),
        "engagement": st.column_config.NumberColumn("Engagement", format="%d"),
    },
    key="competitors_table",
)
