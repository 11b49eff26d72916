"""One filter, built once from a dashboard URL, selects the same rows on every surface.

The URL's filters become a `Scope`; the Mentions page's count, the Overview's daily
counts, the Mentions page's download and `brandpulse export` (mentions and daily) with the
same filters as flags must all agree, including the language and relevance filters.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

from brandpulse.dashboard import data
from brandpulse.dashboard.db import Reader
from brandpulse.dashboard.downloads import mentions_csv
from brandpulse.dashboard.filters import from_params
from brandpulse.store.connection import write_connection

from brandpulse.cli import main
from tests.dashboard import expected as ex
from tests.dashboard.fixture import FIRST_DAY, LAST_DAY, TZ
from tests.dashboard.running import export_csv


def test_one_filter_reaches_dashboard_export_and_cli_identically(
    fixture_copy: tuple[Path, Path], tmp_path: Path
) -> None:
    config, db = fixture_copy
    with write_connection(db) as con:
        # News mentions are in French, the rest in English: the language filter is then
        # the same as keeping news, which the fixture's spec can count independently.
        con.execute(
            "UPDATE mentions SET language = CASE WHEN source = 'news' THEN 'fr' ELSE 'en' END"
        )
    first, last = LAST_DAY - timedelta(days=40), LAST_DAY - timedelta(days=2)
    url = {
        "brand": ["Globex"],
        "period": ["custom"],
        "from": [first.isoformat()],
        "to": [last.isoformat()],
        "source": ["news", "blog"],
        "sentiment": ["negative", "neutral"],
        "language": ["fr"],
        "relevance": ["all"],
    }
    filters = from_params(url, newest=LAST_DAY, oldest=FIRST_DAY, languages=["en", "fr"])
    scope = filters.scope(TZ)
    flags = [
        *("--since", first.isoformat(), "--until", last.isoformat()),
        *("--brand", "Globex", "--source", "news", "--source", "blog"),
        *("--sentiment", "negative", "--sentiment", "neutral"),
        *("--language", "fr", "--all-mentions"),
    ]

    download = mentions_csv(db, scope)
    exported = export_csv(config, tmp_path / "mentions.csv", *flags)
    assert download == exported
    rows = list(csv.DictReader(io.StringIO(download.decode("utf-8"))))
    pairs = ex.rows(first, last, ["Globex"], ["negative", "neutral"], ["news"])
    assert len(rows) == len(pairs) > 0
    assert {r["language"] for r in rows} == {"fr"}

    daily_out = tmp_path / "daily.csv"
    code = main(
        ["export", "--what", "daily", "--format", "csv", "-o", str(daily_out)]
        + ["--config", str(config), *flags]
    )
    assert code == 0
    daily = list(csv.DictReader(io.StringIO(daily_out.read_text(encoding="utf-8"))))
    assert sum(int(r["mentions"]) for r in daily) == len(pairs)

    with Reader(db) as reader:
        key = (f"{db}#one-scope", reader.version())
        volume = data.daily_volume(reader, key, scope, "day")
        shown = data.count_mentions(reader, key, filters.inbox_scope(TZ, "ana"))
    assert int(volume["mentions"].sum()) == len(pairs)
    assert shown == len(ex.mentions(pairs))
