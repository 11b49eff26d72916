"""`brandpulse demo --db <lake>` end to end: the demo built into a lake, every dashboard page
opened by its path in headless Chromium, each showing the demo's own numbers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from brandpulse import demo
from brandpulse.cli import main
from tests.dashboard.running import served_dashboard
from tests.dashboard.test_browser import (  # noqa: F401 - fixtures, used by name
    PAGES,
    browser,
    no_exception_box,
    page,
    require_chromium,
    settle,
)

pytestmark = pytest.mark.browser


# What each page shows once its figures are drawn (waited for before reading the page).
FIGURES = {
    "overview": re.compile(r"^Share of voice$"),
    "mentions": re.compile(r"mentions match"),
    "campaigns": re.compile(r"^Volume lift$"),
    "competitors": re.compile(r"^Heron share of voice$"),
    "spikes": re.compile(r"· Norvelo ·"),
    "review": re.compile(r"mentions of Norvelo are counted"),
    "health": re.compile(r"^appstore$"),
}


def main_text(tab: Any) -> str:
    """Return the text of the page's main area (not the sidebar)."""
    return str(tab.locator('[data-testid="stMain"]').inner_text())


def number(pattern: str, text: str) -> float:
    """Return the number the pattern's one group finds in the text (commas dropped)."""
    found = re.search(pattern, text)
    assert found, f"{pattern!r} not in: {text[:800]}"
    return float(found.group(1).replace(",", ""))


def test_the_demo_builds_into_a_lake_and_every_page_shows_it_in_chromium(
    lake_db: Path,
    page: Any,  # noqa: F811 - the browser tests' fixture, imported above
    capsys: pytest.CaptureFixture[str],
) -> None:
    require_chromium()
    assert main(["demo", "--no-serve", "--db", str(lake_db)]) == 0
    out = capsys.readouterr().out
    fetched = {m[0]: int(m[1]) for m in re.findall(r"run (\w+): ok, fetched (\d+)", out)}
    total = number(r"mentions: ([\d,]+), published", out)
    assert len(fetched) >= 5 and total > 1000, out

    with served_dashboard(demo.DEMO_CONFIG, lake_db) as (url, _):
        seen: dict[str, str] = {}
        for path, title in PAGES.items():
            page.goto(f"{url}/{path}")
            settle(page, title)
            # Metrics and lists can arrive after the title: wait for the page's own figures.
            area = page.locator('[data-testid="stMain"]')
            area.get_by_text(FIGURES[path]).first.wait_for(timeout=60_000)
            no_exception_box(page)
            seen[path] = main_text(page)

    overview = seen["overview"]
    assert number(r"Mentions\s+([\d,]+)", overview) > 0
    assert "Share of voice" in overview and "Net sentiment" in overview
    # The Mentions inbox counts what the period holds: some of the demo, never more.
    assert 0 < number(r"([\d,]+) mentions match", seen["mentions"]) <= total
    assert number(r"Volume lift\s+×([\d.]+)", seen["campaigns"]) > 0
    shares = re.findall(r"share of voice\s+([\d.]+)%", seen["competitors"])
    assert len(shares) == 4, seen["competitors"][:1500]
    assert abs(sum(float(s) for s in shares) - 100) < 0.5, shares
    assert re.search(r"(high|medium|low) · \w+ · Norvelo", seen["spikes"]), seen["spikes"][:800]
    assert number(r"([\d,]+) mentions of Norvelo are counted", seen["review"]) > 0
    # Each source's card shows what its demo run fetched.
    for source, count in fetched.items():
        assert re.search(rf"{source}\s+Status\s+OK\s+Fetched\s+{count:,}\b", seen["health"]), (
            source,
            seen["health"][:1500],
        )
