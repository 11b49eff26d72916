"""`brandpulse alerts test` and `brandpulse digest`: check the channels, send a summary."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from brandpulse import progress, signals
from brandpulse.alerts import dispatch, render
from brandpulse.options import ConfigOption, DbOption, resolve
from brandpulse.store import analytics
from brandpulse.store import signals as coverage
from brandpulse.store.connection import read_connection
from brandpulse.store.errors import ConfigError
from brandpulse.store.outbox import Outgoing
from brandpulse.store.scope import Scope

app = typer.Typer(help="Alert channels: `brandpulse alerts test` sends each a test message.")


@app.command("test")
def test(config: ConfigOption = None, db: DbOption = None) -> int:
    """Send a test message to every [[alerts]] channel and report each result.

    Exit codes: 0 every channel took it, 1 some channel failed, 2 no channel configured.
    """
    run = resolve(config, db)
    if not run.config.alerts:
        raise ConfigError("no alert channel is configured", "add [[alerts]] to brands.toml")
    failed = 0
    for name, error in dispatch.send_tests(run.config, os.environ):
        progress.say(f"{name}: ok" if error is None else f"{name}: failed: {error}")
        failed += error is not None
    return 1 if failed else 0


class Period(StrEnum):
    day = "day"
    week = "week"


def digest(
    period: Annotated[
        Period, typer.Option("--period", help="day: yesterday; week: the last 7 full days.")
    ] = Period.day,
    config: ConfigOption = None,
    db: DbOption = None,
) -> int:
    """Send the day's or week's summary to every [[alerts]] channel (cron-ready).

    Volume and net sentiment per brand against the previous period, incidents, the most
    engaged mentions and campaign status. Sent once per channel and period.
    Exit codes: 0 sent, 1 some channel failed (retried next run), 2 no channel configured.
    """
    run = resolve(config, db)
    cfg = run.config
    if not cfg.alerts:
        raise ConfigError("no alert channel is configured", "add [[alerts]] to brands.toml")
    now = datetime.now(UTC)
    tz = cfg.settings.timezone
    today = now.astimezone(ZoneInfo(tz)).date()
    days = 1 if period is Period.day else 7
    last = today - timedelta(days=1)
    first = last - timedelta(days=days - 1)
    names = [b.name for b in cfg.brands]
    with read_connection(run.db) as con:
        scope = Scope(brands=tuple(names), first=first, last=last, tz=tz)
        kpis = analytics.kpis(con, scope)
        began = coverage.coverage_start(con)
        _, found = signals.incidents(con, cfg, scope, now)
        top = analytics.top_mentions(con, scope, 5)
    prev_first = first - timedelta(days=days)
    covered = bool(began) and all(
        start.astimezone(ZoneInfo(tz)).date() <= prev_first for start in began.values()
    )
    brands = []
    for row in kpis.itertuples():
        entry = {
            "brand": row.brand,
            "mentions": int(row.mentions),
            "net": 0.0 if row.mentions == 0 else float(row.net_sentiment),
            "change": None,
            "net_change": None,
            "why": "",
        }
        if not covered:
            entry["why"] = "collections do not cover the previous period"
        elif row.prev_mentions == 0:
            entry["why"] = "no mentions in the previous period"
        else:
            entry["change"] = float(row.mentions_change)
            entry["net_change"] = float(row.net_sentiment_change)
        brands.append(entry)
    incidents = found[found["planned"] == ""].to_dict("records") if not found.empty else []
    campaigns = []
    for c in cfg.campaigns:
        state = (
            "running"
            if c.start <= last and c.end >= first
            else "ended"
            if c.end < first
            else "upcoming"
        )
        campaigns.append(f"Campaign {c.name} ({c.brand}, {c.start} to {c.end}): {state}.")
    mentions = dispatch.mention_items(top)
    link = None
    if cfg.settings.dashboard_url:
        link = f"{cfg.settings.dashboard_url}/?period=custom&from={first}&to={last}"
    message = render.digest_message(
        period.value, first, last, brands, incidents, mentions, campaigns, link
    )
    items = [
        Outgoing(
            key=f"{alert.name}|digest|{period.value}|{first}",
            channel=alert.name,
            kind="digest",
            subject=message.subject,
            payload=message.to_dict(),
        )
        for alert in cfg.alerts
    ]
    result = dispatch.run(run.db, cfg, os.environ, now, extra=items)
    progress.say(dispatch.summary(result))
    return 1 if result.failed else 0
