"""Sidebar filters: URL round trips, presets ending at the newest mention, local days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from brandpulse.dashboard.filters import (
    DEFAULT_PRESET,
    SENTIMENTS,
    Filters,
    comparison_spans,
    from_params,
    local_midnight,
)
from hypothesis import given
from hypothesis import strategies as st

NEWEST, OLDEST = date(2026, 6, 30), date(2026, 1, 1)
BRANDS, SOURCES = ("Acme", "Globex", "Initech"), ("reddit", "news", "blog")


def test_empty_url_gives_the_default_preset_ending_at_the_newest_mention() -> None:
    f = from_params({}, newest=NEWEST, oldest=OLDEST)
    assert (f.period, f.last, f.days) == (DEFAULT_PRESET, NEWEST, 30)
    assert f.to_params() == {}


def test_all_time_starts_at_the_oldest_mention() -> None:
    f = from_params({"period": ["all"]}, newest=NEWEST, oldest=OLDEST)
    assert (f.first, f.last) == (OLDEST, NEWEST)


def test_custom_range_is_ordered_and_bad_values_fall_back() -> None:
    f = from_params(
        {"period": ["custom"], "from": ["2026-03-10"], "to": ["2026-03-01"]},
        newest=NEWEST,
        oldest=OLDEST,
    )
    assert (f.first, f.last) == (date(2026, 3, 1), date(2026, 3, 10))
    broken = from_params(
        {"period": ["custom"], "from": ["yesterday"]}, newest=NEWEST, oldest=OLDEST
    )
    assert broken.period == DEFAULT_PRESET


def test_previous_window_is_equally_long_and_just_before() -> None:
    f = from_params({"period": ["7d"]}, newest=NEWEST, oldest=OLDEST)
    before = f.previous()
    assert before.days == 7 and before.last == f.first - timedelta(days=1)


def test_scope_turns_local_days_into_utc_instants() -> None:
    f = Filters((), "custom", date(2026, 3, 8), date(2026, 3, 8), (), ())
    scope = f.scope("America/New_York")
    # 8 March 2026 is the day US clocks change: it lasts 23 hours.
    assert scope.start == datetime(2026, 3, 8, 5, tzinfo=UTC)
    assert scope.end == datetime(2026, 3, 9, 4, tzinfo=UTC)
    assert local_midnight(date(2026, 7, 1), "Asia/Kolkata") == datetime(
        2026, 6, 30, 18, 30, tzinfo=UTC
    )


@given(
    brands=st.lists(st.sampled_from(BRANDS), unique=True),
    sources=st.lists(st.sampled_from(SOURCES), unique=True),
    sentiments=st.lists(st.sampled_from(SENTIMENTS), unique=True),
    period=st.sampled_from(["7d", "30d", "90d", "365d", "all", "custom"]),
    first=st.dates(min_value=OLDEST, max_value=NEWEST),
    length=st.integers(min_value=0, max_value=200),
)
def test_url_round_trip(
    brands: list[str],
    sources: list[str],
    sentiments: list[str],
    period: str,
    first: date,
    length: int,
) -> None:
    last = first + timedelta(days=length)
    if period != "custom":
        start = from_params({"period": [period]}, newest=NEWEST, oldest=OLDEST)
        first, last = start.first, start.last
    f = Filters(tuple(brands), period, first, last, tuple(sources), tuple(sentiments))
    again = from_params(f.to_params(), newest=NEWEST, oldest=OLDEST, brands=BRANDS, sources=SOURCES)
    assert again == f


def test_languages_and_the_unscored_label_travel_through_the_url() -> None:
    params = {"language": ["es", "", "xx", "es"], "sentiment": ["unscored", "nope"]}
    f = from_params(params, newest=NEWEST, oldest=OLDEST, languages=("en", "es", ""))
    assert f.languages == ("es", "") and f.sentiments == ("unscored",)
    assert f.scope("UTC").languages == ("es", "")
    back = from_params(f.to_params(), newest=NEWEST, oldest=OLDEST, languages=("en", "es", ""))
    assert back == f


def test_changes_compare_whole_local_days_across_a_clock_change() -> None:
    # 22 Oct to 20 Nov 2026 in Amsterdam holds the end of summer time (25 Oct): 30 days and
    # one hour. The 30 days before hold no change, so they end at local midnight, not an
    # hour into the window's first day.
    f = Filters((), "custom", date(2026, 10, 22), date(2026, 11, 20), (), ())
    tz = "Europe/Amsterdam"
    now, before = comparison_spans(f, tz, collected=datetime(2026, 11, 30, tzinfo=UTC))
    assert now == (local_midnight(date(2026, 10, 22), tz), local_midnight(date(2026, 11, 21), tz))
    assert before == (
        local_midnight(date(2026, 9, 22), tz),
        local_midnight(date(2026, 10, 22), tz),
    )


def test_a_partly_collected_last_day_is_compared_up_to_the_same_time_of_day() -> None:
    f = Filters((), "custom", date(2026, 10, 22), date(2026, 11, 20), (), ())
    tz = "Europe/Amsterdam"
    collected = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)  # 10:30 in Amsterdam
    now, before = comparison_spans(f, tz, collected)
    assert now[1] == collected
    # 21 Oct, 10:30 in Amsterdam (summer time, UTC+2).
    assert before[1] == datetime(2026, 10, 21, 8, 30, tzinfo=UTC)


def test_count_copies_once_travels_through_the_url() -> None:
    f = from_params({"copies": ["once"]}, newest=NEWEST, oldest=OLDEST)
    assert f.copies_once and f.to_params()["copies"] == ["once"]
    assert from_params(f.to_params(), newest=NEWEST, oldest=OLDEST) == f
    assert not from_params({"copies": ["twice"]}, newest=NEWEST, oldest=OLDEST).copies_once
