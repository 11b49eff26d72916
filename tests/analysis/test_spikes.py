"""Incident detection against series whose answers are worked out by hand."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pandas as pd
import pytest
from brandpulse.analysis import spikes

MONDAY = date(2026, 2, 2)


def _series(values: list[int], negative: list[int] | None = None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": [MONDAY + timedelta(days=k) for k in range(len(values))],
            "mentions": values,
            "negative": negative if negative is not None else [0] * len(values),
        }
    )


def _day(scored: pd.DataFrame, k: int) -> pd.Series:
    return scored.set_index("period").loc[MONDAY + timedelta(days=k)]


def test_tails_match_closed_forms() -> None:
    # P(X >= 3) for a Poisson of mean 1 is 1 - e^-1 (1 + 1 + 1/2); a tiny alpha is Poisson.
    assert spikes.nbinom_sf(3, 1.0, 1e-9) == pytest.approx(1 - math.exp(-1) * 2.5, rel=1e-5)
    # Over-dispersion makes the same count far less surprising.
    assert spikes.nbinom_sf(12, 3.0, 0.5) > 20 * spikes.nbinom_sf(12, 3.0, 0.01)
    assert spikes.binom_sf(3, 4, 0.5) == pytest.approx(5 / 16)
    assert spikes.binom_sf(5, 4, 0.5) == 0.0


def _summed(value: int, mu: float, alpha: float) -> float:
    """P(X >= value) of the negative binomial, summed term by term from its pmf."""
    r = 1.0 / alpha
    q = mu / (r + mu)

    def pmf(k: int) -> float:
        log = math.lgamma(k + r) - math.lgamma(r) - math.lgamma(k + 1)
        return math.exp(log + r * math.log1p(-q) + k * math.log(q))

    return sum(pmf(k) for k in range(value, value + 100_002))


@pytest.mark.parametrize(
    ("value", "mu", "alpha"),
    [(31_000, 30_000.0, 1e-4), (45_000, 30_000.0, 0.1), (80, 40.0, 0.05), (7, 2.0, 1e-3)],
)
def test_busy_tails_equal_the_term_by_term_sum(value: int, mu: float, alpha: float) -> None:
    # Tails of tens of thousands of terms are summed in chunks of running ratios.
    assert spikes.nbinom_sf(value, mu, alpha) == pytest.approx(_summed(value, mu, alpha), rel=1e-7)
    n, share = value + 500, 0.3

    def binom(k: int) -> float:
        log = math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
        return math.exp(log + k * math.log(share) + (n - k) * math.log1p(-share))

    exact = sum(binom(k) for k in range(value // 3, n + 1))
    assert spikes.binom_sf(value // 3, n, share) == pytest.approx(exact, rel=1e-8)


def test_the_weekly_rhythm_sets_the_expected_value() -> None:
    # Four weeks of 40 on weekdays and 10 at weekends: mean 220/7. A weekday's factor is its
    # mean shrunk by two pseudo-days of the overall mean: (4*40 + 2m) / 6 / m.
    week = [40] * 5 + [10] * 2
    scored = spikes.score_days(_series(week * 4 + [50]))
    later = spikes.score_days(_series(week * 4 + [40] * 5 + [50]))
    m = 220 / 7
    monday, saturday = _day(scored, 28), _day(later, 33)
    assert monday.expected == round((160 + 2 * m) / 6, 1)  # 37.1
    assert saturday.expected == round((40 + 2 * m) / 6, 1)  # 17.1
    # 50 is a normal Monday but three times a usual Saturday.
    assert not monday.spike
    assert saturday.spike
    assert saturday.ratio == round(50 / saturday.expected, 1)
    # No day of the first two weeks is judged: too little history.
    assert scored["expected"].iloc[:14].isna().all()


def test_a_small_brand_blip_is_not_an_incident() -> None:
    # Usual 1 a day, then 8: many times the usual but only 7 more mentions.
    scored = spikes.score_days(_series([1] * 28 + [8]))
    last = scored.iloc[-1]
    assert last.ratio >= spikes.MIN_RATIO
    assert last.value - last.expected < spikes.MIN_EXCESS
    assert not last.spike


def test_an_earlier_spike_does_not_hide_a_later_one() -> None:
    values = [20] * 21 + [100] + [20] * 6 + [20, 100]
    found = spikes.find_incidents("Acme", spikes.score_days(_series(values)))
    assert sorted(found["start"]) == [MONDAY + timedelta(days=21), MONDAY + timedelta(days=29)]


def test_a_negative_surge_is_found_while_volume_is_flat() -> None:
    values = [50] * 29
    negative = [10] * 28 + [35]
    scored = spikes.score_days(_series(values, negative))
    last = scored.iloc[-1]
    assert not last.spike and last.negative_surge
    # The usual share is smoothed by a prior of 2 negatives in 10 mentions.
    share = (280 + 2) / (1400 + 10)
    assert last.negative_expected == round(50 * share, 1)
    found = spikes.find_incidents("Acme", scored)
    assert found["kind"].tolist() == ["negative"]


@pytest.mark.parametrize(
    ("tail", "status"),
    [([100], "new"), ([60, 100], "growing"), ([100, 60], "ongoing"), ([100, 20], "over")],
)
def test_incident_status_follows_the_latest_day(tail: list[int], status: str) -> None:
    found = spikes.find_incidents("Acme", spikes.score_days(_series([20] * 28 + tail)))
    assert len(found) == 1
    incident = found.iloc[0]
    assert incident.status == status
    assert incident.start == MONDAY + timedelta(days=28)
    assert incident.peak == incident.start + timedelta(days=tail.index(100))


def test_incidents_are_ranked_by_severity_not_date() -> None:
    values = [20] * 28 + [200] + [20] * 10 + [70]
    found = spikes.find_incidents("Acme", spikes.score_days(_series(values)))
    assert found["peak_value"].tolist() == [200, 70]
    assert found["score"].is_monotonic_decreasing


def test_a_partial_day_is_judged_on_the_part_already_past() -> None:
    # A quarter of a usual 40-mention day has passed: 40 already is four times that.
    scored = spikes.score_days(_series([40] * 29), today_fraction=0.25)
    last = scored.iloc[-1]
    assert last.expected == 10.0
    assert last.spike
    assert spikes.elapsed_share([0] * 24, 6) == pytest.approx(0.25)
    # A usual day whose mentions come at night is mostly still ahead at 06:00.
    # (floored at 5%, so an early burst is not judged against almost nothing).
    evening = [0] * 18 + [100] * 6
    assert spikes.elapsed_share(evening, 12) == 0.05
    assert spikes.elapsed_share(evening, 21) == pytest.approx((18 + 303) / 624)


def test_a_surge_inside_a_campaign_is_planned() -> None:
    values = [20] * 28 + [100, 90]
    window = ("Launch", MONDAY + timedelta(days=27), MONDAY + timedelta(days=40))
    found = spikes.find_incidents("Acme", spikes.score_days(_series(values)), planned=[window])
    assert found["planned"].tolist() == ["Launch"]


def test_missing_days_count_as_zero() -> None:
    daily = pd.DataFrame(
        {"period": [date(2026, 3, 1), date(2026, 3, 4)], "mentions": [2, 3], "negative": [0, 1]}
    )
    assert spikes.score_days(daily)["value"].tolist() == [2, 0, 0, 3]


def test_one_wording_of_a_day_against_its_norm() -> None:
    assert spikes.describe(8, 0.5) == "8 mentions vs 0.5 expected (×16.0)"
