"""The dashboard's page tests, run again with the fixture data in a lake.

The fixture is built into a DuckDB file as for the file tests, then copied into a lake with
`lake import`; every page reads the lake and must show the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import streamlit as st
from brandpulse.store import lake
from streamlit.testing.v1 import AppTest

from tests.dashboard.conftest import APP, AppFactory, fixture_folder  # noqa: F401 - fixture
from tests.dashboard.test_pages import (  # noqa: F401 - the same tests, collected here too
    test_campaign_page_shows_lift_of_the_window_against_before,
    test_competitors_page_shares_add_up,
    test_every_page_renders_without_error,
    test_filters_from_the_url_change_the_numbers,
    test_health_page_warns_about_a_failing_source,
    test_overview_kpis_match_the_spec,
    test_overview_volume_chart_sums_to_the_mentions_and_marks_spike_and_campaign,
    test_spikes_page_lists_the_incident_first_with_one_expected_value,
)
from tests.lake.conftest import _new_database


@pytest.fixture(scope="module")
def fixture_lake(
    postgres: str,
    lake_template: str,
    fixture_folder: Path,  # noqa: F811 - the dashboard tests' fixture, imported above
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Path]:
    """The dashboard fixture, imported into a lake of its own."""
    name = _new_database(postgres, lake_template)
    dsn = postgres.replace("dbname=postgres", f"dbname={name}")
    data = tmp_path_factory.mktemp("dashboard-lake")
    with psycopg.connect(dsn, autocommit=True) as pg:
        pg.execute("UPDATE ducklake_metadata SET value = %s WHERE key = 'data_path'", [f"{data}/"])
    db = Path(f"ducklake:postgres:{dsn}")
    lake.import_file(db, fixture_folder / "fixture.duckdb")
    yield db
    lake.close_all()


@pytest.fixture
def app(
    monkeypatch: pytest.MonkeyPatch,
    fixture_folder: Path,  # noqa: F811
    fixture_lake: Path,
) -> Iterator[AppFactory]:
    """AppTests over the fixture's config and the lake."""

    def make(
        config: Path | None = None,
        db: Path | None = None,
        params: dict[str, str | list[str]] | None = None,
    ) -> AppTest:
        monkeypatch.setenv("BRANDPULSE_CONFIG", str(config or fixture_folder / "brands.toml"))
        monkeypatch.setenv("BRANDPULSE_DB", str(db or fixture_lake))
        at = AppTest.from_file(str(APP), default_timeout=120)
        for key, value in (params or {}).items():
            at.query_params[key] = value
        return at

    st.cache_data.clear()
    yield make
    st.cache_data.clear()
