"""Collection writes in bounded batches while the source still yields, so memory stays flat."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from brandpulse.store.connection import read_connection

from brandpulse import collectors, pipeline
from brandpulse.config import Secrets, parse_config
from tests.pipeline import probe_source

CONFIG = '[settings]\ndatabase = "bp.duckdb"\n\n[[brands]]\nname = "Acme"\nkeywords = ["Acme"]\n'


@pytest.fixture
def probe(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[dict[str, object]]:
    """Register the probe source (a plugin, as an outside source would be) for one test."""
    monkeypatch.setitem(collectors.REGISTRY, "probe", "tests.pipeline.probe_source")
    plan = {"count": 0, "look_at": (), "fail_at": None, "db": tmp_path / "bp.duckdb", "seen": {}}
    monkeypatch.setattr(probe_source, "plan", plan)
    yield plan


def config(tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "brands.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return parse_config(CONFIG, path)


def stored(db: Path) -> int:
    with read_connection(db) as con:
        return int(con.execute("SELECT count(*) FROM mentions").fetchall()[0][0])


def test_each_full_batch_is_written_before_the_source_yields_more(
    tmp_path: Path, probe: dict[str, object]
) -> None:
    probe.update(count=35, look_at=(9, 10, 20, 30, 34))
    db = tmp_path / "bp.duckdb"
    (report,) = pipeline.collect(db, config(tmp_path), Secrets(), ["probe"], batch_size=10)
    assert report.status == "ok" and report.new == 35
    # Never more than one batch (10) collected and not yet written.
    assert probe["seen"] == {9: 0, 10: 10, 20: 20, 30: 30, 34: 30}
    assert stored(db) == 35


def test_a_source_failing_midway_keeps_its_written_batches_and_a_rerun_is_safe(
    tmp_path: Path, probe: dict[str, object]
) -> None:
    probe.update(count=30, fail_at=25)
    db = tmp_path / "bp.duckdb"
    (report,) = pipeline.collect(db, config(tmp_path), Secrets(), ["probe"], batch_size=10)
    assert report.status == "partial" and "broke after 25" in report.errors[0]
    assert report.new == 25 and stored(db) == 25
    probe.update(fail_at=None)
    (report,) = pipeline.collect(db, config(tmp_path), Secrets(), ["probe"], batch_size=10)
    assert (report.status, report.new, report.updated) == ("ok", 5, 0)
    assert stored(db) == 30
