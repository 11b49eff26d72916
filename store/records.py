"""Records that cross layers: the Mention every collector yields, and analysis and run results."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

# Kept in one place so that a mention re-collected through another path gets the same id.
ID_BYTES = 10


def mention_id(namespace: str, native_id: str) -> str:
    """Derive the stable id of a mention from its collector namespace and native id.

    For example `mention_id("reddit", "t3_abc")` is "reddit-" plus 20 hex characters, the
    same on every run, so re-collecting a post updates it instead of adding it again.
    """
    # valid_text: an id holding half an emoji hashes as the native id that is stored.
    key = f"{namespace}\x1f{valid_text(native_id)}"
    digest = hashlib.blake2b(key.encode(), digest_size=ID_BYTES)
    return f"{namespace}-{digest.hexdigest()}"


def valid_text(value: str) -> str:
    """Return `value` storable as UTF-8: a lone UTF-16 surrogate becomes U+FFFD.

    JSON allows escapes such as "\\ud83d" alone (an emoji cut in half by a truncating
    API), Python decodes them as lone surrogates, and Arrow and DuckDB refuse those: one
    such character would cost its whole batch. Surrogate pairs are joined into the
    character they encode.
    """
    if value.isascii():
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return value


@dataclass(frozen=True, slots=True)
class Mention:
    """One post, comment or article as every collector yields it and the store keeps it.

    `published_at` and `collected_at` are timezone-aware UTC datetimes; `text` is plain
    text (markup stripped); `extra` holds source-specific fields (subreddit, feed title,
    language, flags) and must be JSON-serialisable. `item` names the run's item (feed,
    search) that yielded it, so the run can count new and updated mentions per item; it is
    not stored and not compared.
    """

    id: str
    source: str
    native_id: str
    url: str | None
    author: str | None
    title: str
    text: str
    published_at: datetime
    collected_at: datetime
    score: int | None = None
    comments: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    item: str | None = field(default=None, compare=False)
    # ISO 639-1 code detected at collection ("en", "es"), None when unknown.
    language: str | None = None

    def __post_init__(self) -> None:
        for name in ("native_id", "url", "author", "title", "text"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, valid_text(value))
        for name in ("published_at", "collected_at"):
            value = getattr(self, name)
            if value.tzinfo is None or value.utcoffset() is None:
                raise ValueError(f"Mention.{name} must be timezone-aware, got {value!r}")
            if value.utcoffset().total_seconds() != 0:
                object.__setattr__(self, name, value.astimezone(UTC))


@dataclass
class ItemResult:
    """What one item of a run (a feed, a subreddit search, an instance) gave.

    `name` is how status shows the item and what `Mention.item` holds on its mentions;
    `kind` is the source's word for it ("feed", "subreddit"); `status` is ok, error,
    skipped or not_modified; `facts` holds source-specific figures (HTTP status, bytes,
    cursor) shown beside the counts. `new` and `updated` are filled by the store write.
    """

    name: str
    kind: str
    status: str = "ok"
    fetched: int = 0
    new: int = 0
    updated: int = 0
    skipped: int = 0
    error: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        """Return the item as one flat JSON-ready row: counts first, then its facts."""
        core = {k: v for k, v in vars(self).items() if k != "facts"}
        return {**core, **{k: v for k, v in self.facts.items() if k not in core}}


@dataclass
class RunReport:
    """What one source's collection did: filled by the collector, completed by the store write.

    `state` is the cursor/ETag map the collector wants saved for its next run; `items`
    holds one result per item (feed, subreddit search) shown by status and health.
    """

    source: str
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    ended_at: datetime | None = None
    fetched: int = 0
    new: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)
    items: list[ItemResult] = field(default_factory=list)
    # Set when the run did not get to finish on its own: "interrupted" or "refused".
    outcome: str | None = None
    # Set by the front door when a person is watching; collectors call advance().
    progress: Callable[[int, int | None], None] | None = field(
        default=None, repr=False, compare=False
    )

    def advance(self, done: int, total: int | None = None) -> None:
        """Report how many items (feeds, queries) are done out of `total`; silent under cron."""
        if self.progress is not None:
            self.progress(done, total)

    @property
    def status(self) -> str:
        """Return ok, partial (some items failed) or failed (nothing fetched and errors).

        A run stopped from outside is "interrupted"; one that never started because
        another collection held the lock is "refused".
        """
        if self.outcome:
            return self.outcome
        if not self.errors:
            return "ok"
        return "failed" if self.fetched == 0 else "partial"

    def error(self, message: str) -> None:
        """Record an error message without stopping the run."""
        self.errors.append(message)


@dataclass(frozen=True, slots=True)
class BrandMatch:
    """A mention matched a brand's query; `term` is the query term that caught it."""

    mention_id: str
    brand: str
    term: str | None


@dataclass(frozen=True, slots=True)
class CampaignMatch:
    """A mention fell in a campaign's window and used one of its tracked terms."""

    mention_id: str
    campaign: str
    term: str | None


@dataclass(frozen=True, slots=True)
class SentimentLabel:
    """A scorer's verdict: `score` decided the label; `whole_score` is the full text's score.

    `confidence` is the model's probability of its label (None for VADER and unscored ones).
    """

    mention_id: str
    label: str
    score: float
    whole_score: float | None
    scorer: str
    scorer_version: str
    confidence: float | None = None


@dataclass(frozen=True, slots=True)
class RelevanceScore:
    """How likely a brand match is about the brand; `counted` says whether trends include it."""

    mention_id: str
    brand: str
    score: float
    counted: bool
    version: str


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """A mention's MinHash signature and band keys, to find copies of the same story."""

    mention_id: str
    signature: tuple[int, ...]
    bands: tuple[int, ...]
