"""`brandpulse collect`: run the collectors once, for cron or by hand."""

from __future__ import annotations

import os
import signal
from types import FrameType
from typing import Annotated

import typer

from brandpulse import collectors, pipeline, privacy, progress
from brandpulse.alerts import dispatch
from brandpulse.options import ConfigOption, DbOption, resolve
from brandpulse.store.errors import ConfigError, StoreBusy
from brandpulse.store.records import RunReport

# Exit code when every source failed (1 is "some failed, the rest is stored").
ALL_FAILED = 4


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
    2 bad config, 3 another collection is running (or the database stayed busy: what was
    collected waits in the outbox), 4 every source failed, 130 interrupted.
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
    # SIGTERM (cron's timeout, systemd, kill) ends the run like Ctrl-C: what was collected
    # goes to the outbox and the run is recorded as interrupted.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        reports = pipeline.collect(
            run.db, run.config, run.secrets, names, notify=progress.log, debug=debug
        )
    except KeyboardInterrupt:
        progress.log("interrupted: the run is recorded as interrupted; run collect again")
        return 130
    except StoreBusy as exc:
        if debug:
            raise
        # The same two lines the CLI prints for any error, with cron's timestamps.
        progress.log(f"error: {exc.message}\n  fix: {exc.fix}")
        return exc.exit_code
    finally:
        signal.signal(signal.SIGTERM, previous)
    code = exit_code(reports)
    if run.config.alerts:
        # New and grown incidents go out once per state; failures are retried next run.
        result = dispatch.run(run.db, run.config, os.environ)
        progress.log(dispatch.summary(result))
        if result.failed and code == 0:
            code = 1
    return code


def exit_code(reports: list[RunReport]) -> int:
    """Return the exit code cron sees: 4 all failed, 3 kept in the outbox, 1 some failed."""
    if reports and all(r.status == "failed" for r in reports):
        return ALL_FAILED
    if any(pipeline.held_back(r) for r in reports):
        return StoreBusy.exit_code
    return 0 if all(r.status == "ok" for r in reports) else 1


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)
