"""Collection health shows runs that did not finish on their own: interrupted and refused."""

from __future__ import annotations

from pathlib import Path

from brandpulse.store.connection import write_connection
from brandpulse.store.records import RunReport
from brandpulse.store.runs import close_abandoned, start_run
from brandpulse.store.writes import record_run

from tests.dashboard.conftest import AppFactory
from tests.dashboard.test_pages import PAGES, open_page


def test_health_page_shows_interrupted_and_refused_runs(
    app: AppFactory, fixture_copy: tuple[Path, Path]
) -> None:
    config, db = fixture_copy
    with write_connection(db) as con:
        # A run killed after it started, as the next run finds it...
        start_run(con, RunReport(source="feeds"))
        assert close_abandoned(con) == 1
        # ...and a run refused because another held the lock.
        refused = RunReport(source="feeds", outcome="refused")
        refused.error("another collection is already running")
        record_run(con, refused)
    at = open_page(app(config=config, db=db), PAGES[5])
    values = [(m.label, m.value) for m in at.metric]
    assert ("Status", "Interrupted") in values, "the killed run is the source's last state"
    history = next(df.value for df in at.dataframe if "run_id" in df.value.columns)
    assert {"interrupted", "refused"} <= set(history["status"])
