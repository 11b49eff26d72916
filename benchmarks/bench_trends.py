"""Trend and share-of-voice reads over 10M stored brand mentions: DuckDB against pandas.

The database holds 10M mention_brands rows (five brands, three sources, a year of
timestamps, labels and engagement), generated inside DuckDB. Ours is the set of reads a
dashboard view makes through store.analytics: daily volume by sentiment for one brand over
90 days, weekly volume for every brand over the year, share of voice and KPIs with the
previous period, all in the display time zone. The baseline loads the table into pandas
and computes the same figures there (checked equal). `trends_10m` compares the warm
median of ours with load + compute; `trends_10m_in_memory` with pandas' compute alone,
as if the 10M rows were already held in memory.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
from brandpulse.store import analytics, rollups
from brandpulse.store.connection import write_connection
from brandpulse.store.scope import Scope

from benchmarks.common import peak_rss_mb, report, timed

ROWS = int(os.environ.get("BENCH_TRENDS_ROWS", "10000000"))
TZ = "Europe/Paris"
BRANDS = ["Acme", "Globex", "Initech", "Umbrella", "Hooli"]
LAST = date(2026, 6, 30)


def build(path: Path, rows: int) -> None:
    with write_connection(path) as con:
        con.execute(
            f"""
            INSERT INTO mention_brands
                (mention_id, brand, term, published_at, source, label, engagement)
            SELECT 'm' || i::VARCHAR AS mention_id,
                   ['Acme', 'Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli']
                       [(1 + hash(i) % 6)::BIGINT],
                   'term',
                   TIMESTAMPTZ '2025-07-01 00:00:00+00'
                       + to_microseconds((hash(i * 7) % 31536000000000::UBIGINT)::BIGINT),
                   ['reddit', 'news', 'blog'][(1 + hash(i * 3) % 3)::BIGINT],
                   ['positive', 'negative', 'neutral', 'neutral'][(1 + hash(i * 5) % 4)::BIGINT],
                   (hash(i * 11) % 100)::BIGINT
            FROM range({rows}) t(i)
            """
        )
        rollups.rebuild(con)  # the rows above bypassed the writers that keep it
        con.execute("CHECKPOINT")


def ours(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    first90 = LAST - timedelta(days=89)
    first30 = LAST - timedelta(days=29)
    return {
        "daily": analytics.daily_volume(con, Scope(("Acme",), first90, LAST, TZ)),
        "weekly": analytics.daily_volume(
            con, Scope(tuple(BRANDS), LAST - timedelta(days=363), LAST, TZ), "week"
        ),
        "sov": analytics.share_of_voice(con, Scope(tuple(BRANDS[:3]), first90, LAST, TZ)),
        "kpis": analytics.kpis(con, Scope(tuple(BRANDS[:3]), first30, LAST, TZ)),
    }


def pandas_compute(df: pd.DataFrame) -> dict[str, pd.DataFrame]:
    local = df["published_at"].dt.tz_convert(TZ)
    day = local.dt.tz_localize(None).dt.normalize()
    frame = df.assign(day=day)

    def window(first: date, last: date) -> pd.DataFrame:
        lo, hi = pd.Timestamp(first), pd.Timestamp(last + timedelta(days=1))
        return frame[(frame["day"] >= lo) & (frame["day"] < hi)]

    def counts(part: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        out = part.groupby(keys).agg(
            mentions=("label", "size"),
            positive=("label", lambda s: int((s == "positive").sum())),
            negative=("label", lambda s: int((s == "negative").sum())),
            engagement=("engagement", "sum"),
        )
        out["net_sentiment"] = (out["positive"] - out["negative"]) / out["mentions"]
        return out

    first90 = LAST - timedelta(days=89)
    first30 = LAST - timedelta(days=29)
    daily = counts(window(first90, LAST).query("brand == 'Acme'"), ["day", "brand"])
    year = window(LAST - timedelta(days=363), LAST)
    week = year["day"] - pd.to_timedelta(year["day"].dt.day_of_week, unit="D")
    weekly = counts(year.assign(week=week), ["week", "brand"])
    sov = counts(window(first90, LAST)[lambda f: f["brand"].isin(BRANDS[:3])], ["brand"])
    sov["share"] = sov["mentions"] / sov["mentions"].sum()
    now = counts(window(first30, LAST)[lambda f: f["brand"].isin(BRANDS[:3])], ["brand"])
    before = counts(
        window(first30 - timedelta(days=30), first30 - timedelta(days=1))[
            lambda f: f["brand"].isin(BRANDS[:3])
        ],
        ["brand"],
    )
    now["mentions_change"] = (now["mentions"] - before["mentions"]) / before["mentions"]
    return {"daily": daily, "weekly": weekly, "sov": sov, "kpis": now}


def check(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert a["daily"]["mentions"].sum() == b["daily"]["mentions"].sum()
    assert list(a["daily"]["mentions"]) == list(b["daily"]["mentions"])
    assert a["weekly"]["mentions"].sum() == b["weekly"]["mentions"].sum()
    sov = a["sov"].set_index("brand")["share"]
    assert all(abs(sov[k] - b["sov"].loc[k, "share"]) < 1e-12 for k in sov.index)
    kpis = a["kpis"].set_index("brand")["mentions_change"]
    assert all(abs(kpis[k] - b["kpis"].loc[k, "mentions_change"]) < 1e-12 for k in kpis.index)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-trends-") as tmp:
        path = Path(tmp) / "trends.duckdb"
        _, build_s = timed(lambda: build(path, ROWS))
        print(f"built {ROWS} rows in {build_s:.1f} s", file=sys.stderr)
        con = duckdb.connect(str(path), read_only=True)
        try:
            first, cold_s = timed(lambda: ours(con))
            runs = []
            for _ in range(5):
                start = time.perf_counter()
                ours(con)
                runs.append(time.perf_counter() - start)
            ours_s = statistics.median(runs)
            before_mb = peak_rss_mb()
            df, load_s = timed(lambda: con.execute("SELECT * FROM mention_brands").df())
            theirs, compute_s = timed(lambda: pandas_compute(df))
            pandas_mb = peak_rss_mb() - before_mb
        finally:
            con.close()
        check(first, theirs)
    note = f"{ROWS} rows, 4 dashboard reads, first run {cold_s:.2f}s"
    report(
        "trends_10m",
        ours_s,
        load_s + compute_s,
        "s",
        note=note + f"; pandas load {load_s:.1f}s + compute {compute_s:.1f}s, +{pandas_mb:.0f} MB",
    )
    report("trends_10m_in_memory", ours_s, compute_s, "s", note="pandas compute only")
    return 0


if __name__ == "__main__":
    sys.exit(main())
