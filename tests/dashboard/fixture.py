"""A small, fully known database for the dashboard tests, written through the real pipeline.

Every mention is generated here with the label its wording should get, so tests can compute
the numbers a page must show straight from `SPEC`, without the dashboard's or the store's
aggregate code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from brandpulse.store.connection import write_connection
from brandpulse.store.records import Mention, RunReport, mention_id
from brandpulse.store.writes import record_run

from brandpulse.config import Config, Secrets, load_config
from brandpulse.pipeline import store_mentions

TZ = "America/New_York"
LAST_DAY = date(2026, 6, 30)
DAYS = 60
FIRST_DAY = LAST_DAY - timedelta(days=DAYS - 1)
CAMPAIGN = ("Summer push", LAST_DAY - timedelta(days=19), LAST_DAY - timedelta(days=10))
SPIKE_DAY = LAST_DAY - timedelta(days=4)
COLLECTED = datetime(2026, 7, 1, 6, 0, tzinfo=UTC)
# Local hours cycle through late evening, so that some mentions fall on the next UTC day.
HOURS = (1, 9, 13, 22, 23)
SOURCES = ("reddit", "news", "blog")
THINGS = ("phone", "laptop", "tablet", "watch")

CONFIG = f"""
[settings]
database = "fixture.duckdb"
timezone = "{TZ}"

[[brands]]
name = "Acme"
query = "acme OR #acme"

[[competitors]]
name = "Globex"
query = "globex"

[[campaigns]]
name = "{CAMPAIGN[0]}"
brand = "Acme"
start = {CAMPAIGN[1].isoformat()}
end = {CAMPAIGN[2].isoformat()}
terms = ["#AcmeSummer"]

[[feeds]]
url = "feeds/none.xml"
kind = "news"
"""

TEXTS = {
    "positive": "I love {b}! The {t} is great and works wonderfully.",
    "negative": "{b} is terrible. The {t} broke and support was awful.",
    "neutral": "{b} published the {t} specifications on its website.",
    "both": "{b} and {c} both make a good {t}, I like them.",
    "campaign": "Loving the #AcmeSummer deals from {b}, excellent prices!",
    "spike": "{b} recall: the {t} overheats, this is terrible and dangerous.",
}


@dataclass(frozen=True)
class Item:
    """One generated mention and what the tests expect of it."""

    mention: Mention
    brands: tuple[str, ...]
    label: str
    day: date  # local day in TZ
    campaign: bool = False


def _mention(n: int, day: date, kind: str, brand: str, other: str = "") -> tuple[Mention, str]:
    hour = HOURS[n % len(HOURS)]
    local = datetime.combine(day, time(hour, n % 60), tzinfo=ZoneInfo(TZ))
    source = SOURCES[n % len(SOURCES)]
    thing = THINGS[n % len(THINGS)]
    text = TEXTS[kind].format(b=brand, c=other, t=thing)
    extra: dict[str, object] = {}
    if source == "reddit":
        extra["subreddit"] = ("gadgets", "technology", "android")[n % 3]
        url = f"https://www.reddit.com/r/{extra['subreddit']}/comments/{n}/"
    else:
        extra["domain"] = ("example.com", "news.example.org", "blog.example.net")[n % 3]
        extra["feed_title"] = f"{extra['domain']} feed"
        url = f"https://{extra['domain']}/story/{n}"
    mention = Mention(
        id=mention_id("fixture", str(n)),
        source=source,
        native_id=str(n),
        url=url,
        author=f"user{n % 6}",
        title=f"{brand} {thing} report",
        text=text,
        published_at=local.astimezone(UTC),
        collected_at=COLLECTED,
        score=n % 17,
        comments=n % 5,
        extra=extra,
    )
    label = {"both": "positive", "campaign": "positive", "spike": "negative"}.get(kind, kind)
    return mention, label


def build_spec() -> list[Item]:
    """Return every mention of the fixture with its brands, expected label and local day."""
    items: list[Item] = []
    n = 0

    def add(day: date, kind: str, brand: str, other: str = "", campaign: bool = False) -> None:
        nonlocal n
        n += 1
        mention, label = _mention(n, day, kind, brand, other)
        brands = (brand, other) if other else (brand,)
        items.append(Item(mention, tuple(sorted(brands)), label, day, campaign))

    for i in range(DAYS):
        day = FIRST_DAY + timedelta(days=i)
        for _ in range(2 + i % 3):
            add(day, "positive", "Acme")
        for _ in range(1 + i % 2):
            add(day, "negative", "Acme")
        add(day, "neutral", "Acme")
        add(day, "positive", "Globex")
        for _ in range(i % 3):
            add(day, "negative", "Globex")
        for _ in range(1 + i % 2):
            add(day, "neutral", "Globex")
        if i % 5 == 0:
            add(day, "both", "Acme", "Globex")
        if CAMPAIGN[1] <= day <= CAMPAIGN[2]:
            for _ in range(4):
                add(day, "campaign", "Acme", campaign=True)
        if day == SPIKE_DAY:
            for _ in range(25):
                add(day, "spike", "Acme")
    # Hostile stored values: markup in the title and a javascript: link must stay inert.
    n += 1
    hostile, _ = _mention(n, LAST_DAY, "positive", "Acme")
    hostile = Mention(
        **{
            **{f: getattr(hostile, f) for f in hostile.__slots__},  # type: ignore[attr-defined]
            "title": "<b>Acme</b> <script>alert('x')</script> **bold**",
            "url": "javascript:alert(1)",
        }
    )
    items.append(Item(hostile, ("Acme",), "positive", LAST_DAY))
    return items


SPEC = build_spec()


def write_config(folder: Path) -> Path:
    """Write the fixture's brands.toml into `folder` and return its path."""
    path = folder / "brands.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def build(folder: Path) -> tuple[Path, Path, Config]:
    """Write config and database into `folder` through the pipeline; return both paths."""
    config_path = write_config(folder)
    config = load_config(config_path)
    db = config.settings.database
    report = RunReport(source="feeds", started_at=COLLECTED, fetched=len(SPEC))
    store_mentions(db, config, Secrets(), [item.mention for item in SPEC], report)
    with write_connection(db) as con:
        for _ in range(3):
            failed = RunReport(source="reddit", started_at=COLLECTED, ended_at=COLLECTED)
            failed.error("reddit: 401 invalid token")
            record_run(con, failed)
    return config_path, db, config
