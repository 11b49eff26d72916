"""Reddit's rate limit never makes a run sleep longer than `[reddit] max_rate_limit_wait`:
past it the run stops, says so, and the next run resumes from the saved cursors."""

from __future__ import annotations

from typing import Any

from tests.collectors.reddit.conftest import make_config
from tests.collectors.reddit.make_cassettes import PAGE
from tests.collectors.reddit.test_collect import SEARCH_PATH, recorded, run

OTHER_PATH = "/r/other/search/"


def test_a_spent_budget_stops_the_run_instead_of_sleeping_past_the_setting(
    replay: Any, waits: list[tuple[str, float]]
) -> None:
    server = replay("rate_exhausted.json")
    config = make_config(server, subreddits=("all", "other"))
    settings = config.sections["reddit"]
    assert settings.max_rate_limit_wait == 10
    mentions, report = run(config)

    # Headers `remaining 0, reset 120` after the first page: no wait above the setting.
    asked = [seconds for kind, seconds in waits if kind == "rate_limit"]
    assert all(seconds <= settings.max_rate_limit_wait for seconds in asked), asked
    # The first page's posts are kept; the second page and the next target wait for later.
    assert len(server.requests_to(SEARCH_PATH)) == 1
    assert server.requests_to(OTHER_PATH) == []
    assert [m.native_id for m in mentions] == [
        d["name"] for d in recorded("rate_exhausted.json", SEARCH_PATH)[:PAGE]
    ]
    assert report.errors == []
    assert [item.status for item in report.items] == ["skipped", "skipped"]
    assert "max_rate_limit_wait (10 s)" in report.items[0].facts["reason"]
    assert "asks to wait 120 s" in report.items[0].facts["reason"]
    (warning,) = report.warnings
    assert "2 Reddit targets skipped" in warning and "next time" in warning
    # No cursor moved, so the next run reads both targets from where they were.
    assert report.state == {}


def test_the_next_run_resumes_what_the_limit_stopped(replay: Any) -> None:
    first = replay("rate_exhausted.json")
    _, report = run(make_config(first, subreddits=("all", "other")))
    later = replay("search_acme.json")
    mentions, report2 = run(make_config(later, subreddits=("all",)), report.state)
    names = {m.native_id for m in mentions}
    assert names == {d["name"] for d in recorded("search_acme.json")}
    assert report2.warnings == [] and report2.errors == []


def test_a_longer_setting_waits_as_reddit_asks(replay: Any, waits: list[tuple[str, float]]) -> None:
    server = replay("rate_exhausted.json")
    config = make_config(server, subreddits=("all", "other"), max_rate_limit_wait=600)
    mentions, report = run(config)
    asked = [seconds for kind, seconds in waits if kind == "rate_limit"]
    assert asked and 110 < max(asked) <= 120
    assert report.warnings == [] and report.errors == []
    assert server.requests_to(OTHER_PATH)
