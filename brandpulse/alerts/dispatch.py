"""After a collection: queue new incident states per channel, deliver what is due, record it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from brandpulse import signals
from brandpulse.alerts import render
from brandpulse.alerts.send import DeliveryError, deliver
from brandpulse.config import SEVERITIES, Alert, Config
from brandpulse.store import analytics, outbox
from brandpulse.store.backend import source_lock
from brandpulse.store.connection import read_connection, write_connection
from brandpulse.store.records import RunReport
from brandpulse.store.scope import Scope
from brandpulse.store.writes import record_run, transaction

SOURCE = "alerts"  # the name alert runs carry in collection_runs (Collection health)
BACKOFF = timedelta(minutes=5)  # first retry; doubles per attempt
MAX_BACKOFF = timedelta(hours=6)
MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class Result:
    """What one alerts run did."""

    queued: int
    sent: int
    failed: list[str]


def incident_states(incident: pd.Series, queued: set[str], prefix: str) -> list[str]:
    """Return the states of `incident` to queue, given the keys already queued.

    An open incident is announced once per severity it reaches (an update when it grows);
    when it is over a closing note follows. A brand-new channel that first sees an
    incident already over sends just that note.
    """
    rank = SEVERITIES.index(incident["severity"])
    done = {k.rsplit("|", 1)[1] for k in queued if k.startswith(prefix)}
    if incident["status"] == "over":
        return [] if "over" in done else ["over"]
    reached = [SEVERITIES.index(s.split(":")[1]) for s in done if s.startswith("open:")]
    if reached and max(reached) >= rank:
        return []
    return [f"open:{incident['severity']}"]


def quiet_until(alert: Alert, now: datetime, tz: str) -> datetime | None:
    """Return when the alert's quiet hours end if `now` falls inside them, else None."""
    if not alert.quiet_hours:
        return None
    begin, end = (time.fromisoformat(p) for p in alert.quiet_hours.split("-"))
    local = now.astimezone(ZoneInfo(tz))
    clock = local.time()
    inside = begin <= clock < end if begin < end else clock >= begin or clock < end
    if not inside:
        return None
    day = local.date() if clock < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, ZoneInfo(tz)).astimezone(UTC)


def _plan(db: Path, config: Config, now: datetime) -> list[outbox.Outgoing]:
    """Return the incident messages every channel should get (new keys are decided later)."""
    tz = config.settings.timezone
    today = now.astimezone(ZoneInfo(tz)).date()
    items: list[outbox.Outgoing] = []
    with read_connection(db) as con:
        bounds = analytics.data_range(con, tz)
        if bounds is None:
            return []
        for alert in config.alerts:
            brands = list(alert.brands) or [b.name for b in config.brands]
            first = max(today - timedelta(days=alert.lookback_days), bounds[0])
            scope = Scope(
                brands=tuple(brands),
                first=first,
                last=max(today, bounds[1]),
                tz=tz,
                sources=tuple(alert.sources),
            )
            _, found = signals.incidents(con, config, scope, now)
            if found.empty:
                continue
            minimum = SEVERITIES.index(alert.min_severity)
            found = found[
                (found["planned"] == "")
                & (found["severity"].map(SEVERITIES.index) >= minimum)
                & (found["end"] >= first)
            ]
            queued = outbox.queued_keys(con, alert.name)
            for incident in found.to_dict("records"):
                prefix = f"{alert.name}|{incident['incident_id']}|"
                states = incident_states(pd.Series(incident), queued, prefix)
                if not states:
                    continue
                days = scope.of(incident["brand"]).over(incident["start"], incident["end"])
                terms, top = signals.drivers(con, config, days)
                message = render.incident_message(
                    incident,
                    states[0],
                    [(t, int(n)) for t, n in zip(terms["term"], terms["mentions"], strict=True)],
                    mention_items(top),
                    render.incident_link(
                        config.settings.dashboard_url,
                        incident["brand"],
                        incident["start"],
                        incident["end"],
                    ),
                )
                items.append(
                    outbox.Outgoing(
                        key=prefix + states[0],
                        channel=alert.name,
                        kind="incident",
                        subject=message.subject,
                        payload=message.to_dict(),
                        incident_id=incident["incident_id"],
                        state=states[0],
                        not_before=quiet_until(alert, now, tz),
                    )
                )
    return items


def mention_items(top: pd.DataFrame) -> list[dict[str, object]]:
    """Return top mentions as the title, url, source and engagement an alert lists."""
    return [
        {
            "title": (r.title or r.text or "")[:160],
            "url": r.url,
            "source": r.source,
            "engagement": int(r.engagement) if pd.notna(r.engagement) else 0,
        }
        for r in top.itertuples()
    ]


def run(
    db: Path,
    config: Config,
    env: Mapping[str, str],
    now: datetime | None = None,
    extra: list[outbox.Outgoing] | None = None,
) -> Result:
    """Queue new incident states (and `extra` messages), deliver what is due, record the run.

    One dispatch at a time per database (on a lake, collectors on several machines would
    otherwise queue and send the same message twice).
    """
    with source_lock(db, SOURCE):
        return _run(db, config, env, now, extra)


def _run(
    db: Path,
    config: Config,
    env: Mapping[str, str],
    now: datetime | None = None,
    extra: list[outbox.Outgoing] | None = None,
) -> Result:
    """Queue new incident states (and `extra` messages), deliver what is due, record the run."""
    now = now or datetime.now(UTC)
    report = RunReport(source=SOURCE, started_at=now)
    items = (_plan(db, config, now) if config.alerts else []) + list(extra or [])
    with write_connection(db) as con, transaction(con):
        queued = outbox.enqueue(con, items, now)
        pending = outbox.due(con, now)
    channels = {a.name: a for a in config.alerts}
    results: list[tuple[str, str | None, int]] = []
    for item in pending:
        alert = channels.get(item["channel"])
        if alert is None:
            results.append((item["key"], "channel no longer configured", MAX_ATTEMPTS))
            continue
        try:
            deliver(alert, render.Message.from_dict(item["payload"]), env)
            results.append((item["key"], None, item["attempts"]))
        except DeliveryError as exc:
            results.append((item["key"], f"{alert.name}: {exc}", item["attempts"]))
    failed = [error for _, error, _ in results if error]
    # On the run record: fetched = delivered, new = queued; "failed" when nothing got through.
    report.fetched = len(results) - len(failed)
    report.new = queued
    report.errors = failed
    report.details = [{"key": key, "error": error} for key, error, _ in results]
    with write_connection(db) as con, transaction(con):
        for key, error, attempts in results:
            if error is None:
                outbox.mark_sent(con, key, now)
            else:
                retry = None
                if attempts + 1 < MAX_ATTEMPTS:
                    retry = now + min(BACKOFF * 2**attempts, MAX_BACKOFF)
                outbox.mark_failed(con, key, error, retry)
        report.ended_at = datetime.now(UTC)
        if results or queued:
            record_run(con, report)
    return Result(queued, len(results) - len(failed), failed)


def summary(result: Result) -> str:
    """Return the line `collect` and `digest` print about alerts."""
    line = f"alerts: queued {result.queued}, sent {result.sent}, failed {len(result.failed)}"
    return "\n".join([line, *(f"  error: {e} (retried next run)" for e in result.failed)])


def send_tests(config: Config, env: Mapping[str, str]) -> list[tuple[str, str | None]]:
    """Send the test message to every channel now; return (channel, error or None) each."""
    out = []
    for alert in config.alerts:
        try:
            deliver(alert, render.test_message(alert.name), env)
            out.append((alert.name, None))
        except DeliveryError as exc:
            out.append((alert.name, str(exc)))
    return out
