"""The Mentions page's CSV download is byte for byte what `brandpulse export` writes."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from brandpulse.dashboard.downloads import mentions_csv
from brandpulse.dashboard.filters import Filters

from tests.dashboard import expected as ex
from tests.dashboard.fixture import LAST_DAY, TZ
from tests.dashboard.running import export_csv


@pytest.mark.parametrize(
    ("filters", "args"),
    [
        (
            Filters((), "30d", LAST_DAY - timedelta(days=29), LAST_DAY, (), ()),
            [],
        ),
        (
            Filters(
                ("Globex",),
                "custom",
                LAST_DAY - timedelta(days=20),
                LAST_DAY - timedelta(days=3),
                ("news", "blog"),
                ("negative",),
            ),
            [
                "--brand",
                "Globex",
                "--source",
                "news",
                "--source",
                "blog",
                "--sentiment",
                "negative",
            ],
        ),
    ],
)
def test_download_equals_the_export_command(
    fixture_folder: Path, tmp_path: Path, filters: Filters, args: list[str]
) -> None:
    ours = mentions_csv(fixture_folder / "fixture.duckdb", filters.scope(TZ))
    window = ["--since", filters.first.isoformat(), "--until", filters.last.isoformat()]
    theirs = export_csv(fixture_folder / "brands.toml", tmp_path / "export.csv", *window, *args)
    assert ours == theirs
    rows = list(csv.DictReader(io.StringIO(ours.decode("utf-8"))))
    pairs = ex.rows(
        filters.first,
        filters.last,
        filters.brands or None,
        filters.sentiments or None,
        filters.sources or None,
    )
    assert len(rows) == len(pairs) > 0


def test_download_keeps_only_rows_with_every_search_word(fixture_folder: Path) -> None:
    filters = Filters((), "all", LAST_DAY - timedelta(days=59), LAST_DAY, (), ())
    scope = replace(filters, search="RECALL dangerous").inbox_scope(TZ, "ana")
    data = mentions_csv(fixture_folder / "fixture.duckdb", scope)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    pairs = [
        (item, brand)
        for item, brand in ex.rows(filters.first, filters.last)
        if "recall" in item.mention.text.lower() and "dangerous" in item.mention.text.lower()
    ]
    assert len(rows) == len(pairs) > 0
    # A title that starts like a formula is neutralised, as the export command does.
    assert not any(r["title"].startswith(("=", "+", "@")) for r in rows)
