"""Care details: only web links, colour never the only cue, local times, fair write locking."""

from __future__ import annotations

import colorsys
import threading
from datetime import date

import pandas as pd
import pytest
from brandpulse.dashboard import charts, ui
from brandpulse.dashboard.db import SharedLock


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "//example.com/no-scheme",
        "https://",
        "http:/example.com",
        None,
        42,
    ],
)
def test_links_other_than_http_and_https_are_dropped(url: object) -> None:
    assert ui.safe_url(url) is None


def test_web_links_are_kept() -> None:
    assert ui.safe_url("https://example.com/a?b=c#d") == "https://example.com/a?b=c#d"
    assert ui.safe_url("HTTP://Example.com/") == "HTTP://Example.com/"


def _hue(color: str) -> float:
    r, g, b = (int(color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return colorsys.rgb_to_hsv(r, g, b)[0] * 360


def test_sentiment_is_not_told_by_red_against_green() -> None:
    positive, negative = charts.SENTIMENT_COLORS["positive"], charts.SENTIMENT_COLORS["negative"]
    # Neither label is green (roughly 90-150 degrees) and they are not red/green opposites.
    assert not 90 <= _hue(positive) <= 150 and not 90 <= _hue(negative) <= 150
    patterns = {charts.SENTIMENT_PATTERNS[label] for label in ("positive", "neutral", "negative")}
    assert len(patterns) == 3  # each label also has its own fill pattern


def test_volume_chart_labels_every_series_and_its_axis_names_the_zone() -> None:
    volume = pd.DataFrame(
        {
            "period": [date(2026, 5, 1), date(2026, 5, 2)],
            "positive": [3, 1],
            "neutral": [1, 0],
            "negative": [0, 4],
            "unscored": [0, 0],
        }
    )
    fig = charts.volume_by_sentiment(volume, granularity="day", tz="Asia/Tokyo")
    names = [trace.name for trace in fig.data]
    assert names == ["positive", "neutral", "negative"]  # empty "unscored" is left out
    assert fig.layout.xaxis.title.text == "Day (Asia/Tokyo)"


def test_local_times_follow_the_zone_and_its_daylight_saving() -> None:
    stamps = pd.Series(pd.to_datetime(["2026-01-15 12:00", "2026-07-15 12:00"], utc=True))
    local = ui.to_local(stamps, "Europe/Paris")
    assert [t.hour for t in local] == [13, 14]


def test_a_waiting_writer_goes_before_new_readers() -> None:
    lock = SharedLock()
    order: list[str] = []
    first_reader = lock.shared()
    first_reader.__enter__()
    writer_waiting = threading.Event()

    def writer() -> None:
        writer_waiting.set()
        with lock.exclusive():
            order.append("writer")

    def reader() -> None:
        with lock.shared():
            order.append("reader")

    w = threading.Thread(target=writer)
    w.start()
    writer_waiting.wait()
    while not lock._waiting_writers:  # the writer is queued behind the first reader
        threading.Event().wait(0.001)
    r = threading.Thread(target=reader)
    r.start()
    first_reader.__exit__(None, None, None)
    w.join(5)
    r.join(5)
    assert order == ["writer", "reader"]


def test_bars_without_a_time_axis_show_the_hovered_bar_only() -> None:
    phases = pd.DataFrame(
        {"phase": ["before", "during"], "positive": [2, 5], "neutral": [1, 1], "negative": [1, 0]}
    )
    for fig in (
        charts.phase_volume(phases),
        charts.sentiment_split(phases, category="phase"),
        charts.ranking(pd.DataFrame({"source": ["news"], "mentions": [3]}), label="source"),
    ):
        assert fig.layout.hovermode == "closest"
