"""Dashboard Overview over 10M mentions: every panel's server time, ours against pandas.

The database is generated with DuckDB SQL straight into a temporary file (not timed): 10M
mentions over 180 days, in time order as collections write them, three brands (8% of
mentions name two), three sources, 200k authors, 500 subreddits, 2,000 sites and a
3,000-word vocabulary with a skewed distribution.

Ours: each Overview panel as the page builds it on a cache miss, through the dashboard's
cached readers on one short read-only connection, plotly figures included (median of 3,
each with a fresh cache key). Baseline: load the mentions table (and its brand rows) into
pandas, then compute the same panels with pandas; one BENCH line per panel compares the
computation alone, and the total line adds the load that a pandas dashboard pays after
every collection.

BENCH_DASHBOARD_ROWS sets the number of mentions (default 10M). BENCH_DASHBOARD_DB names a
database file to keep between runs: it is generated there when missing and reused (brought
to the latest schema by the real migrations) when present, so a second run skips the
generation; delete the file after changing BENCH_DASHBOARD_ROWS.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from streamlit import logger as streamlit_logger

# Cached readers run here outside a Streamlit server, which Streamlit warns about per call.
streamlit_logger.set_log_level("error")

from brandpulse.analysis import spikes as spike_rules  # noqa: E402
from brandpulse.analysis import terms  # noqa: E402
from brandpulse.dashboard import charts, data, panels  # noqa: E402
from brandpulse.dashboard.db import Reader  # noqa: E402
from brandpulse.dashboard.filters import Filters  # noqa: E402
from brandpulse.store import rollups, term_cache, trigram_bits  # noqa: E402
from brandpulse.store.connection import write_connection  # noqa: E402
from brandpulse.store.schema import CHANNEL_KIND_SQL, CHANNEL_SQL, SAMPLE_KEY_SQL  # noqa: E402
from brandpulse.store.writes import transaction  # noqa: E402

from benchmarks.common import peak_rss_mb, report  # noqa: E402
from brandpulse import signals  # noqa: E402

ROWS = int(os.environ.get("BENCH_DASHBOARD_ROWS", "10000000"))
KEEP = os.environ.get("BENCH_DASHBOARD_DB", "")
DAYS = 180
START = datetime(2026, 6, 1, tzinfo=UTC)
TZ = "Europe/London"
FOCUS = ("Acme",)
GOAL_MS = 100.0  # every Overview panel
PAGE_GOAL_MS = 300.0  # the whole Overview
INBOX_GOAL_MS = 200.0  # the Mentions inbox's first page, whatever the filters
# The team's triage in the generated store: who read, tagged and was assigned what.
READER, ASSIGNEE, TAG = "ana", "bo", "press"
REPEATS = 3
NAME = "dashboard_overview_10m"


def generate(db: Path, rows: int) -> None:
    """Write `rows` mentions, their sentiments and brand rows with SQL (about 75 s for 10M)."""
    with write_connection(db):
        pass  # creates the schema through the real migrations
    rnd = random.Random(1)
    words = [
        "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rnd.randint(3, 9)))
        for _ in range(3000)
    ]
    brand = "CASE WHEN i % 10 < 5 THEN 'Acme' WHEN i % 10 < 8 THEN 'Globex' ELSE 'Initech' END"
    source = (
        "CASE WHEN hash(i, 'src') % 10 < 5 THEN 'reddit'"
        " WHEN hash(i, 'src') % 10 < 8 THEN 'news' ELSE 'blog' END"
    )
    con = duckdb.connect(str(db))
    try:
        con.execute("CREATE TEMP TABLE vocab AS SELECT ?::VARCHAR[] AS w", [words])
        con.execute(
            f"""
            INSERT INTO mentions (id, source, native_id, url, author, title, text,
                                  published_at, collected_at, score, comments, extra)
            SELECT 'bench-' || i, {source}, i::VARCHAR, 'https://example.com/p/' || i,
                'user' || (hash(i, 'a') % 200000), 'Post about ' || {brand},
                {brand} || ' ' || array_to_string(list_transform(range(22), lambda k:
                    v.w[1 + floor(pow((hash(i, k) % 1000000) / 1e6, 2) * 2999)::INT]), ' '),
                TIMESTAMPTZ '{START.isoformat()}'
                    + to_microseconds((i::HUGEINT * {DAYS} * 86400000000 // {rows})::BIGINT),
                TIMESTAMPTZ '{(START + timedelta(days=DAYS + 1)).isoformat()}',
                (hash(i, 's') % 500)::BIGINT, (hash(i, 'c') % 50)::BIGINT,
                CASE WHEN hash(i, 'src') % 10 < 5
                     THEN json_object('subreddit', 'sub' || (hash(i, 'r') % 500))
                     ELSE json_object('domain', 'site' || (hash(i, 'd') % 2000) || '.com') END
            FROM range({rows}) t(i), vocab v
            """
        )
        con.execute(
            """
            INSERT INTO sentiments
                (mention_id, label, score, whole_score, scorer, scorer_version, scored_at)
            SELECT id, CASE WHEN hash(id, 'l') % 100 < 45 THEN 'positive'
                            WHEN hash(id, 'l') % 100 < 75 THEN 'neutral' ELSE 'negative' END,
                   0.5, 0.5, 'vader', 'bench', collected_at
            FROM mentions
            """
        )
        con.execute(
            f"""
            INSERT INTO mention_brands
                (mention_id, brand, term, published_at, source, label, engagement,
                 author, channel_kind, channel, shared, sample_key)
            SELECT m.id, b.brand, lower(b.brand), m.published_at, m.source, s.label,
                   m.score + m.comments, m.author, {CHANNEL_KIND_SQL}, {CHANNEL_SQL},
                   hash(m.id, 'two') % 100 < 8, {SAMPLE_KEY_SQL.format(column="m.id")}
            FROM mentions m JOIN sentiments s ON s.mention_id = m.id,
            LATERAL (SELECT unnest(CASE WHEN hash(m.id, 'two') % 100 < 8
                THEN [split_part(m.title, ' ', 3),
                      CASE WHEN split_part(m.title, ' ', 3) = 'Acme' THEN 'Globex' ELSE 'Acme' END]
                ELSE [split_part(m.title, ' ', 3)] END) AS brand) b
            ORDER BY m.published_at
            """
        )
        # The team's triage: 30% read by ana, 1% tagged, 2% assigned (half of them done).
        con.execute(
            "INSERT INTO mention_reads (mention_id, person, read_at, published_at)"
            f" SELECT id, '{READER}', collected_at, published_at FROM mentions"
            " WHERE hash(id, 'read') % 10 < 3"
        )
        con.execute(
            f"INSERT INTO mention_tags SELECT id, '{TAG}' FROM mentions"
            " WHERE hash(id, 'tag') % 100 = 0"
        )
        con.execute(
            "INSERT INTO triage (mention_id, status, assignee, updated_at, updated_by)"
            " SELECT id, CASE WHEN hash(id, 'st') % 2 = 0 THEN 'done' ELSE 'in progress' END,"
            f" '{ASSIGNEE}', collected_at, 'ana' FROM mentions WHERE hash(id, 'as') % 50 = 0"
        )
        rollups.rebuild(con)  # the rows above bypassed the writers that keep it
        con.execute("UPDATE store_meta SET value = 1 WHERE key = 'data_version'")
    finally:
        con.close()
    store_terms(db)
    store_trigram_bits(db)


def store_terms(db: Path) -> int:
    """Store the sampled mentions' terms the writers would have stored; return how many."""
    stored = 0
    with write_connection(db) as con:
        while True:  # in batches: a batch's terms are held in memory while written
            with transaction(con):
                batch = term_cache.fill(con, terms.stored_terms, 50_000)
            stored += batch
            if not batch:
                return stored


def store_trigram_bits(db: Path) -> int:
    """Give every mention the trigram bits the writers would have stored; return how many."""
    with write_connection(db) as con:
        return trigram_bits.fill_all(con)


def window(last: date) -> Filters:
    """Return the Overview's default filters: the 30 days ending on the newest mention."""
    return Filters((), "30d", last - timedelta(days=29), last, (), ())


Panels = dict[str, Callable[[], Any]]


def volume_charts(volume: pd.DataFrame) -> Any:
    """Build the volume and net sentiment figures the Overview draws from one read."""
    totals = panels.sentiment_totals(volume)
    colors = charts.brand_colors(FOCUS)
    return (
        charts.volume_by_sentiment(totals, granularity="day", tz=TZ),
        charts.net_sentiment(volume, granularity="day", tz=TZ, colors=colors),
    )


def overview_panels(reader: Reader, key: tuple[str, int], f: Filters) -> Panels:
    """Return the Overview's reads, as the page makes them for its default view."""
    scope = f.scope(TZ).of(FOCUS)
    before = scope.over(f.previous().first, f.previous().last)
    return {
        "frame": lambda: data.bounds(reader, (key[0] + "#frame", key[1])),
        "kpis": lambda: data.kpis(reader, key, f.scope(TZ)),
        "volume": lambda: volume_charts(data.daily_volume(reader, key, scope, "day")),
        "spikes": lambda: data.spikes(reader, key, scope, False),
        "sources": lambda: charts.ranking(
            data.volume_by_source(reader, key, scope), label="source"
        ),
        "top_voices": lambda: data.top_voices(reader, key, scope, 10),
        "emerging_terms": lambda: data.emerging_terms(
            reader, key, scope, before, ("acme", "globex", "initech"), 12
        ),
    }


def ours(db: Path) -> tuple[dict[str, float], float]:
    """Return each panel's median milliseconds on a cache miss, and the connect time."""
    times: dict[str, list[float]] = {}
    connects = []
    for rep in range(REPEATS):
        start = time.perf_counter()
        with Reader(db) as reader:
            version = reader.version()
            connects.append((time.perf_counter() - start) * 1000)
            key = (f"{db}#{rep}", version)  # a fresh key: every reader misses its cache
            last = data.bounds(reader, key)["last"].astimezone(UTC).date()
            for name, panel in overview_panels(reader, key, window(last)).items():
                began = time.perf_counter()
                panel()
                times.setdefault(name, []).append((time.perf_counter() - began) * 1000)
    return {k: statistics.median(v) for k, v in times.items()}, statistics.median(connects)


def baseline(db: Path) -> tuple[dict[str, float], float]:
    """Load the tables into pandas, then time the same panels computed with pandas."""
    began = time.perf_counter()
    con = duckdb.connect(str(db), read_only=True)
    mentions = con.execute("SELECT * FROM mentions").df()
    brands = con.execute("SELECT * FROM mention_brands").df()
    con.close()
    load_ms = (time.perf_counter() - began) * 1000

    last = brands["published_at"].max().tz_convert(TZ).date()
    f = window(last)

    def local_day(series: pd.Series) -> pd.Series:
        return series.dt.tz_convert(TZ).dt.normalize().dt.date

    def rows_between(first: date, last_day: date) -> pd.DataFrame:
        day = local_day(brands["published_at"])
        return brands[(day >= first) & (day <= last_day)]

    def frame() -> Any:
        return (
            len(mentions),
            mentions["published_at"].min(),
            mentions["published_at"].max(),
            sorted(brands["brand"].unique()),
            sorted(mentions["source"].unique()),
        )

    def kpis() -> pd.DataFrame:
        rows = rows_between(f.previous().first, f.last)
        now = local_day(rows["published_at"]) >= f.first
        return rows.assign(now=now).pivot_table(
            index="brand", columns=["now", "label"], values="mention_id", aggfunc="count"
        )

    def daily(first: date) -> pd.DataFrame:
        rows = rows_between(first, f.last)
        rows = rows[rows["brand"].isin(FOCUS)]
        return (
            rows.assign(period=local_day(rows["published_at"]))
            .groupby(["period", "label"])
            .size()
            .unstack(fill_value=0)
            .assign(mentions=lambda d: d.sum(axis=1))
            .reset_index()
        )

    def spikes() -> pd.DataFrame:
        series = daily(f.first - timedelta(days=spike_rules.WINDOW_DAYS))
        return spike_rules.score_days(series)

    def focus_ids(first: date, last_day: date) -> pd.Series:
        rows = rows_between(first, last_day)
        return rows.loc[rows["brand"].isin(FOCUS), "mention_id"].drop_duplicates()

    def sources() -> pd.Series:
        rows = rows_between(f.first, f.last)
        rows = rows[rows["brand"].isin(FOCUS)]
        return rows.groupby("source")["mention_id"].nunique()

    def top_voices() -> list[pd.Series]:
        picked = mentions[mentions["id"].isin(focus_ids(f.first, f.last))]
        extra = picked["extra"].map(lambda text: pd.io.json.ujson_loads(text) if text else {})
        subreddit = extra.map(lambda e: e.get("subreddit"))
        site = extra.map(lambda e: e.get("domain"))
        return [
            picked["author"].value_counts().head(10),
            subreddit.value_counts().head(10),
            site.value_counts().head(10),
        ]

    def emerging_terms() -> pd.DataFrame:
        counts = []
        for first, last_day in ((f.first, f.last), (f.previous().first, f.previous().last)):
            ids = focus_ids(first, last_day)
            sample = ids.sample(n=min(len(ids), signals.TERM_SAMPLE), random_state=7)
            texts = mentions.loc[mentions["id"].isin(sample), ["title", "text"]]
            words = (
                (texts["title"] + " " + texts["text"])
                .str.lower()
                .str.findall(r"[#@]?[a-z0-9\u00c0-\u024f][a-z0-9\u00c0-\u024f'_-]*")
                .map(set)
                .explode()
            )
            counted = words[words.str.len() >= 3].value_counts()
            counts.append((counted.rename_axis("term").reset_index(name="mentions"), len(texts)))
        (now, n), (before, m) = counts
        return terms.emerging_terms(now, n, before, m, exclude=("acme", "globex", "initech"))

    panels: dict[str, Callable[[], Any]] = {
        "frame": frame,
        "kpis": kpis,
        "volume": lambda: daily(f.first),
        "spikes": spikes,
        "sources": sources,
        "top_voices": top_voices,
        "emerging_terms": emerging_terms,
    }
    times = {}
    for name, panel in panels.items():
        began = time.perf_counter()
        panel()
        times[name] = (time.perf_counter() - began) * 1000
    return times, load_ms


def inbox_filters(word: str) -> dict[str, dict[str, Any]]:
    """Return the Mentions inbox's filter combinations to time, as Scope fields."""
    return {
        "none": {},
        "unread": {"unread_by": READER},
        "tag": {"tags": (TAG,)},
        "assignee": {"assignees": (ASSIGNEE,)},
        "status": {"statuses": ("new",)},
        "search": {"search": word},
        "all": {"unread_by": READER, "tags": (TAG,), "assignees": (ASSIGNEE,), "search": word},
    }


def inbox_ours(db: Path, word: str) -> dict[str, float]:
    """Return per filter combination the inbox's first page (count + 50 rows), median ms."""
    times: dict[str, list[float]] = {}
    for rep in range(REPEATS):
        with Reader(db) as reader:
            key = (f"{db}#inbox{rep}", reader.version())
            last = data.bounds(reader, key)["last"].astimezone(UTC).date()
            base = window(last).scope(TZ)
            for name, fields in inbox_filters(word).items():
                scope = replace(base, **fields)
                began = time.perf_counter()
                data.count_mentions(reader, key, scope)
                data.mention_page(reader, key, scope, None, 50)
                times.setdefault(name, []).append((time.perf_counter() - began) * 1000)
    return {k: statistics.median(v) for k, v in times.items()}


def inbox_baseline(db: Path, word: str) -> dict[str, float]:
    """Return the same pages computed with pandas on frames already loaded."""
    con = duckdb.connect(str(db), read_only=True)
    brands = con.execute("SELECT mention_id, published_at FROM mention_brands").df()
    texts = con.execute("SELECT id, title, text FROM mentions").df().set_index("id")
    reads = set(
        con.execute("SELECT mention_id FROM mention_reads WHERE person = ?", [READER]).df()[
            "mention_id"
        ]
    )
    tags = set(
        con.execute("SELECT mention_id FROM mention_tags WHERE tag = ?", [TAG]).df()["mention_id"]
    )
    triage = (
        con.execute("SELECT mention_id, status, assignee FROM triage").df().set_index("mention_id")
    )
    con.close()
    last = brands["published_at"].max().tz_convert(TZ).date()
    f = window(last)
    day = brands["published_at"].dt.tz_convert(TZ).dt.date
    rows = brands[(day >= f.first) & (day <= f.last)]
    times = {}
    for name, fields in inbox_filters(word).items():
        began = time.perf_counter()
        keep = rows
        if "unread_by" in fields:
            keep = keep[~keep["mention_id"].isin(reads)]
        if "tags" in fields:
            keep = keep[keep["mention_id"].isin(tags)]
        if "assignees" in fields:
            who = triage["assignee"].reindex(keep["mention_id"]).fillna("")
            keep = keep[who.isin(fields["assignees"]).to_numpy()]
        if "statuses" in fields:
            status = triage["status"].reindex(keep["mention_id"]).fillna("new")
            keep = keep[status.isin(fields["statuses"]).to_numpy()]
        if "search" in fields:
            picked = texts.reindex(keep["mention_id"])
            hit = (picked["title"] + " " + picked["text"]).str.contains(word, case=False)
            keep = keep[hit.to_numpy()]
        keep["mention_id"].nunique()
        keep.sort_values(["published_at", "mention_id"], ascending=False).drop_duplicates(
            "mention_id"
        ).head(50)
        times[name] = (time.perf_counter() - began) * 1000
    return times


def prepare(db: Path) -> float:
    """Generate the database at `db`, or migrate a kept one; return the seconds it took."""
    began = time.perf_counter()
    if db.exists():
        with write_connection(db):
            pass  # a kept file from an older schema gets the new migrations
        store_terms(db)  # and the terms a kept file from before them lacks
    else:
        generate(db, ROWS)
    return time.perf_counter() - began


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as folder:
        db = Path(KEEP) if KEEP else Path(folder) / "bench.duckdb"
        kept = db.exists()
        made = prepare(db)
        size_gb = db.stat().st_size / 1e9
        mine, connect_ms = ours(db)
        theirs, load_ms = baseline(db)
        with duckdb.connect(str(db), read_only=True) as con:
            # A word of middling frequency: in about one mention in a hundred.
            word = con.execute(
                "SELECT w FROM (SELECT unnest(string_split(text, ' ')) AS w FROM mentions"
                " USING SAMPLE 20000 ROWS (reservoir, 3)) GROUP BY w"
                " ORDER BY abs(count(*) - 200), w LIMIT 1"
            ).fetchall()[0][0]
        inbox, inbox_theirs = inbox_ours(db, word), inbox_baseline(db, word)
        for name, ms in mine.items():
            met = "meets" if ms <= GOAL_MS else "misses"
            report(
                f"{NAME}_{name}",
                ms,
                theirs[name],
                "ms",
                note=f"{met} the {GOAL_MS:.0f} ms goal; baseline is pandas on frames already"
                " in memory",
            )
        for name, ms in inbox.items():
            met = "meets" if ms <= INBOX_GOAL_MS else "misses"
            report(
                f"dashboard_inbox_{name}",
                ms,
                inbox_theirs[name],
                "ms",
                note=f"{met} the {INBOX_GOAL_MS:.0f} ms goal; first page of 50 and its count"
                f" (search word {word!r}); baseline is pandas on frames already in memory",
            )
        total = sum(mine.values()) + connect_ms
        met = "meets" if total <= PAGE_GOAL_MS else "misses"
        report(
            NAME,
            total,
            load_ms + sum(theirs.values()),
            "ms",
            note=f"{met} the {PAGE_GOAL_MS:.0f} ms page goal;"
            f" {ROWS:,} mentions ({size_gb:.1f} GB,"
            f" {'kept from an earlier run' if kept else f'generated in {made:.0f} s'});"
            f" ours: connect {connect_ms:.0f} ms + every panel on a cache miss; baseline:"
            f" pandas load {load_ms / 1000:.1f} s + the same panels;"
            f" peak RSS {peak_rss_mb():,.0f} MB",
        )


if __name__ == "__main__":
    main()
