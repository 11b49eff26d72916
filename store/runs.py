"""The life of a collection run in `collection_runs`: started, finished, refused or interrupted."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import duckdb
from brandpulse.store.records import RunReport
from brandpulse.store.sql import one
from brandpulse.store.writes import record_run

ABANDONED = "the run stopped without recording its end (killed, or the machine went down)"


def start_run(con: duckdb.DuckDBPyConnection, report: RunReport) -> int:
    """Record a run as 'running' before it fetches anything; return its run id.

    A run killed with SIGKILL can record nothing more, so this row is what the next run
    finds and marks as interrupted.
    """
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
    con.execute(
        "UPDATE collection_runs SET ended_at = ?, status = ?, fetched = ?, new = ?, updated = ?,"
        " skipped = ?, errors = ?, warnings = ?, details = ? WHERE run_id = ?",
        [
            report.ended_at or datetime.now(UTC),
            report.status,
            report.fetched,
            report.new,
            report.updated,
            report.skipped,
            report.errors,
            report.warnings,
            json.dumps([item.record() for item in report.items], default=str),
            run_id,
        ],
    )
    return run_id


def close_abandoned(con: duckdb.DuckDBPyConnection) -> int:
    """Mark runs still 'running' as interrupted; return how many. Call under the lock only."""
    count = int(one(con, "SELECT count(*) FROM collection_runs WHERE status = 'running'")[0])
    if count:
        con.execute(
            "UPDATE collection_runs SET status = 'interrupted', errors = list_append(errors, ?)"
            " WHERE status = 'running'",
            [ABANDONED],
        )
    return count
