"""`brandpulse demo`: build the demo database from the bundled synthetic corpus, then serve it."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Annotated

import typer

from brandpulse import demo, progress
from brandpulse.commands import dashboard
from brandpulse.store import backend as lake
from brandpulse.store.errors import BrandpulseError


def command(
    no_serve: Annotated[
        bool,
        typer.Option(
            "--no-serve", help="Build the demo database and print what it holds; do not serve."
        ),
    ] = False,
    port: Annotated[
        int, typer.Option("--port", "-p", help="Port to serve the dashboard on.", min=1, max=65535)
    ] = dashboard.DEFAULT_PORT,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (this machine only by default).")
    ] = dashboard.DEFAULT_HOST,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            help="Where to build the demo database. Default: data/demo.duckdb. An existing"
            " file there is replaced only if an earlier `brandpulse demo` built it.",
            show_default=False,
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help="Demo config to load with. Default: the bundled data/demo/brands.toml; its"
            " [[feeds]] and the Reddit listings in a reddit/ folder beside it are loaded.",
            show_default=False,
        ),
    ] = None,
) -> int:
    """Load the bundled demo data (synthetic e-bike brands) and open the dashboard on it.

    Rebuilds the demo database from data/demo/ through the same parsing, matching,
    sentiment and store code as live collection, prints what it loaded, then serves the
    dashboard until Ctrl-C. Ignores $BRANDPULSE_CONFIG and $BRANDPULSE_DB: the demo
    never touches your own collections.
    """
    config_path = config or demo.DEMO_CONFIG
    summary = demo.build(db, config_path, notify=progress.say)
    for line in summary.lines():
        typer.echo(line)
    failed = [r for r in summary.reports if r.status != "ok"]
    if no_serve:
        where = f"--db {_shown(summary.db)} --config {_shown(config_path)}"
        # Plain echo: these are commands to copy, and rich would wrap them at 80 columns.
        typer.echo(f"next: brandpulse dashboard {where}", err=True)
        typer.echo(
            f"  or: brandpulse export {where} --what mentions --format csv -o x.csv", err=True
        )
        return 1 if failed else 0
    code = dashboard.serve(summary.db, config_path, port, host)
    if code not in (0, -15):
        raise BrandpulseError(
            f"the dashboard server stopped with exit code {code}",
            "run `brandpulse dashboard --db data/demo.duckdb --config data/demo/brands.toml`"
            " with --debug to see why",
        )
    return 0


def _shown(path: Path) -> str:
    """Return `path` relative to the working directory when it lies below it."""
    if lake.is_lake(path):
        return shlex.quote(str(path))
    resolved = Path(path).resolve()
    try:
        return str(resolved.relative_to(Path.cwd()))
    except ValueError:
        return str(resolved)
