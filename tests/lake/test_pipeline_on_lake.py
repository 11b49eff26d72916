"""`collect` end to end on a lake: batches, a failing source, a rerun, run records."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from brandpulse.store.connection import read_connection

from brandpulse import collectors, pipeline
from brandpulse.config import Secrets
from tests.pipeline import probe_source
from tests.pipeline.test_batches import config, stored


class _Catalog(type(Path())):  # type: ignore[misc]
    """The lake's address for the probe, which asks whether its database file exists yet."""

    def exists(self, *, follow_symlinks: bool = True) -> bool:
        return True


@pytest.fixture
def probe(monkeypatch: pytest.MonkeyPatch, lake_db: Path) -> Iterator[dict[str, object]]:
    """Register the probe source for one test, reading back from the lake."""
    monkeypatch.setitem(collectors.REGISTRY, "probe", "tests.pipeline.probe_source")
    plan = {"count": 0, "look_at": (), "fail_at": None, "db": _Catalog(lake_db), "seen": {}}
    monkeypatch.setattr(probe_source, "plan", plan)
    yield plan


def test_collect_writes_batches_keeps_them_on_failure_and_a_rerun_completes(
    lake_db: Path, tmp_path: Path, probe: dict[str, object]
) -> None:
    probe.update(count=30, fail_at=25, look_at=(9, 10, 20))
    (report,) = pipeline.collect(lake_db, config(tmp_path), Secrets(), ["probe"], batch_size=10)
    assert report.status == "partial" and "broke after 25" in report.errors[0]
    # Each full batch was in the lake before the source yielded more.
    assert probe["seen"] == {9: 0, 10: 10, 20: 20}
    assert report.new == 25 and stored(lake_db) == 25
    probe.update(fail_at=None, look_at=())
    (report,) = pipeline.collect(lake_db, config(tmp_path), Secrets(), ["probe"], batch_size=10)
    assert (report.status, report.new, report.updated) == ("ok", 5, 0)
    assert stored(lake_db) == 30
    with read_connection(lake_db) as con:
        runs = con.execute(
            "SELECT status, new FROM collection_runs WHERE source = 'probe' ORDER BY run_id"
        ).fetchall()
    assert runs == [("partial", 25), ("ok", 5)]
