"""The store's upsert and triage tests, run again with a lake as the database."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.store.test_triage import (  # noqa: F401 - the same tests, collected here too
    ids,
    test_read_state_is_per_person,
    test_saved_views_keep_a_name_a_query_and_one_default,
    test_status_tags_assignee_filter_and_are_audited,
)
from tests.store.test_upsert import (  # noqa: F401 - the same tests, collected here too
    test_changed_score_or_text_updates_in_place,
    test_failed_transaction_leaves_nothing,
    test_first_upsert_reports_every_mention_as_new,
    test_repeated_id_within_one_batch_keeps_the_last,
    test_runs_and_state_are_recorded,
    test_second_collect_adds_nothing,
    test_update_keeps_first_published_time,
)


@pytest.fixture
def db_path(lake_db: Path) -> Path:
    """The lake in place of the DuckDB file the tests were written against."""
    return lake_db
