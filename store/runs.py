"""The life of a collection run in `collection_runs`: started, finished, refused or interrupted."""

from __future__ import annotations

import duckdb
from brandpulse.store import lake
from brandpulse.store.records import RunReport
from brandpulse.store.sql import one
from brandpulse.store.writes import RUN_OUTCOME_COLUMNS, record_run, run_outcome

ABANDONED = "the run stopped without recording its end (killed, or the machine went down)"


def start_run(con: duckdb.DuckDBPyConnection, report: RunReport) -> int:
    """Record a run as 'running' before it fetches anything; return its run id.

    A run killed with SIGKILL can record nothing more, so this row is what the next run
    finds and marks as interrupted.
    """
    if lake.is_lake_connection(con):
        run_id = lake.next_id(con, "collection_run_ids")
        con.execute(
            "INSERT INTO collection_runs (run_id, source, started_at, status, fetched, new,"
            " updated, skipped, errors, warnings, details)"
            " VALUES (?, ?, ?, 'running', 0, 0, 0, 0, [], [], '[]')",
            [run_id, report.source, report.started_at],
        )
        return run_id
    row = one(
        con,
        "INSERT INTO collection_runs (source, started_at, status, details)"
        " VALUES (?, ?, 'running', '[]') RETURNING run_id",
        [report.source, report.started_at],
    )
    return int(row[0])


def finish_run(con: duckdb.DuckDBPyConnection, report: RunReport, run_id: int | None) -> int:
    """Complete a started run's row with the report (or add a row); return its run id."""
    if run_id is None:
        return record_run(con, report)
    assignments = ", ".join(f"{column} = ?" for column in RUN_OUTCOME_COLUMNS)
    con.execute(
        f"UPDATE collection_runs SET {assignments} WHERE run_id = ?",
        [*run_outcome(report), run_id],
    )
    return run_id


def close_abandoned(con: duckdb.DuckDBPyConnection) -> int:
    """Mark runs still 'running' as interrupted; return how many. Call under the lock only.

    On a lake other processes collect meanwhile: only runs of sources nobody holds the
    lock of are abandoned, and their locks are kept until this transaction ends.
    """
    where = "status = 'running'"
    params: list[object] = []
    if lake.is_lake_connection(con):
        running = [
            r[0]
            for r in con.execute(
                f"SELECT DISTINCT source FROM collection_runs WHERE {where}"
            ).fetchall()
        ]
        free = lake.lock_free_sources(con, running)
        if not free:
            return 0
        where += f" AND source IN ({', '.join('?' for _ in free)})"
        params = list(free)
    count = int(one(con, f"SELECT count(*) FROM collection_runs WHERE {where}", params)[0])
    if count:
        con.execute(
            "UPDATE collection_runs SET status = 'interrupted', errors = list_append(errors, ?)"
            f" WHERE {where}",
            [ABANDONED, *params],
        )
    return count
