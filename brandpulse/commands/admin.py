"""`brandpulse status`, `prune` and `forget`: what the database holds, and erasing from it."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from brandpulse import privacy
from brandpulse.options import ConfigOption, DbOption, resolve
from brandpulse.store import browse, queries, spill
from brandpulse.store.backend import retry_conflicts
from brandpulse.store.connection import (
    collection_lock,
    read_connection,
    schema_is_current,
    write_connection,
)
from brandpulse.store.erasure import forget_author, prune_before
from brandpulse.store.errors import ConfigError
from brandpulse.store.maintenance import rewrite_database, rewrite_pending
from brandpulse.store.writes import transaction

# This many failed runs in a row is a source failing repeatedly, as the dashboard says too.
FAILING_STREAK = 3


def status(config: ConfigOption = None, db: DbOption = None) -> int:
    """Show what the database holds and the latest collection runs with their errors."""
    ctx = resolve(config, db, allow_demo=True)
    tz = ctx.config.settings.timezone
    if not schema_is_current(ctx.db):
        # Upgrading needs the write side once, so it waits for no running collection.
        with collection_lock(ctx.db), write_connection(ctx.db):
            typer.echo(f"upgraded {ctx.db} to the current schema")
    with read_connection(ctx.db) as con:
        totals = queries.totals(con)
        by_source = browse.data_freshness(con)
        runs = browse.run_history(con, limit=10)
        health = browse.source_health(con)
    typer.echo(f"database: {ctx.db}")
    typer.echo(
        f"mentions: {totals['mentions']} ({totals['scored']} scored, {totals['brands']} brands),"
        f" published {_when(totals['first_published'], tz)}"
        f" to {_when(totals['last_published'], tz)},"
        f" last collected {_when(totals['last_collected'], tz)}"
    )
    for row in by_source.itertuples():
        typer.echo(
            f"  {row.source}: {row.mentions} mentions, newest {_when(row.newest_published, tz)}"
        )
    if runs.empty:
        typer.echo("no collection runs yet: run `brandpulse collect`")
        return 0
    typer.echo("latest runs (newest first):")
    for run in runs.itertuples():
        typer.echo(
            f"  #{run.run_id} {_when(run.started_at, tz)} {run.source}: {run.status},"
            f" fetched {run.fetched}, new {run.new}, updated {run.updated},"
            f" skipped {run.skipped}, errors {run.error_count}"
        )
        for error in list(run.errors)[:5]:
            typer.echo(f"      error: {error}")
    typer.echo("sources:")
    for row in health.itertuples():
        typer.echo(f"  {row.source}: {_items_line(row.details)}")
    for name in ctx.config.sources:
        if name not in set(health["source"]):
            typer.echo(
                f"  {name}: configured, never collected (`brandpulse collect --source {name}`)"
            )

    waiting = spill.pending(ctx.db, ".parquet")
    if waiting:
        count = sum(spill.row_count(path) for path in waiting)
        typer.echo(
            f"warning: {count} collected mentions wait in {spill.outbox_dir(ctx.db)}"
            " (the database was busy); the next `brandpulse collect` writes them",
            err=True,
        )
    for row in health.itertuples():
        if row.failed_streak >= FAILING_STREAK:
            typer.echo(
                f"warning: {row.source} has failed {row.failed_streak} runs in a row", err=True
            )
    return 0


def prune(
    older_than: Annotated[
        int,
        typer.Option(
            "--older-than",
            help="Erase mentions published more than DAYS ago.",
            metavar="DAYS",
            min=1,
        ),
    ],
    config: ConfigOption = None,
    db: DbOption = None,
) -> int:
    """Erase mentions older than DAYS days, with their matches, labels and corrections."""
    try:
        cutoff = datetime.now(UTC) - timedelta(days=older_than)
    except OverflowError:
        # Python's dates end at year 1: 100000000 days ago does not exist.
        raise ConfigError(
            f"--older-than {older_than} days reaches back before the year 1",
            "give a number of days such as 365; --older-than 36500 keeps a century",
        ) from None
    ctx = resolve(config, db, write=True)

    def attempt() -> int:
        with write_connection(ctx.db) as con, transaction(con):
            return prune_before(con, cutoff)

    with collection_lock(ctx.db):
        count = retry_conflicts(ctx.db, attempt)
        finished = _finish_erasure(ctx.db)
    _say_finished(finished, count)
    typer.echo(
        f"erased {count} mentions published before {cutoff:%Y-%m-%d %H:%M} UTC;"
        " collect will not store anything older again"
    )
    return 0


def forget(
    author: Annotated[str, typer.Option("--author", help="The author's handle, as on the source.")],
    config: ConfigOption = None,
    db: DbOption = None,
) -> int:
    """Erase every mention by an author, everywhere: for privacy and erasure requests."""
    ctx = resolve(config, db, write=True)
    if not author.strip():
        raise ConfigError("--author is empty", "pass the author's handle, e.g. --author jdoe")
    handle = author.strip()
    key = privacy.author_key(ctx.config, ctx.secrets)
    # Both forms, matched ignoring case: mentions stored before hashing was switched on
    # keep the plain handle, later ones its pseudonym (itself computed ignoring case).
    alias = privacy.pseudonym(handle, key) if key else None

    def attempt() -> int:
        with write_connection(ctx.db) as con, transaction(con):
            return forget_author(con, handle, alias, privacy.forget_digests(handle, key))

    with collection_lock(ctx.db):
        count = retry_conflicts(ctx.db, attempt)
        finished = _finish_erasure(ctx.db)
    _say_finished(finished, count)
    typer.echo(f"erased {count} mentions by {handle}; collect will not store theirs again")
    return 0


def _items_line(details: str | None) -> str:
    """Return a source's last run by item, as its items name themselves: "3 feeds, 1 failed"."""
    try:
        items = json.loads(details) if details else []
    except ValueError:
        items = []
    items = [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []
    kinds = Counter(str(i.get("kind", "item")) for i in items)
    failed = sum(1 for i in items if i.get("status") == "error")
    counted = ", ".join(f"{n} {kind}{'s' if n != 1 else ''}" for kind, n in kinds.items())
    return f"last run read {counted or 'no items'}, {failed} failed"


def _finish_erasure(db: Path) -> bool:
    """Rewrite the file when an erasure (this one or an earlier failed one) left bytes behind."""
    with read_connection(db) as con:
        pending = rewrite_pending(con)
    if pending:
        rewrite_database(db)
    return pending


def _say_finished(rewrote: bool, count: int) -> None:
    if rewrote and not count:
        typer.echo("finished rewriting the database file that an earlier erasure left unfinished")


def _when(value: object, tz: str = "UTC") -> str:
    """Return an instant in zone `tz`, labelled with it: "2026-03-02 09:00 Europe/Paris"."""
    if value is None or value != value:  # None or NaT
        return "never"
    if isinstance(value, datetime):
        return f"{value.astimezone(ZoneInfo(tz)):%Y-%m-%d %H:%M} {tz}"
    return str(value)
