"""Fixtures for the dashboard tests: the fixture database (built once) and an AppTest on it."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.dashboard import fixture

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"


@pytest.fixture(scope="session")
def fixture_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the fixture's brands.toml and database (do not write to it)."""
    folder = tmp_path_factory.mktemp("dashboard-fixture")
    fixture.build(folder)
    return folder


@pytest.fixture
def fixture_copy(fixture_folder: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A private copy of the fixture (config, database) that a test may write to."""
    for name in ("brands.toml", "fixture.duckdb"):
        shutil.copy(fixture_folder / name, tmp_path / name)
    return tmp_path / "brands.toml", tmp_path / "fixture.duckdb"


AppFactory = Callable[..., AppTest]


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, fixture_folder: Path) -> Iterator[AppFactory]:
    """Return a factory of AppTests over a config and database (the fixture by default)."""

    def make(
        config: Path | None = None,
        db: Path | None = None,
        params: dict[str, str | list[str]] | None = None,
    ) -> AppTest:
        monkeypatch.setenv("BRANDPULSE_CONFIG", str(config or fixture_folder / "brands.toml"))
        if db is not None:
            monkeypatch.setenv("BRANDPULSE_DB", str(db))
        else:
            monkeypatch.delenv("BRANDPULSE_DB", raising=False)
        at = AppTest.from_file(str(APP), default_timeout=60)
        for key, value in (params or {}).items():
            at.query_params[key] = value
        return at

    st.cache_data.clear()
    yield make
    st.cache_data.clear()


def no_exceptions(at: AppTest) -> None:
    """Fail with the page's own message when a script raised."""
    assert not at.exception, [e.value for e in at.exception]


def tick(at: AppTest, rows: list[int]) -> AppTest:
    """Tick rows of the Mentions table (its selection state), rerun and return the page."""
    at.session_state["m_table"] = {"selection": {"rows": rows, "columns": [], "cells": []}}
    at.run()
    no_exceptions(at)
    return at
