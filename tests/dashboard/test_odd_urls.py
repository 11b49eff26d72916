"""Odd values in a shared URL never crash a page: dates at the ends of the calendar are
clamped to what the data and the calendar allow."""

from __future__ import annotations

import pytest

from tests.dashboard.conftest import AppFactory, no_exceptions
from tests.dashboard.test_pages import PAGES, open_page

EXTREMES = {"period": "custom", "from": "0001-01-01", "to": "9999-12-31"}


@pytest.mark.parametrize("page", [PAGES[0], PAGES[1], PAGES[4]])
def test_a_custom_range_at_the_ends_of_the_calendar_is_clamped(app: AppFactory, page: str) -> None:
    at = open_page(app(params=EXTREMES), page)
    no_exceptions(at)
    assert not at.error, [e.value for e in at.error]
    assert at.title and at.title[0].value
    # The range shown is inside what a day can be in any time zone.
    first, last = at.date_input(key="f_range").value
    assert first.year > 1 and last.year < 9999
    assert first <= last
