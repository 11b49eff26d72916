"""`brandpulse export`: the CSV contract, formula neutralising, and daily sums equal to rows."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from brandpulse.cli import main
from brandpulse.commands.export import SPIKE_COLUMNS
from tests.reports.seed import Row, at, seed

CONFIG = """\
[settings]
timezone = "America/New_York"

[[brands]]
name = "Acme"
query = "acme"

[[competitors]]
name = "Globex"
query = "globex"

[[campaigns]]
name = "Spring"
brand = "Acme"
start = 2026-03-10
end = 2026-03-13
"""

# The mentions export's columns, in order, as docs/analysis.md promises them.
CONTRACT = [
    "id",
    "source",
    "brand",
    "published_at",
    "author",
    "title",
    "text",
    "url",
    "sentiment",
    "sentiment_score",
    "whole_text_score",
    "corrected",
    "scorer",
    "scorer_version",
    "matched_term",
    "engagement",
    "score",
    "comments",
    "subreddit",
    "domain",
    "feed",
    "relevance",
    "sentiment_confidence",
    "language",
    "copy_of",
]


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "brands.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def export(capsys: pytest.CaptureFixture[str], config: Path, db: Path, *args: str) -> int:
    code = main(["export", "--config", str(config), "--db", str(db), *args])
    capsys.readouterr()
    return code


def random_rows(n: int = 400) -> list[Row]:
    """Mentions over six weeks around the March 2026 US clock change, some naming both
    brands, some unscored, at every hour of the day."""
    rng = random.Random(7)
    start = datetime(2026, 2, 20, tzinfo=UTC)
    rows = []
    for _ in range(n):
        when = start + timedelta(minutes=rng.randrange(0, 42 * 24 * 60))
        brands = rng.choice([["Acme"], ["Acme"], ["Globex"], ["Acme", "Globex"]])
        label = rng.choice(["positive", "negative", "neutral", "neutral", None])
        rows.append(
            Row(
                when,
                brands,
                label,
                score=rng.randrange(0, 50),
                source=rng.choice(["reddit", "news", "blog"]),
            )
        )
    return rows


FILTERS = [
    [],
    ["--brand", "Acme"],
    ["--brand", "Globex", "--source", "news"],
    ["--sentiment", "negative", "--sentiment", "neutral"],
    ["--since", "2026-03-07", "--until", "2026-03-09"],  # spans the clock change (8 March)
    ["--since", "2026-03-01", "--brand", "Acme", "--source", "reddit", "--sentiment", "positive"],
]


@pytest.mark.parametrize("filters", FILTERS)
def test_daily_sums_equal_the_mentions_export(
    filters: list[str],
    tmp_path: Path,
    db_path: Path,
    config_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    seed(db_path, random_rows())
    mentions_csv, daily_csv = tmp_path / "m.csv", tmp_path / "d.csv"
    assert export(capsys, config_file, db_path, "-o", str(mentions_csv), *filters) == 0
    assert (
        export(capsys, config_file, db_path, "--what", "daily", "-o", str(daily_csv), *filters) == 0
    )
    mentions = pd.read_csv(mentions_csv)
    daily = pd.read_csv(daily_csv)
    assert len(mentions) > 0
    assert int(daily["mentions"].sum()) == len(mentions)
    per_brand = mentions.groupby("brand").size().to_dict()
    assert daily.groupby("brand")["mentions"].sum().loc[list(per_brand)].to_dict() == per_brand
    # And per local day: the day of each row's local time is the day it is summed under.
    local_days = mentions["published_at"].str[:10].value_counts().to_dict()
    by_day = daily.groupby("date")["mentions"].sum()
    assert by_day[by_day > 0].to_dict() == local_days
    for label in ("positive", "negative", "neutral"):
        assert int(daily[label].sum()) == int((mentions["sentiment"] == label).sum())


def test_csv_follows_the_contract_and_neutralises_formulas(
    tmp_path: Path, db_path: Path, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    texts = [
        '=HYPERLINK("http://x")',
        "+1 for acme",
        "-acme is meh",
        "@acme hi",
        "\tacme tab",
        "\racme cr",
        'acme, "quoted"\nnew line',
        "café acme ☕",
    ]
    seed(
        db_path,
        [Row(at("2026-03-02", 3), ["Acme"], "positive", text=t, author=t[:6]) for t in texts],
    )
    out = tmp_path / "m.csv"
    assert export(capsys, config_file, db_path, "-o", str(out), "--bom") == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(out, encoding="utf-8-sig", keep_default_na=False)
    assert list(frame.columns) == CONTRACT
    by_text = set(frame["text"])
    assert '\'=HYPERLINK("http://x")' in by_text
    assert {"'+1 for acme", "'-acme is meh", "'@acme hi", "'\tacme tab"} <= by_text
    assert 'acme, "quoted"\nnew line' in by_text and "café acme ☕" in by_text
    cells = [cell for col in frame for cell in frame[col] if isinstance(cell, str)]
    assert not any(cell[:1] in tuple("=+-@\t\r") for cell in cells)
    # 03:00 UTC on 2 March is 22:00 the day before in New York, with its offset.
    assert set(frame["published_at"]) == {"2026-03-01T22:00:00-05:00"}
    assert (frame["sentiment"] == "positive").all()
    assert frame["sentiment_score"].dtype.kind == "f"


def test_parquet_and_json_keep_values_unaltered(
    tmp_path: Path, db_path: Path, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(db_path, [Row(at("2026-03-02"), ["Acme", "Globex"], "negative", text="=acme globex")])
    parquet, js = tmp_path / "m.parquet", tmp_path / "m.json"
    assert export(capsys, config_file, db_path, "-f", "parquet", "-o", str(parquet)) == 0
    assert export(capsys, config_file, db_path, "-f", "json", "-o", str(js)) == 0
    table = pd.read_parquet(parquet)
    assert sorted(table["brand"]) == ["Acme", "Globex"]  # one row per mention and brand
    assert table["id"].nunique() == 1
    assert str(table["published_at"].dt.tz) in {"UTC", "Etc/UTC"}
    records = json.loads(js.read_text(encoding="utf-8"))
    assert [r["text"] for r in records] == ["=acme globex", "=acme globex"]
    assert records[0]["published_at"] == "2026-03-02T07:00:00-05:00"


def test_campaign_export_compares_window_and_baseline(
    tmp_path: Path, db_path: Path, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = []
    # Baseline 6-9 March: Acme 2 a day; campaign 10-13 March: Acme 6 a day. Globex 3 a day.
    for day in range(6, 14):
        acme = 6 if day >= 10 else 2
        for k in range(acme):
            rows.append(
                Row(
                    at(f"2026-03-{day:02d}", 15),
                    ["Acme"],
                    "positive" if k % 2 == 0 else "neutral",
                    text=f"acme {k}",
                )
            )
        rows += [Row(at(f"2026-03-{day:02d}", 15), ["Globex"], "neutral", text="globex")] * 3
    seed(db_path, rows)
    out = tmp_path / "c.csv"
    assert export(capsys, config_file, db_path, "--what", "campaigns", "-o", str(out)) == 0
    report = pd.read_csv(out).set_index("brand")
    assert report.loc["Acme", "role"] == "brand" and report.loc["Globex", "role"] == "competitor"
    assert (report.loc["Acme", "mentions"], report.loc["Acme", "baseline_mentions"]) == (24, 8)
    assert report.loc["Acme", "lift"] == pytest.approx(3.0)
    assert report.loc["Acme", "lift_low"] < 3.0 < report.loc["Acme", "lift_high"]
    assert report.loc["Globex", "lift"] == pytest.approx(1.0)


def test_spike_export_names_the_incident_and_what_drove_it(
    tmp_path: Path, db_path: Path, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Four weeks of 3 Acme mentions a day (one negative), then 30 negative ones on 30 March
    # about a recall: 30 against 3.0 expected, and 30 negatives against a usual share of
    # (29 + 2) / (87 + 10), smoothed by the prior of 2 in 10.
    rows = []
    for day in range(1, 30):
        for k in range(3):
            label = "negative" if k == 0 else "neutral"
            rows.append(Row(at(f"2026-03-{day:02d}", 15), ["Acme"], label, text="acme anvil"))
    for k in range(30):
        rows.append(
            Row(
                at("2026-03-30", 15),
                ["Acme"],
                "negative",
                score=k,
                text="acme recall: batteries overheating",
                url=f"https://news.example/{k}",
            )
        )
    ids = seed(db_path, rows)
    out = tmp_path / "s.csv"
    assert export(capsys, config_file, db_path, "--what", "spikes", "-o", str(out)) == 0
    spikes = pd.read_csv(out)
    assert list(spikes.columns) == SPIKE_COLUMNS
    assert len(spikes) == 1
    row = spikes.iloc[0]
    assert (row.incident_id, row.brand, row.kind, row.status) == (
        "Acme:2026-03-30",
        "Acme",
        "volume+negative",
        "over",
    )
    assert (row.start, row.peak, row.end, row.peak_value) == ("2026-03-30",) * 3 + (30,)
    assert (row.peak_expected, row.peak_ratio) == (3.0, 10.0)
    assert row.negative_expected == round(30 * 31 / 97, 1)
    # The incident's own words, not the brand's query term nor the quiet days' words.
    # "batteries overheating" always comes as a phrase, so it replaces its two words.
    assert set(row.top_terms.split("; ")) == {"recall", "batteries overheating"}
    # The three most engaged mentions: scores 29, 28 and 27.
    assert row.top_mention_ids.split("; ") == [ids[-1], ids[-2], ids[-3]]
    assert row.top_mention_urls.split("; ") == [f"https://news.example/{k}" for k in (29, 28, 27)]


def test_bad_options_are_refused_with_a_fix(
    tmp_path: Path, db_path: Path, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(db_path, [Row(at("2026-03-02"), ["Acme"])])
    for args in (
        ["--since", "yesterday"],
        ["--sentiment", "angry"],
        ["-f", "parquet"],  # to stdout
        ["--since", "2026-03-05", "--until", "2026-03-01"],
        ["--tz", "Mars/Olympus"],
    ):
        code = main(["export", "--config", str(config_file), "--db", str(db_path), *args])
        err = capsys.readouterr().err
        assert code == 2, args
        assert "error:" in err and "fix:" in err
    assert not list(tmp_path.glob("*.part"))
