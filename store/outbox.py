"""The alert outbox: messages queued once per incident state, their delivery state and retries."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import pandas as pd
from brandpulse.store import lake
from brandpulse.store.sql import one


@dataclass(frozen=True)
class Outgoing:
    """One message for one channel; `key` makes it unique (channel, incident and state)."""

    key: str
    channel: str
    kind: str  # incident, digest or test
    subject: str
    payload: dict[str, Any]
    incident_id: str | None = None
    state: str | None = None
    not_before: datetime | None = None  # quiet hours: held until then


def enqueue(con: duckdb.DuckDBPyConnection, items: Sequence[Outgoing], now: datetime) -> int:
    """Queue messages whose key was never queued; return how many were new."""
    new = 0
    on_lake = lake.is_lake_connection(con)
    insert = (
        "INSERT INTO alert_outbox (key, channel, kind, incident_id, state, subject, payload,"
        " status, attempts, created_at, next_attempt_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)"
    )
    for item in items:
        values = [
            item.key,
            item.channel,
            item.kind,
            item.incident_id,
            item.state,
            item.subject,
            json.dumps(item.payload, default=str),
            now,
            item.not_before or now,
        ]
        if on_lake:
            # No unique key on a lake: the dispatch lock makes this check-then-insert safe.
            if one(con, "SELECT count(*) FROM alert_outbox WHERE key = ?", [item.key])[0]:
                continue
            con.execute(insert, values)
            new += 1
            continue
        row = con.execute(f"{insert} ON CONFLICT (key) DO NOTHING RETURNING key", values)
        new += len(row.fetchall())
    return new


def queued_keys(con: duckdb.DuckDBPyConnection, channel: str) -> set[str]:
    """Return every key ever queued for `channel`."""
    rows = con.execute("SELECT key FROM alert_outbox WHERE channel = ?", [channel]).fetchall()
    return {str(r[0]) for r in rows}


def due(con: duckdb.DuckDBPyConnection, now: datetime) -> list[dict[str, Any]]:
    """Return pending messages whose next attempt is due, oldest first."""
    rows = con.execute(
        "SELECT key, channel, kind, subject, payload, attempts FROM alert_outbox"
        " WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY created_at, key",
        [now],
    ).fetchall()
    return [
        {
            "key": key,
            "channel": channel,
            "kind": kind,
            "subject": subject,
            "payload": json.loads(payload),
            "attempts": int(attempts),
        }
        for key, channel, kind, subject, payload, attempts in rows
    ]


def mark_sent(con: duckdb.DuckDBPyConnection, key: str, now: datetime) -> None:
    """Record a delivered message: it is never sent again."""
    con.execute(
        "UPDATE alert_outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?,"
        " last_error = NULL WHERE key = ?",
        [now, key],
    )


def mark_failed(
    con: duckdb.DuckDBPyConnection, key: str, error: str, retry_at: datetime | None
) -> None:
    """Record a failed attempt: retried at `retry_at`, or given up when it is None."""
    con.execute(
        "UPDATE alert_outbox SET attempts = attempts + 1, last_error = ?,"
        " status = CASE WHEN ? THEN 'pending' ELSE 'failed' END,"
        " next_attempt_at = coalesce(?, next_attempt_at) WHERE key = ?",
        [error, retry_at is not None, retry_at, key],
    )


def delivery_state(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return per channel how many messages are sent, pending and failed, and the last error."""
    return con.execute(
        """
        SELECT channel,
               count(*) FILTER (WHERE status = 'sent') AS sent,
               count(*) FILTER (WHERE status = 'pending') AS pending,
               count(*) FILTER (WHERE status = 'failed') AS failed,
               max(sent_at) AS last_sent_at,
               arg_max(last_error, created_at) FILTER (WHERE last_error IS NOT NULL) AS last_error,
               min(next_attempt_at) FILTER (WHERE status = 'pending') AS next_attempt_at
        FROM alert_outbox GROUP BY channel ORDER BY channel
        """
    ).df()
