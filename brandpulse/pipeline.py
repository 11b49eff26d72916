"""Wire one collection: each source's mentions are analysed and written in bounded batches.

A failing source is recorded on its run and never stops the others. Nothing collected is
thrown away: what cannot be written (the database stayed busy, the run was interrupted)
goes to the outbox beside the database and is written first by the next run.
"""

from __future__ import annotations

import contextlib
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from brandpulse import analysis, collectors, deletions, privacy, progress, redact
from brandpulse import relevance as relevance_step
from brandpulse.analysis.terms import stored_terms
from brandpulse.config import Config, Secrets
from brandpulse.copies import group_on as group_copies
from brandpulse.rules import rules_from_config
from brandpulse.store import queries, spill, term_cache
from brandpulse.store.backend import database_exists, retry_conflicts, source_lock, sources_lock
from brandpulse.store.connection import collection_lock, read_connection, write_connection
from brandpulse.store.erasure import Suppressions, load_suppressions
from brandpulse.store.errors import BrandpulseError, ConfigError, StoreBusy
from brandpulse.store.records import ItemResult, Mention, RunReport
from brandpulse.store.relevance import write_relevance
from brandpulse.store.runs import close_abandoned, finish_run, start_run
from brandpulse.store.writes import save_state, transaction, upsert_mentions, write_analysis

Notify = Callable[[str], None]

# Mentions analysed and written at a time: memory stays flat whatever a source yields
# (255k tiny feed entries once took 811 MB when held until one write).
BATCH_SIZE = 5_000
# Starts the warning on a run whose mentions or record wait in the outbox.
HELD_BACK = "kept in the outbox"
# Seconds an interrupted run waits for the database to record that it was interrupted.
INTERRUPT_WRITE_TIMEOUT = 5.0


@dataclass
class Run:
    """What one collection shares across its sources: the database, the suppression list,
    and whether the database already stayed busy (then everything goes to the outbox at
    once instead of waiting out the timeout again)."""

    db: Path
    suppressions: Suppressions = field(default_factory=Suppressions)
    busy: StoreBusy | None = None
    spilled: int = 0
    spill_files: list[Path] = field(default_factory=list)

    @classmethod
    def begin(cls, db: Path, *, close_stale: bool = False) -> tuple[Run, int]:
        """Open the database once (migrating it), read the suppression list, and with
        `close_stale` mark runs a killed process left 'running' as interrupted."""
        run = cls(db)
        stale = 0
        try:
            if close_stale:

                def attempt() -> int:
                    with write_connection(db) as con, transaction(con):
                        return close_abandoned(con)

                stale = retry_conflicts(db, attempt)
            with write_connection(db) as con:
                run.suppressions = load_suppressions(con)
        except StoreBusy as exc:
            # Everything goes to the outbox; the suppression list is applied when it is written.
            run.busy = exc
        return run, stale


class _Writer:
    """Admit, analyse and write one source's mentions batch by batch, spilling when busy."""

    def __init__(self, run: Run, config: Config, secrets: Secrets, report: RunReport) -> None:
        self.run = run
        self.report = report
        self.key = privacy.author_key(config, secrets)
        self.rules = rules_from_config(config, self.key, run.db)
        self.floor = privacy.retention_floor(
            config.privacy.retention_days, run.suppressions.floor, datetime.now(UTC)
        )
        self.by_item: dict[str, list[int]] = {}
        self.dropped = 0
        self.spilled = 0
        self.config = config
        self.relevance: tuple[Any, Any] | None = None  # models and marks, read once per run

    def prepare(
        self, mentions: Iterable[Mention], pseudonymised: bool
    ) -> tuple[list[Mention], Any]:
        """Drop suppressed and unmatched mentions; return the rest with their analysis.

        Mentions that match no brand or are in a language not kept are dropped here (counted
        as skipped): the database holds what is said about the configured brands.
        """
        kept, dropped = privacy.admit(mentions, self.run.suppressions, self.floor)
        self.dropped += dropped
        self.report.skipped += dropped
        if not pseudonymised:
            kept = privacy.pseudonymise(kept, self.key)
        annotations = analysis.annotate(kept, self.rules)
        # Mentions matching no brand or in a language not kept are skipped.
        self.report.skipped += len(kept) - len(annotations.mentions)
        return annotations.mentions, annotations

    def store(self, kept: list[Mention], annotations: Any) -> None:
        """Write one batch in one short transaction (raises StoreBusy when it cannot)."""
        if not kept:
            return
        if self.relevance is None:
            # Trained from the marks before the write connection opens (it stays short).
            self.relevance = relevance_step.load_models(self.run.db, self.config)
        models, marked = self.relevance

        def attempt() -> tuple[int, int, dict[str, bool]]:
            changed: dict[str, bool] = {}
            with write_connection(self.run.db) as con, transaction(con):
                new, updated = upsert_mentions(con, kept, changed)
                # Unchanged mentions keep their stored analysis (and dashboard caches stay
                # valid); re-analysing after a config change is `brandpulse analyze --rescore`.
                fresh = [b for b in annotations.brands if b.mention_id in changed]
                write_analysis(
                    con,
                    list(changed),
                    fresh,
                    [c for c in annotations.campaigns if c.mention_id in changed],
                    [s for s in annotations.sentiments if s.mention_id in changed],
                )
                write_relevance(con, relevance_step.score(models, marked, kept, fresh))
                group_copies(con, [m for m in kept if m.id in changed])
                # The sampled ones' terms, for emerging terms (store/term_cache.py).
                term_cache.store(con, stored_terms, "SELECT unnest(?::VARCHAR[])", [list(changed)])
            return new, updated, changed

        # On a lake, the sources' writers take turns (before the transaction begins), so the
        # check for stored ids in the upsert cannot race another writer's insert.
        with sources_lock(self.run.db, {m.source for m in kept}):
            new, updated, changed = retry_conflicts(self.run.db, attempt)
        self.report.new += new
        self.report.updated += updated
        for mention in kept:
            if mention.item is not None and mention.id in changed:
                counts = self.by_item.setdefault(mention.item, [0, 0])
                counts[0 if changed[mention.id] else 1] += 1

    def write(self, mentions: list[Mention]) -> None:
        """Write one batch of collected mentions, or keep it in the outbox if that fails."""
        kept, annotations = self.prepare(mentions, pseudonymised=False)
        if self.run.busy is not None:
            self.spill(kept)
            return
        try:
            self.store(kept, annotations)
        except StoreBusy as exc:
            self.run.busy = exc
            self.spill(kept)
        except Exception as exc:
            self.spill(kept)
            self.report.error(f"could not write {len(kept)} mentions: {exc}")
        except BaseException:  # interrupted mid-write: the transaction rolled back
            self.spill(kept)
            raise

    def spill(self, kept: list[Mention]) -> None:
        """Keep mentions (pseudonymised, matched) in the outbox for the next run."""
        if not kept:
            return
        path = spill.spill_mentions(self.run.db, self.report.source, kept)
        self.spilled += len(kept)
        self.run.spilled += len(kept)
        self.run.spill_files.append(path)

    def fill_items(self) -> None:
        """Fill new/updated on each item's result from the mentions that item yielded."""
        for item in self.report.items:
            item.new, item.updated = self.by_item.get(item.name, (0, 0))


def _finish(
    run: Run, writer: _Writer, run_id: int | None, *, save: bool, timeout: float | None
) -> None:
    """Save cursors and the run record together, or keep them in the outbox."""
    report = writer.report
    writer.fill_items()
    if writer.dropped:
        report.warnings.append(
            f"{writer.dropped} mentions not stored: erased earlier by forget/prune,"
            " or older than the retention window"
        )
    if writer.spilled:
        report.warnings.append(
            f"{HELD_BACK}: {writer.spilled} mentions could not be written (database busy or"
            f" run interrupted); they wait in {spill.outbox_dir(run.db)} and the next collect"
            " writes them first"
        )
    report.ended_at = datetime.now(UTC)
    if run.busy is None:

        def attempt() -> None:
            with write_connection(run.db, timeout=timeout) as con, transaction(con):
                if save:
                    save_state(con, report.source, report.state)
                finish_run(con, report, run_id)

        try:
            retry_conflicts(run.db, attempt)
            return
        except StoreBusy as exc:
            run.busy = exc
    if not writer.spilled:
        report.warnings.append(
            f"{HELD_BACK}: this run's record and cursors wait in {spill.outbox_dir(run.db)}"
        )
    spill.spill_run(run.db, report.source, _record(report, run_id, report.state if save else {}))


def _record(report: RunReport, run_id: int | None, state: dict[str, Any]) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "source": report.source,
        "started_at": report.started_at.isoformat(),
        "ended_at": (report.ended_at or datetime.now(UTC)).isoformat(),
        "status": report.status,
        "fetched": report.fetched,
        "new": report.new,
        "updated": report.updated,
        "skipped": report.skipped,
        "errors": report.errors,
        "warnings": report.warnings,
        "items": [vars(item) for item in report.items],
        "state": state,
    }


def _report(record: dict[str, Any]) -> RunReport:
    report = RunReport(
        source=str(record["source"]),
        started_at=datetime.fromisoformat(record["started_at"]),
        ended_at=datetime.fromisoformat(record["ended_at"]),
        fetched=int(record["fetched"]),
        new=int(record["new"]),
        updated=int(record["updated"]),
        skipped=int(record["skipped"]),
        errors=list(record["errors"]),
        warnings=list(record["warnings"]),
        items=[ItemResult(**item) for item in record["items"]],
        state=dict(record["state"]),
    )
    if record["status"] in ("interrupted", "refused"):
        report.outcome = record["status"]
    return report


def store_mentions(
    db: Path, config: Config, secrets: Secrets, mentions: Sequence[Mention], report: RunReport
) -> RunReport:
    """Pseudonymise, analyse and write one source's mentions, its cursors and its run record."""
    run, _ = Run.begin(db)
    writer = _Writer(run, config, secrets, report)
    for start in range(0, len(mentions), BATCH_SIZE):
        writer.write(list(mentions[start : start + BATCH_SIZE]))
    _finish(run, writer, None, save=True, timeout=None)
    return report


def collect_source(
    name: str,
    db: Path,
    config: Config,
    secrets: Secrets,
    debug: bool = False,
    on_progress: Callable[[int, int | None], None] | None = None,
    run: Run | None = None,
    batch_size: int = BATCH_SIZE,
) -> RunReport:
    """Collect one source end to end, writing every `batch_size` mentions; every failure
    ends up on the returned report."""
    run = run or Run.begin(db)[0]
    report = RunReport(source=name, progress=on_progress)
    writer = _Writer(run, config, secrets, report)
    run_id = None
    if run.busy is None:
        try:

            def attempt() -> int:
                with write_connection(db) as con:
                    return start_run(con, report)

            run_id = retry_conflicts(db, attempt)
        except StoreBusy as exc:
            run.busy = exc
    batch: list[Mention] = []
    known = list(secrets.values())  # scrubbed from the run's messages, in every form
    try:
        try:
            module = collectors.load(name)
            settings = config.source_settings(name)
            if settings is None:
                section = module.sections[0].header
                raise ConfigError(
                    f"source {name!r} is not configured", f"add {section} to the config"
                )
            state = load_state(run, report)
            client = module.open_client(settings, secrets.for_source(module))
            # Credentials the client found elsewhere (PRAW's praw.ini) are secrets too.
            known += getattr(module, "secret_values", lambda _client: ())(client)
            for mention in module.collect(settings, config.terms, state, client, report):
                batch.append(mention)
                if len(batch) >= batch_size:
                    full, batch = batch, []
                    writer.write(full)
            # Stored items deleted upstream are erased (earlier batches of this run too),
            # and the batch still in memory is kept free of them.
            gone = deletions.erase_deleted_upstream(db, name, module, settings, client, report)
            batch = [m for m in batch if m.native_id not in gone]
        except BrandpulseError as exc:
            report.error(str(exc))
        except Exception as exc:  # a bug in one source must not cost the others their run
            report.error(f"unexpected {type(exc).__name__}: {exc}")
            if debug:  # --debug: the traceback too, while the other sources still run
                traceback.print_exc()
        # Mentions collected before a failure are written too. Cursors are saved only at
        # the end, so a rerun after a failed batch fetches again; the upsert makes that safe.
        full, batch = batch, []
        writer.write(full)
    except BaseException as exc:  # Ctrl-C or SIGTERM: keep what was collected, say so
        writer.spill(writer.prepare(batch, pseudonymised=False)[0])
        report.outcome = "interrupted"
        report.error(f"interrupted ({exc or type(exc).__name__}) before the run finished")
        redact.scrub_report(report, known)
        _finish(run, writer, run_id, save=False, timeout=INTERRUPT_WRITE_TIMEOUT)
        raise
    # Before the run is stored (status, dashboard) or printed (summary): an error body may
    # echo the request, e.g. a token endpoint answering with `Basic <base64 of id:secret>`.
    redact.scrub_report(report, known)
    _finish(run, writer, run_id, save=True, timeout=None)
    return report


def load_state(run: Run, report: RunReport) -> dict[str, object]:
    """Return the cursors the previous run of a source saved (empty on a new database).

    When the database stays busy the source is fetched in full instead: the upsert makes
    that harmless, and losing a run to a busy dashboard is not.
    """
    if not database_exists(run.db) or run.busy is not None:
        return {}
    try:
        with read_connection(run.db) as con:
            return queries.source_state(con, report.source)
    except StoreBusy:
        report.warnings.append("database busy: cursors not read, fetched everything")
        return {}


def drain_outbox(
    run: Run, config: Config, secrets: Secrets, notify: Notify | None, *, with_state: bool
) -> None:
    """Write what earlier runs kept in the outbox: run records, then mentions.

    Run records that carry cursors are written only `with_state` (at the start of a
    collection, before newer cursors exist); refused runs carry none and go in any time.
    """
    if run.busy is not None:
        return
    written_runs = 0
    for path in spill.pending(run.db, ".json"):
        record = spill.read_run(path)
        if record.get("state") and not with_state:
            continue
        report = _report(record)
        try:
            with write_connection(run.db) as con, transaction(con):
                save_state(con, report.source, report.state)
                finish_run(con, report, record.get("run_id"))
        except StoreBusy as exc:
            run.busy = exc
            return
        spill.remove(path)
        written_runs += 1
    if not with_state:
        return
    for path in spill.pending(run.db, ".parquet"):
        if path in run.spill_files:
            continue
        mentions = spill.read_mentions(path)
        report = RunReport(source="outbox")
        writer = _Writer(run, config, secrets, report)
        try:
            writer.store(*writer.prepare(mentions, pseudonymised=True))
        except StoreBusy as exc:
            run.busy = exc
            return
        spill.remove(path)
        if notify:
            notify(
                f"outbox: wrote {len(mentions)} mentions an earlier run could not write"
                f" (new {report.new}, updated {report.updated}, not stored {report.skipped})"
            )


def collect(
    db: Path,
    config: Config,
    secrets: Secrets,
    sources: Sequence[str] | None = None,
    notify: Notify | None = None,
    debug: bool = False,
    batch_size: int = BATCH_SIZE,
) -> list[RunReport]:
    """Collect every configured source (or those named) under the collection lock.

    A run refused because another holds the lock is kept as a 'refused' record in the
    outbox, and the run holding the lock writes it when it ends.
    """
    names = list(sources or config.sources)
    reports: list[RunReport] = []
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(collection_lock(db))
        except StoreBusy as exc:
            for name in names:
                refused = RunReport(source=name, outcome="refused")
                refused.error(exc.message)
                spill.spill_run(db, name, _record(refused, None, {}))
            raise
        run, stale = Run.begin(db, close_stale=True)
        if stale and notify:
            notify(f"marked {stale} earlier runs as interrupted: they stopped without finishing")
        drain_outbox(run, config, secrets, notify, with_state=True)
        for name in names:
            if notify:
                notify(f"collecting {name}...")
            # On a lake, collections of other sources run meanwhile; one of the same source
            # (on any machine) is waited for here.
            with source_lock(db, name), progress.bar(f"collecting {name}") as on_progress:
                report = collect_source(
                    name, db, config, secrets, debug, on_progress, run=run, batch_size=batch_size
                )
            if notify:
                notify(summary(report))
            reports.append(report)
        drain_outbox(run, config, secrets, notify, with_state=False)
        if run.busy is not None and notify:
            notify(
                f"database busy: {run.spilled} collected mentions kept in"
                f" {spill.outbox_dir(db)}; the next `brandpulse collect` writes them first"
                f" ({run.busy.message})"
            )
    return reports


def held_back(report: RunReport) -> bool:
    """Return True when some of a run's mentions or its record wait in the outbox."""
    return any(w.startswith(HELD_BACK) for w in report.warnings)


def summary(report: RunReport) -> str:
    """Return the one-line account of a run that cron mails and people read."""
    line = (
        f"{report.source}: {report.status}, fetched {report.fetched}, new {report.new},"
        f" updated {report.updated}, skipped {report.skipped}, errors {len(report.errors)}"
    )
    erased = sum(i.facts.get("erased", 0) for i in report.items if i.name == deletions.TARGET)
    if erased:
        line += f", erased {erased} deleted upstream"
    return "\n".join([line, *(f"  error: {e}" for e in report.errors)])
