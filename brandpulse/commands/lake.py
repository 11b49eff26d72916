"""`brandpulse lake init|status|maintain|import`: set up and look after a DuckLake database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from brandpulse import progress
from brandpulse.options import ConfigOption, DbOption, resolve
from brandpulse.store import lake
from brandpulse.store.errors import ConfigError

app = typer.Typer(help="A shared DuckLake database: PostgreSQL catalog, Parquet data.")


def _lake_db(config: Path | None, db: Path | None) -> tuple[Path, str | None]:
    ctx = resolve(config, db)
    if not lake.is_lake(ctx.db):
        raise ConfigError(
            f"the database {ctx.db} is a DuckDB file, not a lake",
            "give --db ducklake:postgres:<DSN> or set [settings] database to one",
        )
    return ctx.db, ctx.config.lake.data_path


@app.command("init")
def init(config: ConfigOption = None, db: DbOption = None) -> int:
    """Create the lake's catalog and tables, or migrate them; run once, before anything else."""
    database, data_path = _lake_db(config, db)
    applied = lake.initialise(database, data_path)
    if applied:
        progress.say(f"lake ready: applied migrations {', '.join(map(str, applied))}")
    else:
        progress.say("lake already at the current schema")
    return 0


@app.command("status")
def status(config: ConfigOption = None, db: DbOption = None) -> int:
    """Show the lake's snapshots, data files and sizes, and its last maintenance."""
    database, _ = _lake_db(config, db)
    info = lake.status(database)
    typer.echo(f"catalog: {info['catalog']}")
    typer.echo(f"data path: {info['data_path']}")
    typer.echo(
        f"snapshots: {info['snapshots']} (latest #{info['latest_snapshot']}"
        f" at {info['latest_change']:%Y-%m-%d %H:%M:%S %Z})"
    )
    typer.echo(f"data files: {info['files']}, {info['bytes'] / 1e6:.1f} MB")
    last = info["last_maintenance"]
    if last is None:
        typer.echo("last maintenance: never; run `brandpulse lake maintain` from cron")
    else:
        typer.echo(
            f"last maintenance: {last[0]:%Y-%m-%d %H:%M:%S %Z}, files {last[1]} -> {last[2]}"
        )
    return 0


@app.command("maintain")
def maintain(
    keep_minutes: Annotated[
        float,
        typer.Option(help="Keep snapshots and replaced files younger than this, for readers."),
    ] = 60.0,
    config: ConfigOption = None,
    db: DbOption = None,
) -> int:
    """Merge small files, expire old snapshots, delete unused files (cron-ready, safe while
    collectors run)."""
    database, _ = _lake_db(config, db)
    done = lake.maintain(database, keep_minutes=keep_minutes)
    progress.say(
        f"lake maintained: files {done['files_before']} -> {done['files_after']},"
        f" {done['bytes_before'] / 1e6:.1f} MB -> {done['bytes_after'] / 1e6:.1f} MB"
    )
    return 0


@app.command("import")
def import_(
    file: Annotated[
        Path,
        typer.Argument(help="The .duckdb file (or EXPORT DATABASE Parquet folder) to copy in."),
    ],
    config: ConfigOption = None,
    db: DbOption = None,
) -> int:
    """Copy a brandpulse DuckDB file into a new, initialised lake."""
    database, _ = _lake_db(config, db)
    if not file.exists():
        raise ConfigError(f"no database at {file}", "give the path of a .duckdb file")
    copied = lake.import_file(database, file)
    progress.say(
        f"imported {copied.get('mentions', 0)} mentions ({sum(copied.values())} rows"
        f" in {len(copied)} tables) from {file}"
    )
    return 0
