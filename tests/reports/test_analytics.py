"""Trend reads against a real DuckDB file, each expected figure worked out by hand."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from brandpulse.store import analytics
from brandpulse.store.connection import read_connection
from brandpulse.store.scope import Scope

from tests.reports.seed import Row, at, seed

# Monday 2 March 2026 and the next days; every row is noon UTC unless it says otherwise.
ROWS = [
    Row(at("2026-03-02"), ["Acme"], "positive", score=10, author="ann"),
    Row(at("2026-03-02"), ["Acme"], "positive", score=0, author="bob"),
    Row(at("2026-03-02"), ["Acme"], "negative", score=5, author="ann", source="news"),
    Row(at("2026-03-02"), ["Acme"], "neutral", score=1, author="cy"),
    Row(at("2026-03-02"), ["Globex"], "negative", score=2, author="dee"),
    Row(at("2026-03-03"), ["Acme"], "negative", score=3, author="ann"),
    Row(at("2026-03-03"), ["Acme", "Globex"], "positive", score=4, author="bob"),
    # 03:00 UTC on 5 March is 22:00 on 4 March in New York (EST, UTC-5).
    Row(at("2026-03-05", hour=3), ["Acme"], "positive", score=0, author="eve"),
]


@pytest.fixture
def db(db_path: Path) -> Path:
    seed(db_path, ROWS)
    return db_path


def test_daily_volume_counts_labels_and_fills_empty_days(db: Path) -> None:
    with read_connection(db) as con:
        df = analytics.daily_volume(con, Scope(("Acme",), date(2026, 3, 2), date(2026, 3, 4)))
    rows = {r.period: r for r in df.itertuples()}
    assert list(rows) == [date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)]
    first = rows[date(2026, 3, 2)]
    assert (first.mentions, first.positive, first.negative, first.neutral) == (4, 2, 1, 1)
    assert first.net_sentiment == pytest.approx((2 - 1) / 4)
    assert first.engagement == 10 + 0 + 5 + 1
    second = rows[date(2026, 3, 3)]
    assert (second.mentions, second.positive, second.negative) == (2, 1, 1)
    assert second.net_sentiment == 0
    empty = rows[date(2026, 3, 4)]
    assert empty.mentions == 0 and math.isnan(empty.net_sentiment)


def test_days_are_local_days_of_the_display_time_zone(db: Path) -> None:
    with read_connection(db) as con:
        utc = analytics.daily_volume(con, Scope(("Acme",), date(2026, 3, 4), date(2026, 3, 5)))
        ny = analytics.daily_volume(
            con, Scope(("Acme",), date(2026, 3, 4), date(2026, 3, 5), "America/New_York")
        )
    assert utc.set_index("period")["mentions"].to_dict() == {
        date(2026, 3, 4): 0,
        date(2026, 3, 5): 1,
    }
    assert ny.set_index("period")["mentions"].to_dict() == {
        date(2026, 3, 4): 1,
        date(2026, 3, 5): 0,
    }


def test_weeks_start_on_monday_and_filters_narrow_the_counts(db: Path) -> None:
    with read_connection(db) as con:
        acme = Scope(("Acme",))
        weekly = analytics.daily_volume(con, acme.over(date(2026, 3, 1), date(2026, 3, 8)), "week")
        news = analytics.daily_volume(
            con, replace(acme.over(date(2026, 3, 2), date(2026, 3, 2)), sources=("news",))
        )
        negative = analytics.daily_volume(
            con,
            replace(acme.over(date(2026, 3, 2), date(2026, 3, 3)), sentiments=("negative",)),
        )
    # 1 March is a Sunday: its week starts Monday 23 February.
    assert weekly.set_index("period")["mentions"].to_dict() == {
        date(2026, 2, 23): 0,
        date(2026, 3, 2): 7,
    }
    assert news["mentions"].tolist() == [1]
    assert negative["mentions"].tolist() == [1, 1]


def test_share_of_voice_counts_a_two_brand_mention_for_each(db: Path) -> None:
    with read_connection(db) as con:
        df = analytics.share_of_voice(
            con, Scope(("Acme", "Globex", "Initech"), date(2026, 3, 2), date(2026, 3, 3))
        )
    got = df.set_index("brand")
    # Acme 6 mentions, Globex 2 (one shared with Acme), Initech none: 6/8, 2/8, 0.
    assert got["mentions"].to_dict() == {"Acme": 6, "Globex": 2, "Initech": 0}
    assert got.loc["Acme", "share"] == pytest.approx(0.75)
    assert got.loc["Globex", "share"] == pytest.approx(0.25)
    assert got.loc["Initech", "share"] == 0
    # Engagement: Acme 10+0+5+1+3+4 = 23, Globex 2+4 = 6.
    assert got.loc["Acme", "engagement_share"] == pytest.approx(23 / 29)


def test_kpis_compare_with_the_equally_long_period_before(db: Path) -> None:
    with read_connection(db) as con:
        df = analytics.kpis(con, Scope(("Acme",), date(2026, 3, 3), date(2026, 3, 4)))
    row = df.iloc[0]
    # Now: 3-4 March, 2 mentions (1 positive, 1 negative). Before: 1-2 March, 4 mentions.
    assert (row.mentions, row.prev_mentions) == (2, 4)
    assert row.mentions_change == pytest.approx((2 - 4) / 4)
    assert row.net_sentiment == 0
    assert row.prev_net_sentiment == pytest.approx(0.25)
    assert row.net_sentiment_change == pytest.approx(-0.25)
    assert (row.engagement, row.prev_engagement) == (7, 16)


def test_top_authors_by_mentions_and_by_engagement(db: Path) -> None:
    with read_connection(db) as con:
        by_count = analytics.top_by(
            con, "author", Scope(("Acme", "Globex"), date(2026, 3, 2), date(2026, 3, 3))
        )
        by_engagement = analytics.top_by(
            con, "author", Scope(("Acme",), date(2026, 3, 2), date(2026, 3, 3)), "engagement"
        )
    # ann 3 mentions, bob 2 (the two-brand mention counts once), cy 1, dee 1.
    assert by_count[["name", "mentions"]].values.tolist() == [
        ["ann", 3],
        ["bob", 2],
        ["cy", 1],
        ["dee", 1],
    ]
    # Engagement: ann 10+5+3 = 18, bob 0+4 = 4, cy 1.
    assert by_engagement[["name", "engagement"]].values.tolist() == [
        ["ann", 18],
        ["bob", 4],
        ["cy", 1],
    ]


def test_term_counts_count_mentions_not_occurrences(db_path: Path) -> None:
    seed(
        db_path,
        [
            Row(at("2026-03-02"), ["Acme"], text="Battery battery BATTERY died #AcmeFail"),
            Row(at("2026-03-02"), ["Acme"], text="the battery's fine, see https://x.io/battery"),
            Row(at("2026-03-02"), ["Acme"], text="screen is great"),
        ],
    )
    with read_connection(db_path) as con:
        df, docs = analytics.term_counts(
            con, Scope(("Acme",), date(2026, 3, 2), date(2026, 3, 2)), stop_words=["the", "see"]
        )
    counts = dict(zip(df["term"], df["mentions"], strict=True))
    assert docs == 3
    assert counts["battery"] == 2
    assert counts["#acmefail"] == 1
    assert "the" not in counts and "is" not in counts  # stop word, and too short
    assert not any(t.startswith("http") or "x.io" in t for t in counts)


def test_offset_changes_find_each_clock_change_to_the_second() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    end = datetime(2027, 1, 1, tzinfo=UTC)
    hour = 3_600_000_000
    assert analytics.offset_changes("Europe/Paris", start, end) == [
        (start, hour),
        (datetime(2026, 3, 29, 1, tzinfo=UTC), 2 * hour),
        (datetime(2026, 10, 25, 1, tzinfo=UTC), hour),
    ]
    assert analytics.offset_changes("Asia/Kathmandu", start, end) == [(start, 345 * 60_000_000)]


@pytest.mark.parametrize("tz", ["Asia/Kathmandu", "America/St_Johns", "Australia/Lord_Howe"])
def test_local_days_match_the_time_zone_library_in_odd_zones(db_path: Path, tz: str) -> None:
    # One mention every 97 minutes through a year: every offset and clock change is hit.
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [Row(start + timedelta(minutes=97 * k), ["Acme"]) for k in range(5500)]
    seed(db_path, rows)
    expected = Counter(r.when.astimezone(ZoneInfo(tz)).date() for r in rows)
    first, last = min(expected), max(expected)
    with read_connection(db_path) as con:
        df = analytics.daily_volume(con, Scope(("Acme",), first, last, tz))
    got = {d: n for d, n in zip(df["period"], df["mentions"], strict=True) if n}
    assert got == dict(expected)
