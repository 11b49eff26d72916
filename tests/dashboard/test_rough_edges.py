"""Defects seen in Chromium on the demo: chart labels, cut tables, plurals, the id column."""

from __future__ import annotations

from datetime import date

import pandas as pd
from brandpulse.dashboard import charts, panels, ui

from tests.dashboard.conftest import AppFactory, no_exceptions


def volume(days: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": pd.date_range("2026-03-01", periods=days).date,
            "positive": [5] * days,
            "neutral": [3] * days,
            "negative": [2] * days,
            "unscored": [0] * days,
        }
    )


def test_spikes_on_adjacent_days_carry_no_overlapping_text() -> None:
    spikes = [(date(2026, 3, 4), 10, "a"), (date(2026, 3, 5), 10, "b")]
    fig = charts.volume_by_sentiment(volume(7), granularity="day", tz="UTC", spikes=spikes)
    marks = [t for t in fig.data if t.type == "scatter"]
    assert len(marks) == 1 and len(marks[0].x) == 2
    assert "text" not in (marks[0].mode or "") and not marks[0].text
    # The marker is still named, in the legend.
    assert "spike" in marks[0].name


def test_no_percentage_is_printed_over_a_hatched_segment() -> None:
    df = pd.DataFrame(
        {
            "brand": ["Acme", "Globex"],
            "positive": [40, 30],
            "neutral": [30, 30],
            "negative": [30, 40],
        }
    )
    fig = charts.sentiment_split(df)
    for trace in fig.data:
        hatched = bool(trace.marker.pattern.shape)
        written = any(t for t in trace.text)
        assert not (hatched and written), trace.name
    assert any(any(t for t in trace.text) for trace in fig.data)


def test_ranking_labels_stay_level_outside_the_bars() -> None:
    df = pd.DataFrame({"source": ["reddit", "news", "blog"], "mentions": [900, 12, 1]})
    bar = charts.ranking(df, label="source").data[0]
    assert bar.textangle == 0 and bar.textposition == "outside"


def test_plural_says_one_run() -> None:
    assert ui.plural(1, "run") == "1 run" and ui.plural(3, "run") == "3 runs"


def test_health_never_says_1_runs(app: AppFactory) -> None:
    at = app()
    at.run()
    at.switch_page("views/health.py").run()
    no_exceptions(at)
    captions = " ".join(str(c.value) for c in at.caption)
    assert "recorded" in captions and "1 runs" not in captions


def test_top_sites_table_is_not_cut_and_has_no_empty_engagement(app: AppFactory) -> None:
    at = app()
    at.run()
    no_exceptions(at)
    tables = {t.proto.id: t for t in at.dataframe}
    assert tables
    sites = [t.value for t in at.dataframe if list(t.value.columns)[:1] == ["name"]]
    assert sites, "the top voices tables"
    for frame in sites:
        if "engagement" in frame:
            assert frame["engagement"].fillna(0).ne(0).any()
    # Each list gets the page's width (a tab) instead of a third of it.
    assert [t.label for t in at.tabs][:3] == ["Authors", "Subreddits", "Sites"]


def test_mention_tables_show_author_place_engagement_link_and_id() -> None:
    columns = panels.mention_columns("UTC")
    for name in ("author", "place", "engagement", "link", "id"):
        assert name in columns
    # Fixed widths that fit beside the sidebar at 1440 px (about 1,000 px of table).
    widths = [c["width"] for c in columns.values()]
    assert all(isinstance(w, int) for w in widths) and sum(widths) <= 1000


def test_a_mention_without_a_place_shows_a_blank_where_not_none() -> None:
    rows = pd.DataFrame(
        {
            "published_at": pd.to_datetime(["2026-03-01 10:00", "2026-03-01 11:00"], utc=True),
            "source": ["mastodon", "reddit"],
            "place": [None, "ebikes"],
            "author": ["a", "b"],
            "brands": ["Acme", "Acme"],
            "sentiment": ["negative", "positive"],
            "title": [None, "t"],
            "snippet": ["s", "s"],
            "engagement": [1, 2],
            "url": ["https://example.org/1", "https://example.org/2"],
            "id": ["mastodon-1", "reddit-2"],
        }
    )
    assert panels.mention_frame(rows, "UTC")["place"].tolist() == ["", "ebikes"]
