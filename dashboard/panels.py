"""Pieces the pages share: brands in focus, KPI arithmetic, campaign windows, spike marks."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st
from brandpulse.analysis import spikes as spike_rules
from brandpulse.analysis import trends
from brandpulse.dashboard import charts, data, ui
from brandpulse.dashboard.filters import Filters, comparison_spans, local_midnight
from brandpulse.dashboard.frame import Frame
from brandpulse.store.scope import Scope

# Up to this many days a chart shows days; longer windows show Monday-weeks.
DAILY_UP_TO = 120


def focus_brands(here: Frame) -> tuple[str, ...]:
    """Return the brands a page reports on: the picked ones, else own brands, else all."""
    if here.filters.brands:
        return here.filters.brands
    own = tuple(b.name for b in here.config.own_brands)
    return own or tuple(here.bounds["brands"])


def focus_scope(here: Frame, brands: tuple[str, ...]) -> Scope:
    """Return the filters' scope narrowed to `brands`."""
    return replace(here.scope, brands=brands)


def granularity(f: Filters) -> str:
    """Return 'day' for windows up to DAILY_UP_TO days, else 'week'."""
    return "day" if f.days <= DAILY_UP_TO else "week"


def colors(here: Frame) -> dict[str, str]:
    """Return each brand's colour, stable across pages (configured order first)."""
    names = [b.name for b in here.config.brands]
    return charts.brand_colors(names + [b for b in here.bounds["brands"] if b not in names])


@dataclass(frozen=True)
class Headline:
    """The Overview's KPI cards: values and changes against the previous window.

    Changes are None when there is nothing to compare with: `mentions_change` and
    `engagement_change` are relative (0.25 is +25%), `net_change` and `share_change` are
    differences (in units of net sentiment and of share, 0.05 being 5 points).
    """

    mentions: int
    mentions_change: float | None
    net: float | None
    net_change: float | None
    share: float | None
    share_change: float | None
    engagement: int
    engagement_change: float | None


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def _diff(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else now - before


def headline(kpis: pd.DataFrame, focus: tuple[str, ...]) -> Headline:
    """Sum the focus brands' KPI rows; share of voice is against every brand in `kpis`."""
    mine = kpis[kpis["brand"].isin(focus)]

    def total(frame: pd.DataFrame, column: str) -> int:
        return int(frame[column].sum()) if not frame.empty else 0

    mentions, prev = total(mine, "mentions"), total(mine, "prev_mentions")
    engagement, prev_engagement = total(mine, "engagement"), total(mine, "prev_engagement")
    net = _ratio(total(mine, "positive") - total(mine, "negative"), mentions)
    prev_net = _ratio(total(mine, "prev_positive") - total(mine, "prev_negative"), prev)
    share = _ratio(mentions, total(kpis, "mentions"))
    prev_share = _ratio(prev, total(kpis, "prev_mentions"))
    return Headline(
        mentions=mentions,
        mentions_change=_ratio(mentions - prev, prev),
        net=net,
        net_change=_diff(net, prev_net),
        share=share,
        share_change=_diff(share, prev_share),
        engagement=engagement,
        engagement_change=_ratio(engagement - prev_engagement, prev_engagement),
    )


def headline_and_basis(here: Frame, focus: tuple[str, ...]) -> tuple[Headline, str | None]:
    """Return the KPI cards and a note on their changes (None when they need none).

    Changes are shown only when every source in view was collected through the whole
    previous period (else the note says which one is not). When the window ends at the
    latest collection (today, partly collected), both periods are compared up to the same
    time of their last day.
    """
    f, tz = here.filters, here.tz
    values = headline(data.kpis(here.reader, here.key, here.scope.of(())), focus)
    previous = f.previous()
    reason = trends.comparison_gap(
        previous.first, data.coverage(here.reader, here.key, tz), f.sources
    )
    if reason is not None:
        gone = dict.fromkeys(("mentions_change", "net_change", "share_change"), None)
        return replace(values, engagement_change=None, **gone), reason
    now, before = comparison_spans(f, tz, data.last_collected(here.reader, here.key))
    both = here.scope.of(()).over(previous.first, f.last)
    totals = data.totals_between(here.reader, here.key, both, now, before)
    changes = headline(totals, focus)
    note = None
    as_of = now[1]
    if as_of < local_midnight(f.last + timedelta(days=1), tz):
        local = as_of.astimezone(ZoneInfo(tz))
        note = (
            f"{f.last:%Y-%m-%d} is collected up to {local:%H:%M}: changes compare both periods"
            f" up to that time of their last day"
        )
    return (
        replace(
            values,
            mentions_change=changes.mentions_change,
            net_change=changes.net_change,
            share_change=changes.share_change,
            engagement_change=changes.engagement_change,
        ),
        note,
    )


TREND_VIEWS = ("7-day rolling", "Per day")


def trend_view(key: str, granularity: str) -> bool:
    """Offer the rolling or per-day view on daily charts; return True for rolling (default)."""
    if granularity != "day":
        return False
    choice = st.radio(
        "View",
        TREND_VIEWS,
        horizontal=True,
        key=key,
        help="7-day rolling: each day shows the 7 days ending on it, weighted by volume, so a"
        " 2-mention day does not swing the line. Days without mentions are gaps.",
    )
    return choice == TREND_VIEWS[0]


def net_trend(
    here: Frame, brands: tuple[str, ...], granularity: str, rolling: bool
) -> pd.DataFrame:
    """Return net sentiment per period and brand with its interval, rolling or not."""
    f, scope = here.filters, focus_scope(here, brands)
    if not rolling:
        volume = data.daily_volume(here.reader, here.key, scope, granularity)
        return trends.with_band(volume)
    longer = scope.over(f.first - timedelta(days=trends.ROLLING_DAYS - 1), f.last)
    volume = data.daily_volume(here.reader, here.key, longer, "day")
    out = trends.rolling_volume(volume)
    return out[out["period"] >= f.first]


def share_trend(
    here: Frame, brands: tuple[str, ...], granularity: str, rolling: bool
) -> pd.DataFrame:
    """Return each brand's share of voice per period, rolling or not; gaps where none spoke."""
    f, scope = here.filters, focus_scope(here, brands)
    if not rolling:
        return data.share_of_voice_over_time(here.reader, here.key, scope, granularity)
    longer = scope.over(f.first - timedelta(days=trends.ROLLING_DAYS - 1), f.last)
    volume = data.daily_volume(here.reader, here.key, longer, "day")
    out = trends.rolling_share(volume)
    return out[out["period"] >= f.first]


def delta_color(change: float | None) -> str:
    """Return the metric delta colour: blue up, orange down (with arrows, never red/green)."""
    if change is None or pd.isna(change) or change == 0:
        return "gray"
    return "blue" if change > 0 else "orange"


def metric(
    column: Any,
    label: str,
    value: str,
    change: float | None,
    *,
    scale: float = 1.0,
    digits: int = 1,
    suffix: str = "",
    help: str | None = None,
    why: str | None = None,
) -> None:
    """Draw a bordered KPI card in `column` whose delta is `change` × `scale`, signed; with
    no change, `why` takes the delta's place (no arrow)."""
    shown = None if change is None or pd.isna(change) else change * scale
    if shown is None and why:
        column.metric(
            label, value, why, delta_color="off", delta_arrow="off", help=help, border=True
        )
        return
    column.metric(
        label,
        value,
        ui.signed(shown, digits, suffix),
        delta_color=delta_color(change),
        help=help,
        border=True,
    )


def sentiment_totals(volume: pd.DataFrame) -> pd.DataFrame:
    """Sum per-brand period rows into one row per period, with an `unscored` column."""
    columns = ["mentions", "positive", "neutral", "negative"]
    totals = volume.groupby("period", as_index=False)[columns].sum()
    totals["unscored"] = (
        totals["mentions"] - totals["positive"] - totals["neutral"] - totals["negative"]
    ).clip(lower=0)
    return totals


def campaign_windows(here: Frame, brands: tuple[str, ...]) -> list[tuple[str, date, date]]:
    """Return the configured campaigns of `brands` overlapping the window, clipped to it."""
    f = here.filters
    wanted = {b.casefold() for b in brands}
    return [
        (c.name, max(c.start, f.first), min(c.end, f.last))
        for c in here.config.campaigns
        if c.brand.casefold() in wanted and c.start <= f.last and c.end >= f.first
    ]


def incidents(
    here: Frame, brands: tuple[str, ...], per_brand: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (days, incidents) of the window: today counts as the part of it already past."""
    wanted = {b.casefold() for b in brands}
    planned = tuple(
        (brand, c.name, c.start, c.end)
        for c in here.config.campaigns
        for brand in brands
        if c.brand.casefold() == brand.casefold() and brand.casefold() in wanted
    )
    now = datetime.now(ZoneInfo(here.tz))
    hours = now.hour + now.minute / 60
    return data.spikes(
        here.reader, here.key, focus_scope(here, brands), per_brand, planned, now.date(), hours
    )


def spike_marks(
    here: Frame, brands: tuple[str, ...], granularity: str
) -> list[tuple[date, int, str]]:
    """Return (x, height, caption) of the window's flagged days for the volume chart.

    On a weekly chart a flagged day is marked on its week's bar.
    """
    days, _ = incidents(here, brands, False)
    flagged = days[days["spike"] | days["negative_surge"]] if not days.empty else days
    marks = []
    for row in flagged.itertuples(index=False):
        caption = f"{row.period:%Y-%m-%d}: {spike_rules.describe(int(row.value), row.expected)}"
        if row.negative_surge:
            caption += f", {int(row.negative)} negative vs {row.negative_expected:.1f} expected"
        x = row.period
        if granularity == "week":
            x = row.period - timedelta(days=row.period.weekday())
        marks.append((x, int(row.value), caption))
    if granularity == "week":
        volume = data.daily_volume(here.reader, here.key, focus_scope(here, brands), "week")
        weekly = volume.groupby("period")["mentions"].sum()
        marks = [(x, int(weekly.get(x, value)), caption) for x, value, caption in marks]
    return marks


def brand_words(here: Frame) -> tuple[str, ...]:
    """Return every brand's own words (names, keywords, aliases): always "emerging" for it."""
    words: set[str] = set()
    for brand in here.config.brands:
        for phrase in (brand.name, *brand.keywords, *brand.aliases):
            words.update(w.lower().lstrip("#@") for w in phrase.split())
    words.update(b.lower() for b in here.bounds["brands"])
    return tuple(sorted(words))


def emerging_terms(here: Frame, brands: tuple[str, ...], limit: int = 12) -> None:
    """Show the terms and phrases used significantly more than in the previous window."""
    now = focus_scope(here, brands)
    previous = here.filters.previous()
    before = now.over(previous.first, previous.last)
    table, sizes = data.emerging_terms(here.reader, here.key, now, before, brand_words(here), limit)
    if not sizes["before"]:
        st.caption("No earlier mentions to compare with: emerging terms need a previous period.")
        return
    if table.empty:
        st.caption("No term or phrase is used significantly more than in the previous period.")
        return
    term_table(table)
    if sizes["now_sampled"] < sizes["now"] or sizes["before_sampled"] < sizes["before"]:
        st.caption(
            f"Estimated from random samples of {sizes['now_sampled']:,} mentions of this period"
            f" and {sizes['before_sampled']:,} of the one before."
        )


def term_table(table: pd.DataFrame, key: str | None = None) -> None:
    """Show emerging terms with their counts now and before and the z-score that passed."""
    ui.table(
        table[["term", "mentions", "baseline_mentions", "z"]],
        key=key,
        columns={
            "term": "Term",
            "mentions": st.column_config.NumberColumn("Mentions", format="%d"),
            "baseline_mentions": st.column_config.NumberColumn("Before", format="%d"),
            "z": st.column_config.NumberColumn(
                "z", format="%.1f", help="Log-odds z-score against before; shown from 1.96."
            ),
        },
    )


def window_scope(
    here: Frame, brands: tuple[str, ...], first: date, last: date, *, sentiments: bool = False
) -> Scope:
    """Return a scope of `brands` over local days `first`..`last` with the sidebar's sources
    (and its sentiments, if asked)."""
    scope = here.scope.of(brands).over(first, last)
    return scope if sentiments else replace(scope, sentiments=())


def mention_frame(rows: pd.DataFrame, tz: str) -> pd.DataFrame:
    """Return mention rows as shown in tables: local time, labels, safe links, text as text."""
    sentiment = rows["sentiment"].fillna("unscored")
    if "corrected" in rows:
        sentiment = sentiment + rows["corrected"].map({True: " (corrected)", False: ""})
    # Sources without a place (a Mastodon post has no subreddit or site) show a blank cell,
    # not the grid's grey "None".
    place = rows["place"].fillna("") if "place" in rows else pd.Series("", index=rows.index)
    return pd.DataFrame(
        {
            "published": ui.to_local(rows["published_at"], tz),
            "source": rows["source"],
            "place": place,
            "author": rows.get("author"),
            "brands": rows["brands"],
            "sentiment": sentiment,
            "title": rows["title"].fillna(rows["snippet"]),
            "engagement": rows["engagement"],
            "link": rows["url"].map(ui.safe_url),
            "id": rows["id"],
        }
    )


def mention_columns(tz: str) -> dict[str, Any]:
    """Return the column headings and widths of every mention table.

    The widths add up to fit a 1440 px screen beside the sidebar without scrolling sideways;
    a mention's whole text is in its detail pane.
    """
    return {
        "published": ui.time_column("Published", tz, width=125),
        "source": st.column_config.TextColumn("Source", width=60),
        "place": st.column_config.TextColumn(
            "Where", help="The subreddit, site or feed", width=100
        ),
        "author": st.column_config.TextColumn("Author", width=90),
        "brands": st.column_config.TextColumn("Brands", width=70),
        "sentiment": st.column_config.TextColumn("Sentiment", width=80),
        "title": st.column_config.TextColumn("Title", width=210),
        "engagement": st.column_config.NumberColumn(
            "Engagement", help="Score plus comments", format="%d", width=85
        ),
        "link": st.column_config.LinkColumn("Link", display_text="open ↗", width=55),
        "id": st.column_config.TextColumn("Id", help="For `brandpulse correct ID LABEL`", width=95),
    }


def mention_table(rows: pd.DataFrame, tz: str, key: str) -> None:
    """Show mentions (time, source, brands, sentiment, title, text, engagement, link) as text."""
    ui.table(mention_frame(rows, tz), mention_columns(tz), key=key)


def compared_brands(here: Frame) -> tuple[str, ...]:
    """Return the brands to compare: the picked ones, else own brands then competitors."""
    if here.filters.brands:
        return here.filters.brands
    configured = tuple(b.name for b in here.config.own_brands) + tuple(
        b.name for b in here.config.competitors
    )
    return configured or tuple(here.bounds["brands"])
