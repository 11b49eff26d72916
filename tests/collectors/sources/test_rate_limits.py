"""Rate-limit headers as Mastodon and Bluesky send them, and the pacer's decisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from brandpulse.collectors.rate_limits import Pacer, RateLimit, RateLimited

NOW = datetime(2025, 7, 17, 20, 0, tzinfo=UTC)


def test_mastodon_headers_with_an_iso_reset() -> None:
    limit = RateLimit.from_headers(
        {
            "x-ratelimit-limit": "300",
            "x-ratelimit-remaining": "0",
            "x-ratelimit-reset": "2025-07-17T20:05:00.290188Z",
        }
    )
    assert limit == RateLimit(300, 0, datetime(2025, 7, 17, 20, 5, 0, 290188, tzinfo=UTC))
    assert limit.wait(NOW) == pytest.approx(300.290188)


def test_bluesky_headers_with_an_epoch_reset() -> None:
    limit = RateLimit.from_headers(
        {"RateLimit-Limit": "3000", "RateLimit-Remaining": "2983", "RateLimit-Reset": "1747676784"}
    )
    assert limit is not None and limit.remaining == 2983
    assert limit.reset_at == datetime(2025, 5, 19, 17, 46, 24, tzinfo=UTC)
    assert limit.wait(NOW) == 0.0  # quota left: no wait


def test_no_headers_no_limit() -> None:
    assert RateLimit.from_headers({"content-type": "application/json"}) is None


def test_the_pacer_waits_then_refuses_a_wait_too_long() -> None:
    slept: list[float] = []
    pacer = Pacer(max_wait=60, sleep=slept.append, clock=lambda: NOW)
    url = "https://mastodon.example/api/v1/timelines/tag/acme"
    soon = (NOW + timedelta(seconds=30)).isoformat()
    pacer.after(url, {"X-RateLimit-Remaining": "1", "X-RateLimit-Reset": soon})
    pacer.before(url)
    assert slept == [30.0]
    pacer.before(url)  # the reset passed: no second wait
    assert slept == [30.0]
    late = (NOW + timedelta(hours=1)).isoformat()
    pacer.after(url, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": late})
    with pytest.raises(RateLimited, match="max_retry_wait"):
        pacer.before(url)
    with pytest.raises(RateLimited):
        pacer.before("https://mastodon.example/api/v2/search?q=acme")  # same host
    pacer.before("https://other.example/api/v1/timelines/tag/acme")  # another host goes on
