"""`brandpulse collect`: run the collectors once, for cron or by hand."""

from __future__ import annotations

from typing import Annotated

import typer

from brandpulse import pipeline, progress
from brandpulse.options import ConfigOption, DbOption, resolve
from store.errors import ConfigError


def command(
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source", "-s", help="Collect only this source (repeatable): feeds, reddit."
        ),
    ] = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> int:
    """Collect new mentions from every configured source into the database.

    Exit codes: 0 every source ok, 1 some source failed (the others are still stored),
    2 bad config, 3 another collection is running.
    """
    ctx = resolve(config, db)
    if not ctx.config.brands:
        raise ConfigError(
            "no brands are configured, so there is nothing to listen for",
            "run `brandpulse init` and add [[brands]] to brands.toml (or pass --config)",
        )
    names = list(source or ctx.config.sources)
    unknown = [n for n in names if n not in ("feeds", "reddit")]
    if unknown:
        raise ConfigError(f"unknown source {unknown[0]!r}", "use --source feeds or --source reddit")
    missing = [n for n in names if n not in ctx.config.sources]
    if missing:
        section = "[[feeds]]" if missing[0] == "feeds" else "[reddit]"
        raise ConfigError(
            f"source {missing[0]!r} is not configured", f"add a {section} section to the config"
        )
    if not names:
        raise ConfigError("no sources are configured", "add [reddit] or [[feeds]] to the config")
    reports = pipeline.collect(ctx.db, ctx.config, ctx.secrets, names, notify=progress.say)
    return 0 if all(r.status == "ok" for r in reports) else 1
