"""The Mentions inbox in headless Chromium: two people triaging, a saved view, the table's width.

Two browser contexts are two people: each types their name in the sidebar (no sign-in), so
read marks are theirs alone while tags, status and assignee are the team's.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.dashboard.running import served_dashboard
from tests.dashboard.test_browser import (
    ARGS,
    CHROMIUM,
    SHOTS,
    no_exception_box,
    require_chromium,
    settle,
)

pytestmark = pytest.mark.browser

WIDE = {"width": 1440, "height": 1400}


@pytest.fixture(scope="module")
def writable(tmp_path_factory: pytest.TempPathFactory, fixture_folder: Path) -> Path:
    """A private copy of the fixture that these tests write triage to."""
    import shutil

    folder = tmp_path_factory.mktemp("inbox")
    for name in ("brands.toml", "fixture.duckdb"):
        shutil.copy(fixture_folder / name, folder / name)
    return folder / "brands.toml"


@pytest.fixture(scope="module")
def server(writable: Path) -> Iterator[str]:
    require_chromium()
    with served_dashboard(writable) as (url, _):
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=ARGS
        )
        yield chromium
        chromium.close()


def person(browser: Any, server: str, name: str, path: str = "/mentions") -> Any:
    """Open the Mentions page in a fresh browser context and say who is there."""
    context = browser.new_context(viewport=WIDE)
    page = context.new_page()
    page.goto(f"{server}{path}")
    settle(page, "Mentions")
    field = page.locator('[data-testid="stSidebar"]').get_by_label("You are", exact=True)
    field.fill(name)
    field.press("Enter")
    page.wait_for_timeout(500)
    settle(page, "Mentions")
    no_exception_box(page)
    return page


def table_rows(page: Any) -> list[list[str]]:
    """Return the mentions table's cells as text, row by row (from the grid's a11y table)."""
    return page.evaluate(
        """() => [...document.querySelector('[data-testid="stDataFrame"]')
                    .querySelectorAll('table tbody tr')]
              .map(tr => [...tr.querySelectorAll('td')].map(td => td.innerText.trim()))"""
    )


def header(page: Any) -> list[str]:
    return page.evaluate(
        """() => [...document.querySelector('[data-testid="stDataFrame"]')
                    .querySelectorAll('table thead th')].map(th => th.innerText.trim())"""
    )


def tick(page: Any, rows: list[int]) -> None:
    """Tick the selection boxes of the given table rows (0 is the first)."""
    for done, row in enumerate(rows, start=1):
        # Ticking a row draws the actions above the table, which moves it: measure each time.
        grid = page.locator('[data-testid="stDataFrame"]').first
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 16, box["y"] + 35 + 35 * row + 17)
        page.get_by_text(f"{done} selected").first.wait_for(timeout=60_000)
        settle(page, "Mentions")
    settle(page, "Mentions")


def act(page: Any, button: str, outcome: str, field: str | None = None, value: str = "") -> None:
    """Fill the bulk bar's field (if any), press its button and wait for its own outcome.

    The outcome is matched by its words: the previous action's success box can still be
    drawn when the button is pressed, so any success box would not prove this one landed.
    """
    if field is not None:
        box = page.get_by_label(field, exact=True)
        box.fill(value)
        box.press("Enter")
        settle(page, "Mentions")
    page.get_by_role("button", name=button, exact=True).click()
    success = page.locator('[data-testid="stAlertContentSuccess"]', has_text=outcome)
    success.first.wait_for(timeout=60_000)
    settle(page, "Mentions")
    no_exception_box(page)


def cells(page: Any, row: int) -> dict[str, str]:
    """Return one table row by column heading (the selection column, if listed, left out)."""
    # The grid fills its accessible table after the run ends; under load, later than that.
    page.wait_for_function(
        """n => (document.querySelector('[data-testid="stDataFrame"]')
                  ?.querySelectorAll('table tbody tr').length ?? 0) > n""",
        arg=row,
        timeout=60_000,
    )
    names, values = header(page), table_rows(page)[row]
    n = min(len(names), len(values))
    return dict(zip(names[-n:], values[-n:], strict=True))


def test_two_people_share_tags_and_assignee_but_not_read_marks(server: str, browser: Any) -> None:
    ana = person(browser, server, "ana")
    before = [cells(ana, n) for n in range(3)]
    assert all(c["New"] == "●" for c in before)
    tick(ana, [0, 1])
    act(ana, "Add tag", "Tagged 2 mentions", "Tag", "press")
    if ana.get_by_text("2 selected").count() == 0:
        tick(ana, [0, 1])
    act(ana, "Assign", "Assigned 2 mentions to bo", "Assign to", "bo")
    if ana.get_by_text("2 selected").count() == 0:
        tick(ana, [0, 1])
    act(ana, "Mark read", "Marked 2 mentions read")
    SHOTS.mkdir(parents=True, exist_ok=True)
    ana.screenshot(path=str(SHOTS / "mentions-inbox.png"))
    mine = [cells(ana, n) for n in range(3)]
    assert [c["Id"] for c in mine] == [c["Id"] for c in before]
    assert [c["New"] for c in mine] == ["", "", "●"]
    assert [c["Tags"] for c in mine] == ["press", "press", ""]
    assert [c["Status"] for c in mine] == ["new · bo", "new · bo", "new"]

    bo = person(browser, server, "bo")
    theirs = [cells(bo, n) for n in range(3)]
    assert [c["Id"] for c in theirs] == [c["Id"] for c in before]
    # bo sees the team's tags and assignee, but has read nothing.
    assert [c["New"] for c in theirs] == ["●", "●", "●"]
    assert [c["Tags"] for c in theirs] == ["press", "press", ""]
    assert [c["Status"] for c in theirs] == ["new · bo", "new · bo", "new"]

    # The history of a mention names who did what.
    tick(bo, [0])
    bo.get_by_text("History").first.wait_for(timeout=60_000)
    rows = bo.locator('[data-testid="stText"]', has_text="· ana ·").first.inner_text()
    for change in ("· ana · tag · press", "· ana · assign · bo", "· ana · read"):
        assert change in rows, rows
    bo.context.close()
    ana.context.close()


def test_the_inbox_table_fits_1440_px_without_scrolling_sideways(server: str, browser: Any) -> None:
    page = person(browser, server, "cy")
    names = header(page)
    for wanted in ("Author", "Where", "Engagement", "Link", "Id"):
        assert wanted in names
    widths = page.evaluate(
        """() => { const s = document.querySelector('[data-testid="stDataFrame"] .dvn-scroller');
                   return [s.scrollWidth, s.clientWidth]; }"""
    )
    assert widths[0] <= widths[1], widths
    # 50 rows per page, all drawn (the table is as tall as its rows).
    assert len(table_rows(page)) == 50
    page.context.close()


def test_confirming_ticked_labels_marks_them_as_the_teams(server: str, browser: Any) -> None:
    page = person(browser, server, "fay")
    before = [cells(page, n)["Sentiment"] for n in (2, 3)]
    assert not any(label.endswith("✎") for label in before)
    tick(page, [2, 3])
    press(page, page.get_by_role("button", name="Labels are right"), "Confirmed 2 labels")
    settle(page, "Mentions")
    # The team's own label now (✎), the same words as the scorer's.
    assert [cells(page, n)["Sentiment"] for n in (2, 3)] == [f"{s} ✎" for s in before]
    page.get_by_text("(2 confirm the scorer's label)").first.wait_for(timeout=30_000)
    page.context.close()


def press(page: Any, button: Any, outcome: str) -> None:
    """Click `button` and wait for its success box; an error box fails with its words.

    Under load a click can reach Streamlit while the previous rerun is still being drawn
    and be dropped with it (no callback, no box): then it is clicked once more. What the
    click did is asserted afterwards either way, so a second click cannot hide a defect.
    """
    boxes = page.locator(
        '[data-testid="stAlertContentSuccess"], [data-testid="stAlertContentError"]'
    ).filter(has_text=outcome)
    errors = page.locator('[data-testid="stAlertContentError"]')
    for attempt in range(2):
        button.click()
        try:
            boxes.first.wait_for(timeout=45_000)
            break
        except Exception:
            assert errors.count() == 0, errors.first.inner_text()
            if attempt:
                raise
            settle(page, "Mentions")
    assert errors.count() == 0, errors.first.inner_text()


def searched(page: Any, words: str) -> None:
    """Wait until the search box shows `words` (it is filled by the page's script run)."""
    page.wait_for_function(
        "w => document.querySelector('input[aria-label=\"Search titles and texts\"]')?.value === w",
        arg=words,
        timeout=30_000,
    )
    settle(page, "Mentions")


def open_views(page: Any) -> None:
    """Open the Saved views expander unless it is open."""
    if not page.get_by_label("Save this view as").is_visible():
        page.get_by_text("Saved views").first.click()
    page.get_by_label("Save this view as").wait_for(timeout=30_000)


def test_a_saved_view_reloads_with_its_search(server: str, browser: Any) -> None:
    page = person(browser, server, "dee")
    search = page.get_by_label("Search titles and texts")
    search.fill("recall")
    search.press("Enter")
    page.wait_for_url("**q=recall**", timeout=30_000)
    settle(page, "Mentions")
    matching = page.get_by_text("mentions match").first.inner_text()
    # The search lives in the URL: a reload keeps it.
    page.reload()
    settle(page, "Mentions")
    searched(page, "recall")
    assert page.get_by_text("mentions match").first.inner_text() == matching

    open_views(page)
    name = page.get_by_label("Save this view as")
    name.fill("Recalls")
    name.press("Enter")
    settle(page, "Mentions")
    # Each click waits for its own outcome: the save's success box is still drawn when the
    # next button is pressed, so "a success box" would not prove that the second click landed.
    press(page, page.get_by_role("button", name="Save view"), "Saved the view 'Recalls'")
    settle(page, "Mentions")
    open_views(page)
    make_default = page.locator('[data-testid="stExpander"]').get_by_role(
        "button", name="Make default"
    )
    press(page, make_default, "Default view changed")
    settle(page, "Mentions")
    open_views(page)
    page.get_by_text("Recalls · team default").first.wait_for(timeout=60_000)
    page.context.close()

    # Someone else opens the bare page: the team's default view, search included.
    other = person(browser, server, "eve")
    searched(other, "recall")
    assert other.get_by_text("mentions match").first.inner_text() == matching
    # Back to no search, then open the saved view by name.
    box = other.get_by_label("Search titles and texts")
    box.fill("")
    box.press("Enter")
    other.wait_for_function("() => !location.search.includes('q=')", timeout=30_000)
    searched(other, "")
    assert other.get_by_text("mentions match").first.inner_text() != matching
    # As in `press`: under load a click can land during a rerun and be dropped with it, so
    # a click that did not bring the view back is made once more.
    for attempt in range(2):
        open_views(other)
        views = other.locator('[data-testid="stExpander"]')
        views.get_by_role("button", name="Open", exact=True).first.click()
        settle(other, "Mentions")
        try:
            searched(other, "recall")
            break
        except Exception:
            if attempt:
                raise
    assert other.get_by_text("mentions match").first.inner_text() == matching
    other.context.close()
