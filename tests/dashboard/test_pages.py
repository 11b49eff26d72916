"""Every page over the fixture database, with the numbers it shows checked against the spec."""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from brandpulse.store.connection import write_connection
from streamlit.testing.v1 import AppTest

from tests.dashboard import expected as ex
from tests.dashboard.conftest import AppFactory, no_exceptions, tick
from tests.dashboard.fixture import CAMPAIGN, FIRST_DAY, LAST_DAY, SPEC, SPIKE_DAY, TZ

PAGES = (
    "views/overview.py",
    "views/mentions.py",
    "views/campaigns.py",
    "views/competitors.py",
    "views/spikes.py",
    "views/health.py",
    "views/review.py",
)


def metrics(at: AppTest) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def markdown(at: AppTest) -> str:
    return "\n".join(str(m.value) for m in at.markdown)


def open_page(at: AppTest, page: str) -> AppTest:
    at.run()
    if page != PAGES[0]:
        at.switch_page(page).run()
    no_exceptions(at)
    return at


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_error(app: AppFactory, page: str) -> None:
    at = open_page(app(), page)
    assert not at.error or page.endswith("health.py")
    assert at.title and at.title[0].value


def test_overview_kpis_match_the_spec(app: AppFactory) -> None:
    at = open_page(app(), PAGES[0])
    first, last = ex.window(30)
    prev_first, prev_last = first - timedelta(days=30), first - timedelta(days=1)
    now = ex.rows(first, last, ["Acme"])
    before = ex.rows(prev_first, prev_last, ["Acme"])
    everyone, everyone_before = ex.rows(first, last), ex.rows(prev_first, prev_last)
    shown = metrics(at)

    assert shown["Mentions"][0] == f"{len(now):,}"
    assert shown["Mentions"][1] == f"{(len(now) - len(before)) / len(before) * 100:+.1f}%"
    assert shown["Net sentiment"][0] == f"{ex.net(now):+.2f}"
    assert shown["Net sentiment"][1] == f"{ex.net(now) - ex.net(before):+.2f}"
    share, prev_share = len(now) / len(everyone), len(before) / len(everyone_before)
    assert shown["Share of voice"][0] == f"{share * 100:.1f}%"
    assert shown["Share of voice"][1] == f"{(share - prev_share) * 100:+.1f} pts"
    assert shown["Engagement"][0] == f"{ex.engagement(now):,}"


def values(data: object) -> list[float]:
    """Return a plotly array, decoding the typed-array form plotly uses for numbers."""
    if isinstance(data, dict):
        raw = base64.b64decode(data["bdata"])
        return np.frombuffer(raw, dtype=np.dtype(data["dtype"])).tolist()
    return list(data)  # type: ignore[call-overload]


def _chart(at: AppTest, key: str) -> dict[str, Any]:
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        if chart.proto.id and key in chart.proto.id:
            return spec
    raise AssertionError(f"no chart {key}")


def test_overview_volume_chart_sums_to_the_mentions_and_marks_spike_and_campaign(
    app: AppFactory,
) -> None:
    at = open_page(app(params={"period": "90d"}), PAGES[0])
    fig = _chart(at, "overview_volume")
    bars = [t for t in fig["data"] if t["type"] == "bar"]
    shown = sum(sum(values(t["y"])) for t in bars)
    first, last = ex.window(90)
    assert shown == len(ex.rows(first, last, ["Acme"]))
    spikes = [t for t in fig["data"] if t.get("name") == "spike"]
    assert spikes and SPIKE_DAY.isoformat() in json.dumps(spikes[0]["x"])
    shapes = fig["layout"].get("shapes", [])
    assert any(str(CAMPAIGN[1] - timedelta(days=1)) in str(s.get("x0")) for s in shapes)
    # Days are the configured zone's days and the axis says so.
    assert "America/New_York" in json.dumps(fig["layout"]["xaxis"])


def test_filters_from_the_url_change_the_numbers(app: AppFactory) -> None:
    first, last = LAST_DAY - timedelta(days=13), LAST_DAY - timedelta(days=7)
    params = {
        "brand": "Globex",
        "period": "custom",
        "from": first.isoformat(),
        "to": last.isoformat(),
        "sentiment": ["negative", "neutral"],
    }
    at = open_page(app(params=params), PAGES[0])
    now = ex.rows(first, last, ["Globex"], ["negative", "neutral"])
    assert metrics(at)["Mentions"][0] == f"{len(now):,}"
    assert at.session_state["f_brands"] == ["Globex"]
    # The URL keeps the filters (defaults are left out of it).
    assert at.query_params["brand"] == ["Globex"] or at.query_params["brand"] == "Globex"


def test_unknown_url_values_are_ignored(app: AppFactory) -> None:
    at = open_page(
        app(params={"brand": "Nope", "period": "forever", "sentiment": "angry"}), PAGES[0]
    )
    first, last = ex.window(30)
    assert metrics(at)["Mentions"][0] == f"{len(ex.rows(first, last, ['Acme'])):,}"


def test_changing_a_filter_widget_updates_numbers_and_url(app: AppFactory) -> None:
    at = open_page(app(), PAGES[0])
    at.selectbox(key="f_period").set_value("7d").run()
    no_exceptions(at)
    first, last = ex.window(7)
    assert metrics(at)["Mentions"][0] == f"{len(ex.rows(first, last, ['Acme'])):,}"
    assert at.query_params["period"] in ("7d", ["7d"])


def test_mentions_page_counts_and_pages_through_every_mention(app: AppFactory) -> None:
    at = open_page(app(params={"period": "all"}), PAGES[1])
    everything = ex.mentions(ex.rows(FIRST_DAY, LAST_DAY))
    assert f"**{len(everything):,}** mentions match" in markdown(at)
    seen: list[str] = []
    pages = -(-len(everything) // 50)
    for page in range(pages):
        table = at.dataframe[0].value
        assert len(table) == min(50, len(everything) - 50 * page)
        seen += list(table["title"])
        older = next(b for b in at.button if b.label == "Older →")
        if page < pages - 1:
            older.click().run()
            no_exceptions(at)
    assert len(seen) == len(everything)


def test_newer_returns_to_the_page_before(app: AppFactory) -> None:
    at = open_page(app(params={"period": "all"}), PAGES[1])
    first_page = list(at.dataframe[0].value["title"])
    next(b for b in at.button if b.label == "Older →").click().run()
    second_page = list(at.dataframe[0].value["title"])
    assert "page 2 of" in markdown(at) and second_page != first_page
    next(b for b in at.button if b.label == "← Newer").click().run()
    no_exceptions(at)
    assert "page 1 of" in markdown(at)
    assert list(at.dataframe[0].value["title"]) == first_page


def test_mentions_search_and_filters(app: AppFactory) -> None:
    at = open_page(app(params={"period": "all", "source": "reddit"}), PAGES[1])
    at.text_input(key="m_search").set_value("recall overheats").run()
    recalls = [i for i in SPEC if "recall" in i.mention.text and i.mention.source == "reddit"]
    assert f"**{len(recalls):,}** mentions match" in markdown(at)
    assert {w.split(" · ")[0] for w in at.dataframe[0].value["where"]} == {"reddit"}


def test_mention_text_stays_text_and_bad_links_are_dropped(app: AppFactory) -> None:
    at = open_page(app(), PAGES[1])
    table = at.dataframe[0].value
    hostile = table[table["title"].str.contains("<script>", regex=False)]
    assert len(hostile) == 1
    assert hostile.iloc[0]["title"] == "<b>Acme</b> <script>alert('x')</script> **bold**"
    assert hostile.iloc[0]["link"] is None or hostile.iloc[0]["link"] != hostile.iloc[0]["link"]
    assert all(str(u).startswith("https://") for u in table["link"].dropna())


def open_first_mention(app: AppFactory, config: Path, db: Path) -> tuple[AppTest, pd.Series]:
    """Open the Mentions page on a writable copy with its first row ticked; return the page
    and that row as the table showed it."""
    at = open_page(app(config=config, db=db), PAGES[1])
    first_row = at.dataframe[0].value.iloc[0]
    return tick(at, [0]), first_row


def test_correcting_a_sentiment_from_the_mentions_page(
    app: AppFactory, fixture_copy: tuple[Path, Path]
) -> None:
    config, db = fixture_copy
    at, first_row = open_first_mention(app, config, db)
    label = next(s for s in at.get("button_group"))
    target = "negative" if first_row["sentiment"] != "negative" else "positive"
    label.set_value(target).run()
    save = next(b for b in at.button if b.label == "Save correction")
    save.click().run()
    no_exceptions(at)
    assert any("Saved" in s.value for s in at.success)
    with write_connection(db) as con:
        rows = con.execute(
            "SELECT c.label, b.label FROM sentiment_corrections c"
            " JOIN mention_brands b USING (mention_id)"
        ).fetchall()
    assert rows and all(r == (target, target) for r in rows)
    # ✎ marks a hand correction (the column's help says so).
    assert at.dataframe[0].value.iloc[0]["sentiment"] == f"{target} ✎"


def test_confirming_a_label_from_the_mentions_page(
    app: AppFactory, fixture_copy: tuple[Path, Path]
) -> None:
    config, db = fixture_copy
    at, first_row = open_first_mention(app, config, db)
    confirm = next(b for b in at.button if b.label == "Label is right")
    assert not confirm.disabled
    confirm.click().run()
    no_exceptions(at)
    assert any("Confirmed 1 label" in s.value for s in at.success)
    with write_connection(db) as con:
        rows = con.execute(
            "SELECT mention_id, label, scorer_label FROM sentiment_corrections"
        ).fetchall()
    assert rows == [(first_row["id"], first_row["sentiment"], first_row["sentiment"])]
    # Now the team's label: nothing left to confirm.
    assert next(b for b in at.button if b.label == "Label is right").disabled
    assert at.dataframe[0].value.iloc[0]["sentiment"] == f"{first_row['sentiment']} ✎"
    # A mention the scorer did not read has no label to confirm.
    second = at.dataframe[0].value.iloc[1]["id"]
    with write_connection(db) as con:
        con.execute("UPDATE sentiments SET label = 'unscored' WHERE mention_id = ?", [second])
    at = open_page(app(config=config, db=db), PAGES[1])
    tick(at, [1])
    assert next(b for b in at.button if b.label == "Label is right").disabled


def test_campaign_page_shows_lift_of_the_window_against_before(app: AppFactory) -> None:
    at = open_page(app(), PAGES[2])
    name, start, end = CAMPAIGN
    days = (end - start).days + 1
    during = ex.rows(start, end, ["Acme"])
    before = ex.rows(start - timedelta(days=days), start - timedelta(days=1), ["Acme"])
    shown = metrics(at)
    assert shown["Volume lift"][0] == f"×{len(during) / len(before):.2f}"
    assert shown["Mentions per day during"][0] == f"{len(during) / days:.1f}"
    assert shown["Net sentiment during"][0] == f"{ex.net(during):+.2f}"
    top = at.dataframe[-1].value
    assert len(top) == min(10, sum(i.campaign for i in SPEC))
    assert top["title"].str.contains("Acme").all()


def test_competitors_page_shares_add_up(app: AppFactory) -> None:
    at = open_page(app(), PAGES[3])
    first, last = ex.window(30)
    total = len(ex.rows(first, last))
    shown = metrics(at)
    for brand in ("Acme", "Globex"):
        share = len(ex.rows(first, last, [brand])) / total
        assert shown[f"{brand} share of voice"][0] == f"{share * 100:.1f}%"


def test_spikes_page_lists_the_incident_first_with_one_expected_value(app: AppFactory) -> None:
    at = open_page(app(), PAGES[4])
    table = at.dataframe[0].value
    top = table.iloc[0]
    assert (top["brand"], top["start"]) == ("Acme", SPIKE_DAY)
    assert top["peak_value"] == len(ex.rows(SPIKE_DAY, SPIKE_DAY, ["Acme"]))
    # The expander says exactly what the table says.
    wording = f"{int(top['peak_value'])} mentions vs {top['peak_expected']:.1f} expected"
    assert wording in at.expander[0].label
    assert any("recall" in str(t) for df in at.dataframe[1:] for t in df.value.get("term", []))


def test_health_page_warns_about_a_failing_source(app: AppFactory) -> None:
    at = open_page(app(), PAGES[5])
    assert any("reddit has failed 3 runs in a row" in e.value for e in at.error)
    values = [(m.label, m.value) for m in at.metric]
    assert ("Fetched", f"{len(SPEC):,}") in values
    assert ("Status", "Failed") in values


def test_empty_database_explains_how_to_get_data(app: AppFactory, tmp_path: Path) -> None:
    db = tmp_path / "empty.duckdb"
    with write_connection(db):
        pass
    at = open_page(app(db=db), PAGES[0])
    assert any("no mentions" in i.value for i in at.info)
    assert "brandpulse collect" in markdown(at) and "brandpulse demo" in markdown(at)
    assert not at.get("plotly_chart")
    at.switch_page(PAGES[5]).run()
    assert any("No collection has run yet" in i.value for i in at.info)


def test_missing_database_explains_how_to_get_data(app: AppFactory, tmp_path: Path) -> None:
    at = open_page(app(db=tmp_path / "absent.duckdb"), PAGES[0])
    assert any("No database yet" in i.value for i in at.info)
    assert "brandpulse init" in markdown(at)
    assert not (tmp_path / "absent.duckdb").exists()


def test_bad_config_is_an_error_with_its_line(app: AppFactory, tmp_path: Path) -> None:
    bad = tmp_path / "brands.toml"
    bad.write_text('[settings]\ntimezone = "Mars/Base"\n', encoding="utf-8")
    at = open_page(app(config=bad), PAGES[0])
    # Error texts are Markdown-escaped (ui.plain); the reader sees them without backslashes.
    shown = [re.sub(r"\\(.)", r"\1", e.value).replace("\u2060", "") for e in at.error]
    assert any(f"{bad}:2" in text and "timezone" in text for text in shown), shown


def test_kpi_cards_show_no_change_when_the_previous_period_was_not_collected(
    app: AppFactory,
) -> None:
    # "All time" starts on the first collected day: the period before it holds nothing
    # because nothing was collected then, not because nobody spoke.
    at = open_page(app(params={"period": "all"}), PAGES[0])
    shown = metrics(at)
    for label in ("Mentions", "Net sentiment", "Share of voice", "Engagement"):
        assert shown[label][1] == "no change: previous period not collected", label
    assert any("is collected only since" in c.value for c in at.caption)


def test_a_partly_collected_last_day_is_compared_up_to_the_same_time(
    app: AppFactory, fixture_copy: tuple[Path, Path]
) -> None:
    config, db = fixture_copy
    # The latest collection ended at noon (New York) on the last day.
    noon = datetime.combine(LAST_DAY, time(12), ZoneInfo(TZ))
    with write_connection(db) as con:
        con.execute("UPDATE collection_runs SET ended_at = ? WHERE status <> 'failed'", [noon])
    at = open_page(app(config=config, db=db), PAGES[0])
    first, last = ex.window(30)
    length = timedelta(days=30)
    start = datetime.combine(first, time(0), ZoneInfo(TZ))

    def count(a: datetime, b: datetime) -> int:
        return sum(
            1
            for item, brand in ex.rows(first - length, last, ["Acme"])
            if a <= item.mention.published_at < b
        )

    now, before = count(start, noon), count(start - length, noon - length)
    assert before < len(ex.rows(first - length, first - timedelta(days=1), ["Acme"]))
    shown = metrics(at)
    assert shown["Mentions"][1] == f"{(now - before) / before * 100:+.1f}%"
    assert any("collected up to 12:00" in c.value for c in at.caption)


def test_net_sentiment_defaults_to_a_7_day_rolling_line_with_its_interval(
    app: AppFactory,
) -> None:
    at = open_page(app(), PAGES[0])
    fig = _chart(at, "overview_net")
    line = next(t for t in fig["data"] if t.get("name") == "Acme")
    band = next(t for t in fig["data"] if t.get("name") == "Acme 95% interval")
    assert band["fill"] == "toself"
    # The last point: the 7 days ending on the last day, weighted by volume.
    week = ex.rows(LAST_DAY - timedelta(days=6), LAST_DAY, ["Acme"])
    assert values(line["y"])[-1] == pytest.approx(ex.net(week))
    assert str(LAST_DAY) in str(line["x"][-1])
    # Per day is one click away and shows the day alone.
    at.radio(key="overview_net_view").set_value("Per day").run()
    fig = _chart(at, "overview_net")
    line = next(t for t in fig["data"] if t.get("name") == "Acme")
    assert values(line["y"])[-1] == pytest.approx(ex.net(ex.rows(LAST_DAY, LAST_DAY, ["Acme"])))
