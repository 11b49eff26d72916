"""`brandpulse collect`: run the collectors once, for cron or by hand."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from brandpulse import collectors, pipeline, privacy, progress
from brandpulse.alerts import dispatch
from brandpulse.options import ConfigOption, DbOption, resolve
from brandpulse.store.errors import ConfigError


def command(
    ctx: typer.Context,
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source",
            "-s",
            help="Collect only this source (repeatable): " + ", ".join(collectors.REGISTRY) + ".",
        ),
    ] = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> int:
    """Collect new mentions from every configured source into the database.

    Exit codes: 0 every source ok, 1 some source failed (the others are still stored),
    2 bad config, 3 another collection is running.
    """
    run = resolve(config, db, write=True)
    if not run.config.brands:
        raise ConfigError(
            "no brands are configured, so there is nothing to listen for",
            "run `brandpulse init` and add [[brands]] to brands.toml (or pass --config)",
        )
    names = list(source or run.config.sources)
    unknown = [n for n in names if n not in collectors.REGISTRY]
    if unknown:
        known = " or ".join(f"--source {n}" for n in collectors.REGISTRY)
        raise ConfigError(f"unknown source {unknown[0]!r}", f"use {known}")
    missing = [n for n in names if n not in run.config.sources]
    if missing:
        section = collectors.load(missing[0]).sections[0].header
        raise ConfigError(
            f"source {missing[0]!r} is not configured", f"add a {section} section to the config"
        )
    if not names:
        sections = " or ".join(m.sections[0].header for m in collectors.modules())
        raise ConfigError("no sources are configured", f"add {sections} to the config")
    privacy.author_key(run.config, run.secrets)  # a missing key stops the run before any fetch
    debug = bool(ctx.obj and ctx.obj.get("debug"))
    reports = pipeline.collect(
        run.db, run.config, run.secrets, names, notify=progress.say, debug=debug
    )
    alerted = True
    if run.config.alerts:
        # New and grown incidents go out once per state; failures are retried next run.
        result = dispatch.run(run.db, run.config, os.environ)
        progress.say(dispatch.summary(result))
        alerted = not result.failed
    return 0 if alerted and all(r.status == "ok" for r in reports) else 1
