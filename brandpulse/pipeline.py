"""Wire one collection: each source collects into memory, is analysed, then written in one
short transaction. A failing source is recorded on its run and never stops the others."""

from __future__ import annotations

import traceback
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from brandpulse import analysis, collectors, privacy, progress
from brandpulse.config import Config, Secrets
from brandpulse.rules import rules_from_config
from brandpulse.store import queries
from brandpulse.store.connection import collection_lock, read_connection, write_connection
from brandpulse.store.errors import BrandpulseError, ConfigError
from brandpulse.store.records import Mention, RunReport
from brandpulse.store.writes import (
    record_run,
    save_state,
    transaction,
    upsert_mentions,
    write_analysis,
)

Notify = Callable[[str], None]


def store_mentions(
    db: Path, config: Config, secrets: Secrets, mentions: Sequence[Mention], report: RunReport
) -> RunReport:
    """Pseudonymise, analyse and write one source's mentions, its cursors and its run record.

    Mentions that match no brand are dropped here (counted as skipped): the database holds
    what is said about the configured brands, not whole feeds.
    """
    key = privacy.author_key(config, secrets)
    kept = privacy.pseudonymise(mentions, key)
    annotations = analysis.annotate(kept, rules_from_config(config, key, db))
    # Mentions matching no brand or in a language not kept are skipped.
    report.skipped += len(kept) - len(annotations.mentions)
    kept = annotations.mentions
    changed: dict[str, bool] = {}
    with write_connection(db) as con, transaction(con):
        report.new, report.updated = upsert_mentions(con, kept, changed)
        _count_per_item(report, kept, changed)
        # Unchanged mentions keep their stored analysis (and dashboard caches stay valid);
        # re-analysing everything after a config change is `brandpulse analyze --rescore`.
        write_analysis(
            con,
            list(changed),
            [b for b in annotations.brands if b.mention_id in changed],
            [c for c in annotations.campaigns if c.mention_id in changed],
            [s for s in annotations.sentiments if s.mention_id in changed],
        )
        save_state(con, report.source, report.state)
        report.ended_at = datetime.now(UTC)
        record_run(con, report)
    return report


def _count_per_item(
    report: RunReport, mentions: Sequence[Mention], changed: dict[str, bool]
) -> None:
    """Fill new/updated on each item's result from the mentions that item yielded."""
    by_item: dict[str, list[int]] = {}
    for mention in mentions:
        if mention.item is not None and mention.id in changed:
            counts = by_item.setdefault(mention.item, [0, 0])
            counts[0 if changed[mention.id] else 1] += 1
    for item in report.items:
        item.new, item.updated = by_item.get(item.name, (0, 0))


def collect_source(
    name: str,
    db: Path,
    config: Config,
    secrets: Secrets,
    debug: bool = False,
    on_progress: Callable[[int, int | None], None] | None = None,
) -> RunReport:
    """Collect one source end to end; every failure ends up on the returned report."""
    report = RunReport(source=name, progress=on_progress)
    mentions: list[Mention] = []
    try:
        module = collectors.load(name)
        settings = config.source_settings(name)
        if settings is None:
            section = module.sections[0].header
            raise ConfigError(f"source {name!r} is not configured", f"add {section} to the config")
        state = load_state(db, name)
        client = module.open_client(settings, secrets.for_source(module))
        mentions = list(module.collect(settings, config.terms, state, client, report))
    except BrandpulseError as exc:
        report.error(str(exc))
    except Exception as exc:  # a bug in one source must not cost the others their run
        report.error(f"unexpected {type(exc).__name__}: {exc}")
        if debug:  # --debug: the traceback too, while the other sources still run
            traceback.print_exc()
    return store_mentions(db, config, secrets, mentions, report)


def load_state(db: Path, source: str) -> dict[str, object]:
    """Return the cursors the previous run of `source` saved (empty on a new database)."""
    if not db.exists():
        return {}
    with read_connection(db) as con:
        return queries.source_state(con, source)


def collect(
    db: Path,
    config: Config,
    secrets: Secrets,
    sources: Sequence[str] | None = None,
    notify: Notify | None = None,
    debug: bool = False,
) -> list[RunReport]:
    """Collect every configured source (or those named) under the collection lock."""
    names = list(sources or config.sources)
    reports = []
    with collection_lock(db):
        for name in names:
            if notify:
                notify(f"collecting {name}...")
            with progress.bar(f"collecting {name}") as on_progress:
                report = collect_source(name, db, config, secrets, debug, on_progress)
            if notify:
                notify(summary(report))
            reports.append(report)
    return reports


def summary(report: RunReport) -> str:
    """Return the one-line account of a run that cron mails and people read."""
    line = (
        f"{report.source}: {report.status}, fetched {report.fetched}, new {report.new},"
        f" updated {report.updated}, skipped {report.skipped}, errors {len(report.errors)}"
    )
    return "\n".join([line, *(f"  error: {e}" for e in report.errors)])
