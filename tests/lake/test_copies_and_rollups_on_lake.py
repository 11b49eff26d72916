"""Copies counted once, and the hourly rollup kept exact, with a lake as the database."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pipeline.test_copies import (  # noqa: F401 - the same tests, collected here too
    stored,
    test_copies_of_a_story_form_one_group_with_its_size,
    test_count_copies_once_counts_the_story_once,
    test_export_option_counts_copies_once_and_rows_name_their_original,
    test_reanalysis_keeps_copies_and_erasing_the_original_frees_its_copies,
)
from tests.store.test_rollups import (  # noqa: F401 - the same tests, collected here too
    test_every_write_keeps_the_rollup_exact,
    test_reanalysis_and_engagement_updates_keep_it_exact,
)


@pytest.fixture
def database(lake_db: Path) -> str:
    """The lake as the copies tests' [settings] database."""
    return str(lake_db)


@pytest.fixture
def db_path(lake_db: Path) -> Path:
    """The lake in place of the DuckDB file the rollup tests were written against."""
    return lake_db
