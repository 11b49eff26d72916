"""`brandpulse export` files as spreadsheets open them: typed .xlsx cells, rounded ratios, modes."""

from __future__ import annotations

import os
import re
import stat
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from tests.reports.seed import Row, at, seed
from tests.reports.test_export import CONFIG, export, random_rows


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "brands.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def test_excel_writes_a_workbook_with_typed_dates_and_numbers(
    tmp_path: Path, db_path: Path, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(
        db_path,
        [
            Row(at("2026-03-02", 3), ["Acme"], "positive", text='=HYPERLINK("http://x")'),
            Row(at("2026-03-03", 15), ["Acme"], "negative", text="acme broke"),
        ],
    )
    out = tmp_path / "m.xlsx"
    assert export(capsys, config_file, db_path, "-o", str(out), "--excel") == 0
    sheet = load_workbook(out).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert "published_at (America/New_York)" in header
    when = [r[header.index("published_at (America/New_York)")] for r in rows[1:]]
    # 03:00 UTC on 2 March is 22:00 the day before in New York: a real date-time cell.
    assert when == [datetime(2026, 3, 1, 22, 0), datetime(2026, 3, 3, 10, 0)]
    engagement = [r[header.index("engagement")] for r in rows[1:]]
    assert all(isinstance(v, int | float) for v in engagement)
    texts = [
        c for c in sheet.iter_rows(min_row=2) for c in c if c.column == header.index("text") + 1
    ]
    assert texts[0].data_type == "s" and texts[0].value.startswith("=HYPERLINK")

    daily = tmp_path / "d.xlsx"
    assert export(capsys, config_file, db_path, "-w", "daily", "-o", str(daily), "--excel") == 0
    days = [r[0] for r in load_workbook(daily).active.iter_rows(min_row=2, values_only=True)]
    assert days and all(isinstance(d, datetime | date) for d in days)


def test_ratios_in_daily_and_campaign_exports_are_rounded(
    tmp_path: Path, db_path: Path, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(db_path, random_rows())
    for what in ("daily", "campaigns"):
        out = tmp_path / f"{what}.csv"
        assert export(capsys, config_file, db_path, "-w", what, "-o", str(out)) == 0
        text = out.read_text(encoding="utf-8")
        frame = pd.read_csv(out)
        assert frame.select_dtypes("float").shape[1] > 0, what
        long = re.findall(r"\d+\.\d{5,}", text)
        assert not long, f"{what}: {long[:3]}"


@pytest.mark.parametrize("mask", [0o022, 0o077])
def test_export_files_follow_the_umask(
    tmp_path: Path,
    db_path: Path,
    config_file: Path,
    capsys: pytest.CaptureFixture[str],
    mask: int,
) -> None:
    seed(db_path, [Row(at("2026-03-02"), ["Acme"], "positive")])
    out = tmp_path / "m.csv"
    old = os.umask(mask)
    try:
        assert export(capsys, config_file, db_path, "-o", str(out)) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~mask
