"""The demo builds through the real pipeline and holds what its files say, with its stories intact.

Counts are computed twice: from the database the demo wrote, and independently from the
corpus files (tests/demo/corpus.py reads them with the standard library). The campaign
lift, the negative spike and the weekly rhythm are found in the database, not taken from
the generator's settings.
"""

from __future__ import annotations

import contextlib
import csv
import importlib.util
import io
import os
import queue
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import tomllib
import urllib.request
from collections import Counter, defaultdict
from contextlib import redirect_stdout
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from brandpulse.analysis.campaigns import campaign_windows, volume_lift
from brandpulse.store import analytics
from brandpulse.store.connection import read_connection, write_connection
from brandpulse.store.errors import ConfigError
from brandpulse.store.records import mention_id
from brandpulse.store.scope import Scope

from brandpulse import demo
from brandpulse.cli import main
from tests.dashboard.running import free_port
from tests.demo.corpus import API_SOURCES, expected_mentions, file_entries

REPO = Path(__file__).resolve().parents[2]
DEMO_DIR = REPO / "data" / "demo"
CONFIG = tomllib.loads((DEMO_DIR / "brands.toml").read_text(encoding="utf-8"))
TZ = CONFIG["settings"]["timezone"]
OWN = CONFIG["brands"][0]["name"]
LABELS = {"positive", "negative", "neutral"}


@dataclass(frozen=True)
class Built:
    db: Path
    code: int
    output: str
    elsewhere: Path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Build the demo once through the CLI, with the user's own settings in the environment."""
    folder = tmp_path_factory.mktemp("demo")
    db = folder / "demo.duckdb"
    elsewhere = folder / "my-collections.duckdb"
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as env, redirect_stdout(out):
        # The demo must ignore these: it never reads or writes a user's own collections.
        env.setenv("BRANDPULSE_DB", str(elsewhere))
        env.setenv("BRANDPULSE_CONFIG", str(folder / "missing-brands.toml"))
        code = main(["demo", "--no-serve", "--db", str(db)])
    return Built(db, code, out.getvalue(), elsewhere)


def rows(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def daily(db: Path, brand: str) -> dict[date, tuple[int, int, int]]:
    """Return (mentions, positive, negative) per local day for one brand."""
    found = rows(
        db,
        "SELECT CAST(timezone(?, published_at) AS DATE) AS day, count(*),"
        " count(*) FILTER (WHERE label = 'positive'), count(*) FILTER (WHERE label = 'negative')"
        " FROM mention_brands WHERE brand = ? GROUP BY day",
        [TZ, brand],
    )
    table = {day: (n, pos, neg) for day, n, pos, neg in found}
    first, last = min(table), max(table)
    return {
        first + timedelta(days=i): table.get(first + timedelta(days=i), (0, 0, 0))
        for i in range((last - first).days + 1)
    }


def test_the_demo_builds_without_errors(built: Built) -> None:
    assert built.code == 0, built.output
    runs = rows(built.db, "SELECT source, status, errors FROM collection_runs ORDER BY run_id")
    assert {source for source, _, _ in runs} == {"feeds", "reddit", *API_SOURCES}
    assert all(status == "ok" and not errors for _, status, errors in runs), runs
    assert not built.elsewhere.exists()


def test_the_database_holds_exactly_the_brand_mentions_in_the_files(built: Built) -> None:
    expected = expected_mentions(DEMO_DIR)
    stored: dict[str, set[str]] = defaultdict(set)
    for native_id, brand in rows(
        built.db,
        "SELECT m.native_id, b.brand FROM mentions m JOIN mention_brands b ON b.mention_id = m.id",
    ):
        # A guid that is not a URL or tag: URI ("velo-daily-1234") is stored qualified by its
        # site ("velodaily.example/velo-daily-1234"), so two sites' post 1234 stay apart.
        key = native_id if native_id in expected else native_id.split("/", 1)[-1]
        stored[key].add(brand)
    assert {k: frozenset(v) for k, v in stored.items()} == {
        k: e.brands for k, e in expected.items()
    }
    # Items naming no brand, duplicates and excluded authors were in the files and left out.
    assert file_entries(DEMO_DIR) > len(expected)


def test_counts_by_source_and_brand_match_the_files(built: Built) -> None:
    expected = list(expected_mentions(DEMO_DIR).values())
    by_source = dict(rows(built.db, "SELECT source, count(*) FROM mentions GROUP BY source"))
    assert by_source == dict(Counter(e.source for e in expected))
    by_brand = dict(rows(built.db, "SELECT brand, count(*) FROM mention_brands GROUP BY brand"))
    assert by_brand == dict(Counter(b for e in expected for b in e.brands))
    first, last = rows(built.db, "SELECT min(published_at), max(published_at) FROM mentions")[0]
    assert first == min(e.published_at for e in expected)
    assert last == max(e.published_at for e in expected)


def test_the_demo_is_big_enough_to_look_real(built: Built) -> None:
    total, sources, span = rows(
        built.db,
        "SELECT count(*), count(DISTINCT source),"
        " date_diff('day', min(published_at), max(published_at)) FROM mentions",
    )[0]
    assert total >= 1500
    assert span >= 90
    assert sources >= 2
    assert {source for (source,) in rows(built.db, "SELECT DISTINCT source FROM mentions")} >= {
        "reddit",
        "news",
        "blog",
    }
    brands = rows(built.db, "SELECT DISTINCT brand FROM mention_brands")
    assert len(brands) == 4
    comparisons = rows(
        built.db,
        "SELECT count(*) FROM (SELECT mention_id FROM mention_brands GROUP BY mention_id"
        " HAVING count(*) > 1)",
    )[0][0]
    assert comparisons >= 50


def test_every_mention_has_a_sentiment_and_the_mix_is_mixed(built: Built) -> None:
    unscored = rows(
        built.db,
        "SELECT count(*) FROM mentions m LEFT JOIN sentiments s ON s.mention_id = m.id"
        " WHERE s.label IS NULL",
    )[0][0]
    assert unscored == 0
    labels = dict(rows(built.db, "SELECT label, count(*) FROM sentiments GROUP BY label"))
    # The demo's posts in other languages (Dutch) are labelled unscored, never neutral.
    not_english = rows(
        built.db,
        "SELECT count(*) FROM mentions m JOIN sentiments s ON s.mention_id = m.id"
        " WHERE m.language IS NOT NULL AND m.language <> 'en'",
    )[0][0]
    assert labels.pop("unscored", 0) == not_english > 0
    assert set(labels) == LABELS
    total = sum(labels.values())
    assert all(count / total >= 0.15 for count in labels.values()), labels
    assert rows(built.db, "SELECT count(*) FROM mention_brands WHERE label IS NULL")[0][0] == 0


def test_the_campaign_window_shows_a_lift_and_mostly_positive_talk(built: Built) -> None:
    campaign = CONFIG["campaigns"][0]
    start, end = campaign["start"], campaign["end"]
    days = daily(built.db, campaign["brand"])
    length = (end - start).days + 1
    during = [days[start + timedelta(days=i)] for i in range(length)]
    before = [days[start - timedelta(days=i + 1)] for i in range(length)]
    volume_during = sum(n for n, _, _ in during)
    volume_before = sum(n for n, _, _ in before)
    assert volume_during >= 1.5 * volume_before, (volume_during, volume_before)
    positive_during = sum(p for _, p, _ in during) / volume_during
    positive_before = sum(p for _, p, _ in before) / volume_before
    assert positive_during > 0.5
    assert positive_during > positive_before + 0.1
    matched = rows(
        built.db,
        "SELECT count(*), min(CAST(timezone(?, m.published_at) AS DATE)),"
        " max(CAST(timezone(?, m.published_at) AS DATE))"
        " FROM mention_campaigns c JOIN mentions m ON m.id = c.mention_id WHERE c.campaign = ?",
        [TZ, TZ, campaign["name"]],
    )[0]
    assert matched[0] >= 0.3 * volume_during
    assert start <= matched[1] <= matched[2] <= end


def test_one_day_stands_out_as_a_negative_spike(built: Built) -> None:
    days = daily(built.db, OWN)
    spike = max(days, key=lambda d: days[d][2])
    mentions, _, negative = days[spike]
    usual_volume = statistics.median(n for n, _, _ in days.values())
    usual_negative = max(1, statistics.median(neg for _, _, neg in days.values()))
    assert negative >= 8 * usual_negative, (spike, negative, usual_negative)
    assert mentions >= 5 * usual_volume
    assert negative / mentions > 0.5
    campaign = CONFIG["campaigns"][0]
    assert not campaign["start"] <= spike <= campaign["end"]
    # A spike, not a new normal: a week later the brand is back near its usual level.
    week_after = [days[spike + timedelta(days=7 + i)][2] for i in range(7)]
    assert max(week_after) < negative / 4


def test_weekdays_are_busier_than_weekends(built: Built) -> None:
    totals = Counter()
    for brand in ("Norvelo", "Pedalux", "Voltaro"):
        for day, (n, _, _) in daily(built.db, brand).items():
            totals[day] += n
    weekday = statistics.median(n for d, n in totals.items() if d.weekday() < 5)
    weekend = statistics.median(n for d, n in totals.items() if d.weekday() >= 5)
    assert weekday > 1.2 * weekend, (weekday, weekend)


def test_the_printed_account_matches_the_database(built: Built) -> None:
    total = rows(built.db, "SELECT count(*) FROM mentions")[0][0]
    assert f"mentions: {total:,}," in built.output
    for source, count in rows(built.db, "SELECT source, count(*) FROM mentions GROUP BY source"):
        assert f"{source} {count:,}" in built.output
    # The account counts what the product counts: matches the relevance filter keeps.
    for brand, count in rows(
        built.db,
        "SELECT brand, count(*) FROM mention_brands WHERE counted IS NOT FALSE GROUP BY brand",
    ):
        line = next(line for line in built.output.splitlines() if line.strip().startswith(brand))
        assert f"{count:,} mentions" in line
    for label, count in rows(
        built.db,
        "SELECT label, count(*) FROM sentiments s WHERE EXISTS (SELECT 1 FROM mention_brands b"
        " WHERE b.mention_id = s.mention_id AND b.counted IS NOT FALSE) GROUP BY label",
    ):
        assert f"{label} {count:,} (" in built.output
    first, last = rows(
        built.db,
        "SELECT CAST(timezone(?, min(published_at)) AS DATE),"
        " CAST(timezone(?, max(published_at)) AS DATE) FROM mentions",
        [TZ, TZ],
    )[0]
    assert f"published {first} to {last}" in built.output
    assert "synthetic" in built.output


def test_a_rebuild_replaces_the_database_without_duplicates(built: Built, tmp_path: Path) -> None:
    db = tmp_path / "again.duckdb"
    first = demo.build(db)
    second = demo.build(db)
    assert (
        second.mentions == first.mentions == rows(built.db, "SELECT count(*) FROM mentions")[0][0]
    )
    # The file was recreated: only the second build's runs are in it.
    assert rows(db, "SELECT count(*) FROM collection_runs")[0][0] == len(second.reports)
    assert all(r.new == r.fetched - r.skipped for r in second.reports if r.source == "reddit")


def test_it_refuses_to_replace_a_database_it_did_not_build(tmp_path: Path) -> None:
    collections = tmp_path / "brandpulse.duckdb"
    with write_connection(collections):
        pass
    before = collections.read_bytes()
    with pytest.raises(ConfigError, match="not built by `brandpulse demo`"):
        demo.build(collections)
    assert collections.read_bytes() == before

    other = tmp_path / "notes.duckdb"
    other.write_text("not a database", encoding="utf-8")
    with pytest.raises(ConfigError):
        demo.build(other)
    assert other.read_text(encoding="utf-8") == "not a database"


def test_the_committed_corpus_is_what_the_generator_writes(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(DEMO_DIR / "generate.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    for name in ("marks.tsv", "heron-truth.tsv"):
        assert (tmp_path / name).read_bytes() == (DEMO_DIR / name).read_bytes(), name
    for folder in ("feeds", "reddit", "hackernews", "mastodon", "bluesky", "lemmy", "appstore"):
        written = {p.name: p.read_bytes() for p in (tmp_path / folder).iterdir()}
        committed = {p.name: p.read_bytes() for p in (DEMO_DIR / folder).iterdir()}
        assert written.keys() == committed.keys()
        changed = [name for name in written if written[name] != committed[name]]
        assert not changed, f"regenerate with `python data/demo/generate.py`: {changed}"


def test_the_corpus_stays_small_and_offline() -> None:
    size = sum(p.stat().st_size for p in DEMO_DIR.rglob("*") if p.is_file())
    assert size < 5_000_000
    for feed in CONFIG["feeds"]:
        assert not feed["url"].startswith(("http://", "https://"))
        assert (DEMO_DIR / feed["url"]).is_file()
    assert len(list((DEMO_DIR / "reddit").glob("*.json"))) >= 2
    assert os.path.basename(demo.DEMO_CONFIG) == "brands.toml" and demo.DEMO_CONFIG.is_file()


@pytest.mark.timeout(240)
def test_without_no_serve_it_serves_the_dashboard_on_localhost(tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "brandpulse", "demo", "--db", str(tmp_path / "d.duckdb")]
        + ["--port", str(port)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # so the test can stop the server and everything it started
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stderr], daemon=True).start()
    url = f"http://127.0.0.1:{port}"
    seen = []
    try:
        deadline = time.monotonic() + 180
        while not any(f"dashboard: {url}" in line for line in seen):
            assert proc.poll() is None, "".join(seen)
            assert time.monotonic() < deadline, "".join(seen)
            with contextlib.suppress(queue.Empty):
                seen.append(lines.get(timeout=1))
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as response:
            assert response.read().decode() == "ok"
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            out, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
    assert "mentions:" in out and "synthetic" in out


def test_the_products_own_analysis_finds_the_campaign_and_the_spike(built: Built) -> None:
    """What the dashboard shows: the lift's interval excludes 1 and the spike is flagged."""
    with read_connection(built.db) as con:
        first, last = analytics.data_range(con, TZ)
        days = analytics.daily_volume(con, Scope((OWN,), first, last, TZ))
    campaign = CONFIG["campaigns"][0]
    (start, end), (base_start, base_end) = campaign_windows(campaign["start"], campaign["end"])
    during = days[(days.period >= start) & (days.period <= end)]["mentions"].tolist()
    baseline = days[(days.period >= base_start) & (days.period <= base_end)]["mentions"].tolist()
    lift = volume_lift(during, baseline)
    assert lift.low > 1.2, lift


def _seeded_incident(built: Built) -> tuple[date, date]:
    """Return the first and last day of the incident the generator seeded (its lift lasts
    two days), after checking the database holds it: its first day has the most negatives."""
    spec = importlib.util.spec_from_file_location("demo_generate", DEMO_DIR / "generate.py")
    assert spec and spec.loader
    generate = importlib.util.module_from_spec(spec)
    sys.modules["demo_generate"] = generate  # dataclasses resolve their module by name
    spec.loader.exec_module(generate)
    own = daily(built.db, OWN)
    assert max(own, key=lambda d: own[d][2]) == generate.INCIDENT
    return generate.INCIDENT, generate.INCIDENT + timedelta(days=1)


def test_the_seeded_incident_is_the_only_one_in_the_spike_export(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "spikes.csv"
    config = str(DEMO_DIR / "brands.toml")
    assert (
        main(
            [
                "export",
                "--db",
                str(built.db),
                "--config",
                config,
                "--what",
                "spikes",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    with open(out, encoding="utf-8") as handle:
        found = list(csv.DictReader(handle))
    start, end = _seeded_incident(built)
    assert [(r["brand"], r["start"], r["end"]) for r in found] == [
        (OWN, start.isoformat(), end.isoformat())
    ]
    assert found[0]["kind"] == "volume+negative" and found[0]["severity"] == "high"


def test_the_seeded_incident_tops_the_spikes_page(
    built: Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("BRANDPULSE_CONFIG", str(DEMO_DIR / "brands.toml"))
    monkeypatch.setenv("BRANDPULSE_DB", str(built.db))
    at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=60)
    at.query_params["period"] = "all"
    at.run()
    at.switch_page("views/spikes.py").run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    start, end = _seeded_incident(built)
    assert [(r.brand, r.start, r.end) for r in table.itertuples()] == [(OWN, start, end)]


def test_a_broken_listing_is_reported_and_the_rest_still_loads(
    built: Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "demo"
    shutil.copytree(DEMO_DIR, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (copy / "reddit" / "r-broken-search-01.json").write_text("{not json", encoding="utf-8")
    (copy / "reddit" / "r-other-search-01.json").write_text('{"kind": "t3"}', encoding="utf-8")
    code = main(
        ["demo", "--no-serve", "--db", str(tmp_path / "d.duckdb")]
        + ["--config", str(copy / "brands.toml")]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "r-broken-search-01.json" in out and "r-other-search-01.json" in out
    stored = rows(tmp_path / "d.duckdb", "SELECT count(*) FROM mentions")[0][0]
    assert stored == rows(built.db, "SELECT count(*) FROM mentions")[0][0]
    status = dict(rows(tmp_path / "d.duckdb", "SELECT source, status FROM collection_runs"))
    assert status == {"feeds": "ok", "reddit": "partial", **dict.fromkeys(API_SOURCES, "ok")}


def test_the_mentions_export_covers_the_whole_demo(built: Built, tmp_path: Path) -> None:
    """The spine's check: demo, then export, gives every mention with its sentiment."""
    out = tmp_path / "mentions.csv"
    code = main(
        ["export", "--db", str(built.db), "--config", str(DEMO_DIR / "brands.toml")]
        + ["--what", "mentions", "--format", "csv", "-o", str(out)]
    )
    assert code == 0
    with out.open(encoding="utf-8", newline="") as handle:
        exported = list(csv.DictReader(handle))
    required = {"id", "source", "brand", "published_at", "author", "title", "text", "url"}
    assert required | {"sentiment", "sentiment_score"} <= set(exported[0])
    # Matches the relevance filter leaves out (off-topic "heron" posts) are not exported.
    mentions, pairs = rows(
        built.db,
        "SELECT count(DISTINCT mention_id), count(*) FROM mention_brands"
        " WHERE counted IS NOT FALSE",
    )[0]
    assert len(exported) == pairs >= 1500  # one row per mention and brand it names
    assert len({r["id"] for r in exported}) == mentions
    assert len({r["source"] for r in exported}) >= 2
    assert {r["brand"] for r in exported} == {"Norvelo", "Pedalux", "Voltaro", "Heron"}
    assert all(
        r["sentiment"] in LABELS and r["sentiment_score"]
        for r in exported
        if r["language"] in ("en", "")
    )
    # Posts in another language are exported as unscored, with their language.
    assert {r["language"] for r in exported if r["sentiment"] == "unscored"} == {"nl"}
    published = [datetime.fromisoformat(r["published_at"]) for r in exported]
    assert (max(published) - min(published)).days >= 90


def _heron_labels(name: str) -> dict[str, str]:
    """Return {mention id: related|unrelated} from one of the demo's Heron label files."""
    out = {}
    for line in (DEMO_DIR / name).read_text(encoding="utf-8").splitlines()[1:]:
        source, native, _brand, label = line.split("\t")
        out[mention_id(source, native)] = label
    return out


def test_the_demo_marks_filter_the_ambiguous_brands_off_topic_posts(built: Built) -> None:
    """ "heron" finds the bird too; after the demo's marks most bird posts no longer count."""
    truth = _heron_labels("heron-truth.tsv")
    marked = _heron_labels("marks.tsv")
    stored = rows(built.db, "SELECT mention_id, counted FROM mention_brands WHERE brand = 'Heron'")
    unmarked = [(truth[mid], counted) for mid, counted in stored if mid not in marked]
    off_topic = [counted for label, counted in unmarked if label == "unrelated"]
    about = [counted for label, counted in unmarked if label == "related"]
    # Most keyword hits are off-topic, and the marks were a minority of the posts.
    assert len(off_topic) > len(about) >= 20 and len(marked) < len(unmarked)
    assert sum(off_topic) <= 0.15 * len(off_topic), "off-topic posts still counted"
    assert sum(about) >= 0.9 * len(about), "posts about the company left out"
    # Every marked post counts as its mark says.
    for mid, counted in stored:
        if mid in marked:
            assert counted == (marked[mid] == "related")
    # The counts the product shows follow: KPIs count only the kept Heron posts.
    first, last = rows(built.db, "SELECT min(published_at), max(published_at) FROM mentions")[0]
    with read_connection(built.db) as con:
        table = analytics.kpis(con, Scope(("Heron",), first.date(), last.date(), TZ))
    shown = int(table.set_index("brand").loc["Heron", "mentions"])
    assert shown == sum(bool(c) for _, c in stored) < len(stored)
    line = next(x for x in built.output.splitlines() if x.startswith("relevance 'Heron'"))
    assert f"{len(marked)} marks" in line and f"{len(stored) - shown} left out" in line
