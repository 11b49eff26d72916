"""Build the demo database from the bundled synthetic corpus, through the same code as live runs.

A source with a folder of saved API answers beside the demo config (`data/demo/reddit/`)
and a `mentions_from_saved` function has those answers turned into mentions by its own
normaliser, the one live results pass through; every other configured source is collected
as usual (the feeds collector reads the local feed files in `data/demo/feeds/`). All then
meet the same brand matching, sentiment labelling and store writes as a cron collection.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from brandpulse import collectors, pipeline
from brandpulse import relevance as relevance_step
from brandpulse.config import Config, Secrets, load_config
from brandpulse.store import analytics, browse, queries
from brandpulse.store import backend as lake
from brandpulse.store.connection import collection_lock, read_connection, write_connection
from brandpulse.store.errors import BrandpulseError, ConfigError, StoreBusy
from brandpulse.store.records import ItemResult, Mention, RunReport, mention_id
from brandpulse.store.relevance import mark_summary
from brandpulse.store.scope import Scope
from brandpulse.store.writes import save_state, transaction

DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"
DEMO_CONFIG = DEMO_DIR / "brands.toml"
# A database the demo built carries this source_state entry; any other file is never replaced.
MARKER = "demo"
LABELS = ("positive", "negative", "neutral")
# The demo team's relevance marks beside the demo config, applied after loading.
MARKS = "marks.tsv"
MARKED_BY = "demo team"
# Printed after the labels when some mentions are in a language the scorer does not read.
UNSCORED = "unscored"

Notify = Callable[[str], None]


@dataclass(frozen=True)
class BrandCount:
    """One brand's mentions in the demo database and how they were labelled."""

    name: str
    competitor: bool
    mentions: int
    positive: int
    negative: int
    neutral: int


@dataclass
class DemoSummary:
    """What a demo build loaded, read back from the database it wrote."""

    db: Path
    timezone: str
    mentions: int = 0
    first_day: date | None = None
    last_day: date | None = None
    sources: dict[str, int] = field(default_factory=dict)
    brands: list[BrandCount] = field(default_factory=list)
    sentiment: dict[str, int] = field(default_factory=dict)
    campaigns: dict[str, int] = field(default_factory=dict)
    # Per brand with marks or left-out matches: (marks, counted, left out as off-topic).
    relevance: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    reports: list[RunReport] = field(default_factory=list)

    @property
    def days(self) -> int:
        """Return how many calendar days the mentions span, first and last day included."""
        if self.first_day is None or self.last_day is None:
            return 0
        return (self.last_day - self.first_day).days + 1

    def lines(self) -> list[str]:
        """Return the account printed by `brandpulse demo`: totals, then per source and brand."""
        out = [
            f"demo database: {self.db} (synthetic data: every brand, outlet and post is invented)",
            f"mentions: {self.mentions:,}, published {self.first_day} to {self.last_day}"
            f" ({self.days} days, {self.timezone})",
            "by source: "
            + ", ".join(f"{name} {count:,}" for name, count in sorted(self.sources.items())),
            "by brand (a comparison counts for each brand it names):",
        ]
        width = max((len(b.name) for b in self.brands), default=5) + len(" (competitor)")
        for b in self.brands:
            name = f"{b.name} (competitor)" if b.competitor else b.name
            out.append(
                f"  {name:<{width}} {b.mentions:>6,} mentions: {_share(b.positive, b.mentions)}"
                f" positive, {_share(b.negative, b.mentions)} negative,"
                f" {_share(b.neutral, b.mentions)} neutral"
            )
        scored = sum(self.sentiment.get(n, 0) for n in LABELS)
        split = [
            f"{n} {self.sentiment.get(n, 0):,} ({_share(self.sentiment.get(n, 0), scored)})"
            for n in LABELS
        ]
        other = self.sentiment.get(UNSCORED, 0)
        if other:
            split.append(f"{UNSCORED} {other:,} (in a language the scorer does not read)")
        if scored + other < self.mentions:
            split.append(f"no label {self.mentions - scored - other:,}")
        out.append("sentiment: " + ", ".join(split))
        for name, count in sorted(self.campaigns.items()):
            out.append(f"campaign {name!r}: {count:,} mentions use its tracked terms")
        for name, (marks, counted, left_out) in sorted(self.relevance.items()):
            out.append(
                f"relevance {name!r}: {marks:,} marks; {counted:,} mentions counted,"
                f" {left_out:,} left out as not about {name} (see the Review page)"
            )
        for report in self.reports:
            out.append("run " + pipeline.summary(report))
        return out


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "-"


def default_database(config: Config) -> Path:
    """Return where the demo builds its database: the demo config's [settings] database."""
    return config.settings.database.resolve()


def build(
    db: Path | None = None,
    config_path: Path = DEMO_CONFIG,
    secrets: Secrets | None = None,
    notify: Notify | None = None,
    collected_at: datetime | None = None,
) -> DemoSummary:
    """Delete and rebuild the demo database from the corpus beside `config_path`.

    Refuses (ConfigError) to replace a database the demo did not build, so a mistyped
    `--db` cannot erase real collections.
    """
    config = load_config(config_path)
    db = db or default_database(config)
    if not lake.is_lake(db):
        db = db.resolve()
    secrets = secrets or Secrets()  # the demo needs no credentials and reads none
    collected_at = collected_at or datetime.now(UTC)
    say = notify or (lambda _message: None)
    with collection_lock(db):
        _reset(db)
        _mark(db, config_path, collected_at)
        reports = []
        for module in collectors.modules():
            # Saved API answers in a folder named after the source, beside the config.
            folder = Path(config_path).resolve().parent / module.name
            loader = getattr(module, "mentions_from_saved", None)
            if loader is not None and folder.is_dir():
                say(f"loading saved {module.name} answers from {folder}...")
                report = RunReport(source=module.name)
                paths = sorted(folder.glob("*.json"))
                mentions = saved_mentions(loader, paths, collected_at, report)
                pipeline.store_mentions(db, config, secrets, mentions, report)
            elif module.name in config.sources:
                say(f"collecting demo {module.name}...")
                report = pipeline.collect_source(module.name, db, config, secrets)
            else:
                continue
            say(pipeline.summary(report))
            reports.append(report)
        marks = demo_marks(Path(config_path).resolve().parent / MARKS)
        if marks:
            say(f"applying the demo team's {len(marks)} relevance marks...")
            relevance_step.mark(db, config, marks, who=MARKED_BY)
    summary = summarise(db, config)
    summary.reports = reports
    return summary


def demo_marks(path: Path) -> list[tuple[str, str, str]]:
    """Read the demo's marks (source, native id, brand, label) as (mention id, brand, label).

    The file names posts by their source's own id, the way the corpus knows them; the
    mention id is derived from it exactly as collection derives it.
    """
    if not path.is_file():
        return []
    out = []
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    for line in lines:
        if line.strip():
            source, native, brand, label = line.split("\t")
            out.append((mention_id(source, native), brand, label))
    return out


def saved_mentions(
    loader: Callable[[object, datetime], list[Mention]],
    paths: list[Path],
    collected_at: datetime,
    report: RunReport,
) -> list[Mention]:
    """Turn saved API answers into Mentions with a source's own `mentions_from_saved`.

    A file that cannot be read or normalised is recorded on `report` and skipped; each
    file is one item of the run, named after the file.
    """
    mentions: list[Mention] = []
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            found = loader(data, collected_at)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            report.error(f"{path.name}: cannot load this saved answer: {exc}")
            report.items.append(ItemResult(path.name, "file", "error", error=str(exc)))
            continue
        report.fetched += len(found)
        report.items.append(ItemResult(path.name, "file", fetched=len(found)))
        mentions.extend(replace(m, item=path.name) for m in found)
    return mentions


def summarise(db: Path, config: Config) -> DemoSummary:
    """Read back what the demo database holds: totals, sources, brands, sentiment, campaigns."""
    tz = config.settings.timezone
    summary = DemoSummary(db=db, timezone=tz)
    with read_connection(db) as con:
        summary.mentions = int(queries.totals(con)["mentions"])
        by_source = browse.data_freshness(con)
        summary.sources = {str(r.source): int(r.mentions) for r in by_source.itertuples()}
        span = analytics.data_range(con, tz)
        if span is None:
            return summary
        summary.first_day, summary.last_day = span
        competitor = {b.name: b.competitor for b in config.brands}
        names = [b.name for b in config.brands]
        table = analytics.kpis(con, Scope(brands=tuple(names), first=span[0], last=span[1], tz=tz))
        summary.brands = [
            BrandCount(
                name=str(row.brand),
                competitor=competitor.get(str(row.brand), False),
                mentions=int(row.mentions),
                positive=int(row.positive),
                negative=int(row.negative),
                neutral=int(row.neutral),
            )
            for row in table.itertuples()
        ]
        summary.sentiment = {
            label: browse.count_mentions(con, Scope(sentiments=(label,)))
            for label in (*LABELS, UNSCORED)
        }
        summary.campaigns = queries.campaign_mentions(con)
        summary.relevance = {
            str(r.brand): (int(r.marks), int(r.counted), int(r.left_out))
            for r in mark_summary(con).itertuples(index=False)
            if r.marks or r.left_out
        }
    return summary


def is_demo_database(db: Path) -> bool:
    """Return True when `db` was built by the demo (and so may be deleted and rebuilt)."""
    try:
        with read_connection(db) as con:
            return bool(queries.source_state(con, MARKER))
    except StoreBusy:
        raise
    except (BrandpulseError, duckdb.Error):  # not a brandpulse database at all: never ours
        return False


def _reset(db: Path) -> None:
    if lake.is_lake(db):
        # A lake is set up by `brandpulse lake init`; the demo only empties a demo lake.
        if is_demo_database(db):
            lake.clear(db)
        else:
            with read_connection(db) as con:
                if queries.totals(con)["mentions"]:
                    raise ConfigError(
                        f"the lake {db} holds mentions the demo did not load; it will not"
                        " replace them",
                        "give --db a new, initialised lake (`brandpulse lake init`)",
                    )
        return
    if db.exists():
        if not is_demo_database(db):
            raise ConfigError(
                f"{db} exists and was not built by `brandpulse demo`; the demo will not replace it",
                "pass another path with --db, or delete that file yourself if it is disposable",
            )
        db.unlink()
    Path(f"{db}.wal").unlink(missing_ok=True)


def _mark(db: Path, config_path: Path, built_at: datetime) -> None:
    # Written first, so that a build interrupted halfway is still recognised and rebuilt.
    with write_connection(db) as con, transaction(con):
        save_state(
            con,
            MARKER,
            {"built_at": built_at.isoformat(timespec="seconds"), "config": str(config_path)},
        )
