"""Plotly figures for the pages: each takes a small DataFrame and returns a figure.

Colours follow the Okabe-Ito palette, which stays distinguishable with colour-blindness;
sentiment is blue (positive), grey (neutral) and orange (negative), never red against green,
and bars also carry a pattern and every trace a text label, so colour is never the only cue.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import pandas as pd
import plotly.graph_objects as go

SENTIMENT_COLORS = {
    "positive": "#0072B2",
    "neutral": "#A0A0A0",
    "negative": "#E69F00",
    "unscored": "#DDDDDD",
}
SENTIMENT_PATTERNS = {"positive": "", "neutral": ".", "negative": "/", "unscored": "x"}
BRAND_COLORS = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#000000",
    "#F0E442",
)
CAMPAIGN_FILL = "rgba(0, 158, 115, 0.12)"
SPIKE_COLOR = "#D55E00"
LABELS = ("positive", "neutral", "negative", "unscored")
HEIGHT = 340


def brand_colors(brands: Iterable[str]) -> dict[str, str]:
    """Return a stable colour per brand, in the order given."""
    return {b: BRAND_COLORS[i % len(BRAND_COLORS)] for i, b in enumerate(brands)}


def _layout(fig: go.Figure, *, x_title: str = "", y_title: str = "", height: int = HEIGHT) -> None:
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
        hovermode="x unified",
        bargap=0.15,
    )
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title)


def _labels(df: pd.DataFrame) -> list[str]:
    """Return the sentiment columns to draw: `unscored` only when some mention is."""
    return [c for c in LABELS if c in df and (c != "unscored" or df[c].any())]


def _stacked_sentiment(fig: go.Figure, df: pd.DataFrame, x: str, hover: str) -> None:
    """Add one bar trace per sentiment column of `df` over column `x`, stacked."""
    for label in _labels(df):
        fig.add_bar(
            x=df[x],
            y=df[label],
            name=label,
            marker_color=SENTIMENT_COLORS[label],
            marker_pattern_shape=SENTIMENT_PATTERNS[label],
            hovertemplate=f"{label}: {hover}<extra></extra>",
        )
    fig.update_layout(barmode="stack")


def _shade(fig: go.Figure, first: date, last: date, text: str) -> None:
    """Shade the days `first`..`last` (whole days, centred on their ticks) with a caption."""
    fig.add_vrect(
        x0=pd.Timestamp(first) - pd.Timedelta(hours=12),
        x1=pd.Timestamp(last) + pd.Timedelta(hours=12),
        fillcolor=CAMPAIGN_FILL,
        line_width=0,
        layer="below",
        annotation_text=text,
        annotation_position="top left",
        annotation_font_size=11,
    )


def period_label(granularity: str, tz: str) -> str:
    """Return the x axis title for days or weeks in a time zone."""
    return f"{'Week starting' if granularity == 'week' else 'Day'} ({tz})"


def volume_by_sentiment(
    volume: pd.DataFrame,
    *,
    granularity: str,
    tz: str,
    campaigns: Sequence[tuple[str, date, date]] = (),
    spikes: Sequence[tuple[date, int, str]] = (),
) -> go.Figure:
    """Stack mentions per period by sentiment; shade campaign windows and mark spikes.

    `volume` has period, positive, neutral, negative, unscored columns (one row per period);
    `campaigns` are (name, first day, last day); `spikes` are (day, mentions, caption).
    """
    fig = go.Figure()
    _stacked_sentiment(fig, volume, "period", "%{y:,}")
    for name, first, last in campaigns:
        _shade(fig, first, last, f"campaign: {name}")
    if spikes:
        fig.add_scatter(
            x=[day for day, _, _ in spikes],
            y=[count for _, count, _ in spikes],
            # The legend names the marker: a text label per marker overlaps its neighbours
            # ("spikespike") when spikes fall on adjacent days.
            mode="markers",
            name="spike",
            marker={"symbol": "triangle-down", "size": 13, "color": SPIKE_COLOR},
            customdata=[caption for _, _, caption in spikes],
            hovertemplate="spike: %{customdata}<extra></extra>",
        )
    _layout(fig, x_title=period_label(granularity, tz), y_title="Mentions")
    return fig


def net_sentiment(
    volume: pd.DataFrame,
    *,
    granularity: str,
    tz: str,
    colors: dict[str, str],
    rolling: bool = False,
) -> go.Figure:
    """Draw net sentiment ((positive - negative) / mentions) per period, one line per brand,
    with its 95% interval as a shaded band when `volume` has net_low and net_high.

    Periods without mentions are gaps in the line, not zeros.
    """
    fig = go.Figure()
    for brand, rows in volume.groupby("brand", sort=False):
        color = colors.get(str(brand)) or BRAND_COLORS[0]
        if "net_low" in rows:
            fig.add_scatter(
                x=list(rows["period"]) + list(rows["period"])[::-1],
                y=list(rows["net_high"]) + list(rows["net_low"])[::-1],
                name=f"{brand} 95% interval",
                fill="toself",
                fillcolor=_translucent(color),
                line={"width": 0},
                hoverinfo="skip",
                showlegend=False,
                connectgaps=False,
            )
        fig.add_scatter(
            x=rows["period"],
            y=rows["net_sentiment"],
            name=str(brand),
            mode="lines+markers",
            line={"color": color, "width": 2},
            marker={"size": 4},
            connectgaps=False,
            customdata=rows["mentions"],
            hovertemplate=f"{brand}: %{{y:+.2f}} (%{{customdata:,}} mentions)<extra></extra>",
        )
    fig.add_hline(y=0, line_dash="dot", line_color="#888888")
    fig.update_yaxes(range=[-1.05, 1.05], zeroline=False)
    title = "Net sentiment, 7-day rolling (−1 to +1)" if rolling else "Net sentiment (−1 to +1)"
    _layout(fig, x_title=period_label(granularity, tz), y_title=title)
    return fig


def _translucent(color: str, alpha: float = 0.15) -> str:
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {alpha})"


def ranking(df: pd.DataFrame, *, label: str, value: str = "mentions", height: int = 0) -> go.Figure:
    """Draw a horizontal bar per row (largest on top), e.g. top authors or sources."""
    shown = df.iloc[::-1]
    fig = go.Figure(
        go.Bar(
            x=shown[value],
            y=shown[label].astype(str),
            orientation="h",
            marker_color=BRAND_COLORS[0],
            text=shown[value],
            # Outside and level: "auto" turns a label sideways when it does not fit inside.
            textposition="outside",
            textangle=0,
            cliponaxis=False,
            hovertemplate="%{y}: %{x:,}<extra></extra>",
        )
    )
    _layout(fig, y_title="", x_title=value.capitalize(), height=height or 40 + 28 * max(3, len(df)))
    fig.update_layout(hovermode="closest", showlegend=False)
    fig.update_yaxes(automargin=True)
    # Room right of the longest bar for its label.
    top = float(shown[value].max()) if not shown.empty else 0.0
    fig.update_xaxes(range=[0, max(1.0, top) * 1.15])
    return fig


def share_over_time(
    share: pd.DataFrame, *, granularity: str, tz: str, colors: dict[str, str]
) -> go.Figure:
    """Stack each brand's share of the period's mentions, as percentages."""
    fig = go.Figure()
    for brand, rows in share.groupby("brand", sort=False):
        fig.add_scatter(
            x=rows["period"],
            y=(rows["share"] * 100).round(1),
            name=str(brand),
            mode="lines",
            stackgroup="share",
            line={"color": colors.get(str(brand)), "width": 1},
            hovertemplate=f"{brand}: %{{y:.1f}}%<extra></extra>",
        )
    fig.update_yaxes(range=[0, 100], ticksuffix="%")
    _layout(fig, x_title=period_label(granularity, tz), y_title="Share of voice")
    return fig


def sentiment_split(df: pd.DataFrame, *, category: str = "brand") -> go.Figure:
    """Draw one 100% bar per brand (or phase) split by sentiment, side by side."""
    fig = go.Figure()
    total = df[[c for c in LABELS if c in df]].sum(axis=1).replace(0, pd.NA)
    for label in _labels(df):
        share = (df[label] / total * 100).astype("float64").round(1)
        fig.add_bar(
            y=df[category].astype(str),
            x=share,
            name=label,
            orientation="h",
            marker_color=SENTIMENT_COLORS[label],
            marker_pattern_shape=SENTIMENT_PATTERNS[label],
            # Text over a hatched fill is unreadable: only plain segments carry their share.
            text=[
                f"{v:.0f}%" if pd.notna(v) and v >= 6 and not SENTIMENT_PATTERNS[label] else ""
                for v in share
            ],
            textposition="inside",
            insidetextanchor="middle",
            customdata=df[label],
            hovertemplate=f"{label}: %{{x:.1f}}% (%{{customdata:,}})<extra></extra>",
        )
    _layout(fig, x_title="Share of mentions", height=60 + 50 * max(2, len(df)))
    fig.update_layout(barmode="stack", hovermode="closest")
    fig.update_xaxes(range=[0, 100], ticksuffix="%")
    fig.update_yaxes(autorange="reversed", automargin=True)
    return fig


def phase_volume(phases: pd.DataFrame) -> go.Figure:
    """Draw mentions per day before, during and after a campaign, stacked by sentiment."""
    fig = go.Figure()
    _stacked_sentiment(fig, phases, "phase", "%{y:.1f} per day")
    _layout(fig, y_title="Mentions per day")
    # After _layout, whose unified hover suits time axes, not three phase bars.
    fig.update_layout(hovermode="closest")
    return fig


def brand_lines(
    volume: pd.DataFrame,
    *,
    value: str,
    y_title: str,
    granularity: str,
    tz: str,
    colors: dict[str, str],
    window: tuple[date, date] | None = None,
) -> go.Figure:
    """Draw one line per brand of `value` per period, optionally shading a window."""
    fig = go.Figure()
    for brand, rows in volume.groupby("brand", sort=False):
        fig.add_scatter(
            x=rows["period"],
            y=rows[value],
            name=str(brand),
            mode="lines",
            line={"color": colors.get(str(brand)), "width": 2},
        )
    if window is not None:
        _shade(fig, *window, "campaign")
    _layout(fig, x_title=period_label(granularity, tz), y_title=y_title)
    return fig
