"""The store's upsert tests, run again with a lake as the database."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.store.test_upsert import *  # noqa: F403 - the same tests, collected here too


@pytest.fixture
def db_path(lake_db: Path) -> Path:
    """The lake in place of the DuckDB file the tests were written against."""
    return lake_db
