"""Trend, campaign and emerging-term figures against values worked out by hand."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pandas as pd
import pytest
from brandpulse.analysis.campaigns import campaign_report, campaign_windows, volume_lift
from brandpulse.analysis.terms import count_terms, emerging_terms
from brandpulse.analysis.trends import (
    comparison_gap,
    net_sentiment,
    previous_window,
    rolling_share,
    rolling_volume,
    with_band,
)


def test_net_sentiment_and_previous_window() -> None:
    assert net_sentiment(6, 2, 10) == pytest.approx(0.4)
    assert net_sentiment(1, 3, 8) == pytest.approx(-0.25)
    assert math.isnan(net_sentiment(0, 0, 0))
    assert previous_window(date(2026, 3, 8), date(2026, 3, 14)) == (
        date(2026, 3, 1),
        date(2026, 3, 7),
    )


def test_volume_lift_of_steady_windows_is_a_poisson_interval() -> None:
    lift = volume_lift([20] * 10, [10] * 10)
    se = math.sqrt(1 / 200 + 1 / 100)  # 0.12247
    assert (lift.during, lift.baseline, lift.dispersion) == (200, 100, 1.0)
    assert lift.ratio == pytest.approx(2.0)
    assert lift.low == pytest.approx(2 * math.exp(-1.96 * se))  # 1.573
    assert lift.high == pytest.approx(2 * math.exp(1.96 * se))  # 2.543
    assert lift.low == pytest.approx(1.5732, abs=1e-4)


def test_volume_lift_widens_for_bursty_days() -> None:
    # During: 0, 40, 0, 40 (mean 20); baseline 10 each day. Chi-square of the campaign
    # days: 4 * 20^2 / 20 = 80 over 3 df, baseline 0 over 3 df: phi = 80 / 6 = 13.33.
    lift = volume_lift([0, 40, 0, 40], [10, 10, 10, 10])
    assert lift.dispersion == pytest.approx(80 / 6)
    se = math.sqrt(80 / 6 * (1 / 80 + 1 / 40))
    assert lift.ratio == pytest.approx(2.0)
    assert lift.low == pytest.approx(2 * math.exp(-1.96 * se))
    assert lift.low < 1 < lift.high  # so bursty a lift is not distinguishable from none


def test_volume_lift_with_an_empty_baseline_stays_finite() -> None:
    lift = volume_lift([3, 2], [0, 0])
    assert lift.ratio == pytest.approx(5.5 / 0.5)
    assert math.isfinite(lift.high)


def test_campaign_report_compares_window_and_baseline_per_brand() -> None:
    start, end = date(2026, 3, 10), date(2026, 3, 13)
    (first, last), (b_first, b_last) = campaign_windows(start, end)
    assert (b_first, b_last) == (date(2026, 3, 6), date(2026, 3, 9))
    rows = []
    for k in range(8):
        day = b_first + timedelta(days=k)
        during = day >= start
        # Acme: 5/day before (1 positive, 2 negative), 10/day during (6 positive, 1 negative).
        rows.append(("Acme", day, 10 if during else 5, 6 if during else 1, 1 if during else 2))
        # Globex is flat: 4/day, 2 positive.
        rows.append(("Globex", day, 4, 2, 0))
    daily = pd.DataFrame(rows, columns=["brand", "period", "mentions", "positive", "negative"])
    report = campaign_report(daily, start, end).set_index("brand")
    acme = report.loc["Acme"]
    assert (acme.mentions, acme.baseline_mentions) == (40, 20)
    assert acme.mentions_per_day == 10 and acme.baseline_per_day == 5
    assert acme.lift == pytest.approx(2.0)
    assert acme.lift_low == pytest.approx(2 * math.exp(-1.96 * math.sqrt(1 / 40 + 1 / 20)))
    # Net during (24 - 4) / 40 = 0.5; before (4 - 8) / 20 = -0.2; change 0.7.
    assert acme.net_sentiment == pytest.approx(0.5)
    assert acme.baseline_net_sentiment == pytest.approx(-0.2)
    assert acme.net_change == pytest.approx(0.7)
    var = (28 / 40 - 0.25) / 40 + (12 / 20 - 0.04) / 20
    assert acme.net_change_high - acme.net_change == pytest.approx(1.96 * math.sqrt(var))
    globex = report.loc["Globex"]
    assert globex.lift == pytest.approx(1.0) and globex.net_change == pytest.approx(0.0)


def test_terms_are_words_and_phrases_without_stop_words_or_brand_words() -> None:
    docs = [
        ("Acme recall: the batteries are overheating. Avoid the Acme X2!", "en"),
        ("De batterij van mijn Acme is kapot, echt slecht", "nl"),
    ]
    counted, n = count_terms(docs, exclude=["Acme", "#acme"])
    found = set(counted["term"])
    assert n == 2
    # Phrases never span punctuation, never start or end with a stop word, never hold
    # a brand word; Dutch stop words are dropped from the Dutch mention.
    assert {"recall", "batteries", "overheating", "avoid", "batterij", "kapot"} <= found
    assert "batteries are overheating" in found  # a stop word inside a phrase is fine
    assert "recall batteries" not in found  # spans the colon
    assert not any("acme" in t for t in found)
    assert not {"the", "van", "mijn", "are", "the batteries", "batteries are"} & found
    assert "echt slecht" in found and "kapot echt" not in found  # the comma breaks it


def test_emerging_terms_are_log_odds_with_an_informative_prior() -> None:
    # "recall" in 30 of 300 term uses now and 2 of 600 before (the docstring's example).
    current = pd.DataFrame({"term": ["recall", "anvil"], "mentions": [30, 270]})
    baseline = pd.DataFrame({"term": ["recall", "anvil"], "mentions": [2, 598]})
    result = emerging_terms(current, 100, baseline, 200, exclude=["Acme"])
    assert result["term"].tolist() == ["recall"]  # anvil is used less than before
    a, a0 = 32, 900  # the pooled counts are the prior
    delta = math.log((30 + a) / (300 + a0 - 30 - a)) - math.log((2 + a) / (600 + a0 - 2 - a))
    row = result.iloc[0]
    assert row.log_odds == pytest.approx(delta)
    assert row.z == pytest.approx(delta / math.sqrt(1 / (30 + a) + 1 / (2 + a)))
    assert row.z == pytest.approx(4.0, abs=0.01)
    assert (row.mentions, row.baseline_mentions) == (30, 2)
    assert row.lift == pytest.approx((30 / 100) / (2 / 200))


def test_noise_is_not_emerging_and_phrases_replace_their_words() -> None:
    current = pd.DataFrame(
        {
            "term": ["batteries", "overheating", "batteries overheating", "hauler", "bike"],
            "mentions": [40, 40, 40, 4, 300],
        }
    )
    baseline = pd.DataFrame(
        {"term": ["batteries", "overheating", "hauler", "bike"], "mentions": [2, 1, 6, 600]}
    )
    result = emerging_terms(current, 300, baseline, 600)
    # "hauler" 4 against 6: a filler word, not significant.
    assert result["term"].tolist() == ["batteries overheating"]
    assert result["z"].iloc[0] >= 1.96
    # Nothing before (e.g. "All time"): nothing to compare with, so nothing emerges.
    assert emerging_terms(current, 300, baseline.iloc[0:0], 0).empty


def test_a_change_needs_the_previous_period_collected() -> None:
    coverage = {"reddit": date(2026, 7, 24), "news": date(2026, 5, 1)}
    assert comparison_gap(date(2026, 6, 4), coverage, []) == (
        "reddit is collected only since 2026-07-24, after the previous period began (2026-06-04)"
    )
    # Only the sources in view matter.
    assert comparison_gap(date(2026, 6, 4), coverage, ["news"]) is None
    assert comparison_gap(date(2026, 8, 1), coverage, []) is None
    assert comparison_gap(date(2026, 8, 1), {}, []) == "nothing was collected before this period"


def test_rolling_net_sentiment_weighs_days_by_volume_and_keeps_gaps() -> None:
    days = [date(2026, 3, 1) + timedelta(days=k) for k in range(9)]
    # A 2-mention day (both negative) among 100-mention days (60 positive, 20 negative),
    # then a week without any mention.
    mentions = [100, 2, 100, 0, 0, 0, 0, 0, 0]
    positive = [60, 0, 60, 0, 0, 0, 0, 0, 0]
    negative = [20, 2, 20, 0, 0, 0, 0, 0, 0]
    volume = pd.DataFrame(
        {
            "period": days,
            "brand": "Acme",
            "mentions": mentions,
            "positive": positive,
            "negative": negative,
        }
    )
    out = rolling_volume(volume).set_index("period")
    # Day 3: (120 - 42) / 202, not the mean of the daily values (0.4, -1, 0.4).
    assert out.loc[days[2], "net_sentiment"] == pytest.approx(78 / 202)
    # Day 9's window (days 3..9) still holds day 3; day 10 would be a gap.
    assert out.loc[days[8], "net_sentiment"] == pytest.approx(0.4)
    daily = with_band(volume).set_index("period")
    assert daily.loc[days[1], "net_sentiment"] == -1.0
    assert math.isnan(daily.loc[days[3], "net_sentiment"])
    assert math.isnan(daily.loc[days[3], "net_low"])
    # Two negative mentions: p' = 1, q' = 3, n' = 4, mean -0.5, se sqrt(0.75 / 4).
    spread = 1.96 * math.sqrt(0.75 / 4)
    assert daily.loc[days[1], "net_low"] == pytest.approx(max(-1.0, -0.5 - spread))
    assert daily.loc[days[1], "net_high"] == pytest.approx(-0.5 + spread)
    # The band narrows with volume.
    width = daily["net_high"] - daily["net_low"]
    assert width.loc[days[0]] < width.loc[days[1]] / 4


def test_rolling_share_of_voice_has_gaps_where_nobody_spoke() -> None:
    days = [date(2026, 3, 1) + timedelta(days=k) for k in range(9)]
    rows = []
    for brand, counts in (("Acme", [3, 1] + [0] * 7), ("Globex", [1, 3] + [0] * 7)):
        for day, n in zip(days, counts, strict=True):
            rows.append(
                {"period": day, "brand": brand, "mentions": n, "positive": 0, "negative": 0}
            )
    out = rolling_share(pd.DataFrame(rows)).set_index(["period", "brand"])
    assert out.loc[(days[1], "Acme"), "share"] == pytest.approx(0.5)
    assert out.loc[(days[6], "Acme"), "share"] == pytest.approx(0.5)
    assert math.isnan(out.loc[(days[8], "Acme"), "share"])
