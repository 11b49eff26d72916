"""Re-analysis beside a running collector, relevance marks and sentiment training on a lake."""

from __future__ import annotations

from pathlib import Path

import pytest
from brandpulse.store.connection import read_connection

from brandpulse.cli import main
from tests.lake.collector import mention
from tests.lake.test_commands import write
from tests.lake.test_concurrency import CLEAN, integrity, start


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "brands.toml"
    path.write_text('[[brands]]\nname = "Acme"\n', encoding="utf-8")
    return path


def test_rescore_beside_a_running_collector_finishes_and_keeps_every_row_once(
    lake_db: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(lake_db, config, "news", 0, 150)
    # Another source's collector commits small batches all through the re-analysis: its
    # inserts into the analysis tables race the rescore's rewrites of them.
    collector = start(lake_db, config, "reddit", 0, 100, 10)
    code = main(["analyze", "--rescore", "--batch", "100", "-c", str(config), "--db", str(lake_db)])
    out, err = capsys.readouterr()
    _, collector_err = collector.communicate(timeout=300)
    assert collector.returncode == 0, collector_err
    assert code == 0, err
    assert "analysed " in out
    found = integrity(lake_db)
    assert found["per_source"] == {"news": 150, "reddit": 100}
    assert {k: v for k, v in found.items() if k != "per_source"} == CLEAN


def test_relevance_marks_on_a_lake_leave_mentions_out_and_teach_later_collections(
    lake_db: Path, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(lake_db, config, "news", 0, 12)
    marks = tmp_path / "marks.csv"
    rows = [(mention("news", n).id, "unrelated" if n < 4 else "related") for n in range(12)]
    marks.write_text(
        "mention_id,brand,label\n" + "".join(f"{i},Acme,{label}\n" for i, label in rows),
        encoding="utf-8",
    )
    code = main(
        ["relevance", "import", str(marks), "--by", "ana", "-c", str(config), "--db", str(lake_db)]
    )
    _, err = capsys.readouterr()
    assert code == 0, err
    with read_connection(lake_db) as con:
        stored = con.execute("SELECT count(*), count(DISTINCT mention_id) FROM relevance_marks")
        assert stored.fetchall() == [(12, 12)]
        left_out = con.execute(
            "SELECT mention_id FROM mention_brands WHERE NOT counted ORDER BY 1"
        ).fetchall()
    assert [r[0] for r in left_out] == sorted(i for i, label in rows if label == "unrelated")
    # A later collection scores with the marks' model, and keeps the marked mentions' marks.
    write(lake_db, config, "news", 0, 14)
    with read_connection(lake_db) as con:
        marked_out = con.execute(
            "SELECT count(*) FROM mention_brands WHERE NOT counted AND mention_id IN"
            " (SELECT mention_id FROM relevance_marks WHERE label = 'unrelated')"
        ).fetchall()[0][0]
    assert marked_out == 4


def test_sentiment_train_refuses_a_lake_with_its_reason(
    lake_db: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(lake_db, config, "news", 0, 5)
    code = main(["sentiment", "train", "-c", str(config), "--db", str(lake_db)])
    _, err = capsys.readouterr()
    assert code == 2
    assert "error: sentiment train keeps its project model in a file beside the database" in err
    assert "fix:" in err
    # Nothing was written under a path made from the lake's address.
    assert not Path(str(lake_db)).parent.exists()
