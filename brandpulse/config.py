"""Read brands.toml once into frozen dataclasses; every mistake is named with its file and line.

Secrets never live in the file: Reddit credentials come from REDDIT_CLIENT_ID and
REDDIT_CLIENT_SECRET (or PRAW's own praw.ini), the author-hashing key from
BRANDPULSE_AUTHOR_KEY.
"""

from __future__ import annotations

import os
import re
import tomllib
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from brandpulse.store.errors import ConfigError

DEFAULT_CONFIG = "brands.toml"
DEFAULT_DATABASE = "data/brandpulse.duckdb"
CONFIG_ENV = "BRANDPULSE_CONFIG"
DATABASE_ENV = "BRANDPULSE_DB"
AUTHOR_KEY_ENV = "BRANDPULSE_AUTHOR_KEY"
REDDIT_ID_ENV = "REDDIT_CLIENT_ID"
REDDIT_SECRET_ENV = "REDDIT_CLIENT_SECRET"
USER_AGENT = "brandpulse/0.1 (brand social listening; +https://github.com/brandpulse/brandpulse)"


@dataclass(frozen=True)
class Settings:
    database: Path = Path(DEFAULT_DATABASE)
    timezone: str = "UTC"
    positive_threshold: float = 0.05
    negative_threshold: float = -0.05


@dataclass(frozen=True)
class Privacy:
    hash_authors: bool = False


@dataclass(frozen=True)
class Brand:
    name: str
    query: str | None = None
    keywords: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    exclude_sites: tuple[str, ...] = ()
    exclude_subreddits: tuple[str, ...] = ()
    exclude_authors: tuple[str, ...] = ()
    competitor: bool = False

    @property
    def search_terms(self) -> tuple[str, ...]:
        """Return the terms sent to search APIs: keywords, then aliases, else the name."""
        return (*self.keywords, *self.aliases) or (self.name,)


@dataclass(frozen=True)
class Campaign:
    name: str
    brand: str
    start: date
    end: date
    terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Feed:
    url: str
    name: str | None = None
    kind: str = "news"  # news or blog: the `source` of its mentions

    @property
    def templated(self) -> bool:
        """Return True for a search feed whose URL takes each brand's query."""
        return "{query}" in self.url


@dataclass(frozen=True)
class Fetch:
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    retries: int = 3
    # Fetching is waiting on the network, so 16 at once (Scrapy's default too); per_host
    # keeps each site from seeing more than 2 of our requests at a time.
    concurrency: int = 16
    per_host: int = 2
    user_agent: str = USER_AGENT
    backoff: float = 1.0  # seconds before the first retry; doubles each time
    max_retry_wait: float = 60.0  # a longer Retry-After gives up on the feed for this run


@dataclass(frozen=True)
class Reddit:
    enabled: bool = True
    subreddits: tuple[str, ...] = ("all",)
    owned_subreddits: tuple[str, ...] = ()
    comment_subreddits: tuple[str, ...] = ()
    sort: str = "new"
    time_filter: str = "week"
    backfill_limit: int = 500
    comments: bool = True
    comment_depth: int = 2
    replace_more_limit: int = 0
    user_agent: str = USER_AGENT
    oauth_url: str = "https://oauth.reddit.com"
    reddit_url: str = "https://www.reddit.com"
    timeout: float = 16.0
    page_size: int = 100
    max_comment_threads: int = 50
    comment_revisit_hours: int = 6


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    settings: Settings = field(default_factory=Settings)
    privacy: Privacy = field(default_factory=Privacy)
    brands: tuple[Brand, ...] = ()
    campaigns: tuple[Campaign, ...] = ()
    reddit: Reddit | None = None
    feeds: tuple[Feed, ...] = ()
    fetch: Fetch = field(default_factory=Fetch)

    @property
    def own_brands(self) -> tuple[Brand, ...]:
        return tuple(b for b in self.brands if not b.competitor)

    @property
    def competitors(self) -> tuple[Brand, ...]:
        return tuple(b for b in self.brands if b.competitor)

    @property
    def sources(self) -> tuple[str, ...]:
        """Return the names of the configured collectors, in collection order."""
        names = []
        if self.feeds:
            names.append("feeds")
        if self.reddit is not None and self.reddit.enabled:
            names.append("reddit")
        return tuple(names)


@dataclass(frozen=True)
class Secrets:
    """Values read from the environment by the front door and handed down as plain values."""

    reddit_client_id: str | None = None
    reddit_client_secret: str | None = None
    author_key: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Secrets:
        env = os.environ if env is None else env
        return cls(
            reddit_client_id=env.get(REDDIT_ID_ENV) or None,
            reddit_client_secret=env.get(REDDIT_SECRET_ENV) or None,
            author_key=env.get(AUTHOR_KEY_ENV) or None,
        )

    def __repr__(self) -> str:  # never print a secret, even in a traceback
        shown = {k: ("<set>" if v else None) for k, v in vars(self).items()}
        return f"Secrets({shown})"


T = TypeVar("T")


class _Reader:
    """Typed access to one TOML table that knows where in the file each key sits."""

    def __init__(self, source: _Source, table: Mapping[str, Any], where: str, header: int) -> None:
        self.source = source
        self.table = table
        self.where = where  # "[reddit]" or "[[brands]] #2"
        self.header = header  # line of the table header, 0 for the top level
        self.used: set[str] = set()

    def fail(self, key: str | None, expected: str, got: Any = None) -> ConfigError:
        line = self.source.line_of(key, self.header) if key else self.header
        what = f"{self.where} key '{key}'" if key else self.where
        got_text = "" if got is None else f", got {got!r}"
        return ConfigError(
            f"{self.source.path}:{line}: {what}: expected {expected}{got_text}",
            f"edit {self.source.path} line {line}; `brandpulse init --print` shows a valid example",
        )

    def get(self, key: str, kind: type[T], default: T, expected: str) -> T:
        self.used.add(key)
        if key not in self.table:
            return default
        value = self.table[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(key, expected, value)
        return value

    def required_str(self, key: str) -> str:
        value = self.get(key, str, "", "a non-empty string")
        if not value.strip():
            raise self.fail(key, "a non-empty string", value if key in self.table else None)
        return value.strip()

    def optional_str(self, key: str, expected: str = "a string") -> str | None:
        """Return a string key's stripped value, or None when it is absent or blank."""
        return self.get(key, str, "", expected).strip() or None

    def strings(self, key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        value = self.get(key, list, list(default), "a list of strings")
        if not all(isinstance(item, str) and item.strip() for item in value):
            raise self.fail(key, "a list of non-empty strings", value)
        return tuple(item.strip() for item in value)

    def date(self, key: str) -> date:
        self.used.add(key)
        value = self.table.get(key)
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise self.fail(key, "a date like 2026-05-01", value)

    def reject_unknown(self) -> None:
        for key in self.table:
            if key not in self.used:
                known = ", ".join(sorted(self.used))
                raise self.fail(key, f"one of the known keys ({known}); this key is unknown")


class _Source:
    """The config file's text, for turning a key back into a line number."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def header_line(self, name: str, index: int = 0, array: bool = False) -> int:
        pattern = re.compile(
            rf"^\s*\[\[\s*{re.escape(name)}\s*\]\]"
            if array
            else rf"^\s*\[\s*{re.escape(name)}\s*\]"
        )
        seen = -1
        for number, line in enumerate(self.lines, start=1):
            if pattern.match(line):
                seen += 1
                if seen == index:
                    return number
        return 0

    def line_of(self, key: str, after: int) -> int:
        pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        for number in range(after + 1, len(self.lines) + 1):
            text = self.lines[number - 1]
            if number > after + 1 and re.match(r"^\s*\[", text):
                break
            if pattern.match(text):
                return number
        return after or 1


def resolve_config_path(path: str | os.PathLike[str] | None) -> tuple[Path, bool]:
    """Return the config path to use and whether the user named it explicitly."""
    if path:
        return Path(path), True
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV]), True
    return Path(DEFAULT_CONFIG), False


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Load and validate the config; with no file and none named, return the defaults."""
    config_path, explicit = resolve_config_path(path)
    if not config_path.exists():
        if explicit:
            raise ConfigError(
                f"config file {config_path} does not exist",
                "run `brandpulse init` to write a commented example there",
            )
        return Config()
    try:
        text = config_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {config_path}: {exc}") from exc
    return parse_config(text, config_path)


def parse_config(text: str, path: Path) -> Config:
    """Validate config text; relative paths in it are taken from the file's folder."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = match.group(1) if match else "?"
        raise ConfigError(
            f"{path}:{line}: not valid TOML: {exc}",
            "check quotes, brackets and `key = value` syntax on that line",
        ) from exc
    source = _Source(path, text)
    top = _Reader(source, data, "top level", 0)
    for key in ("settings", "privacy", "reddit", "fetch"):
        top.get(key, dict, {}, f"a [{key}] table")
    for key in ("brands", "competitors", "campaigns", "feeds"):
        top.get(key, list, [], f"[[{key}]] tables")
    top.reject_unknown()

    settings = _settings(
        _Reader(source, data.get("settings", {}), "[settings]", source.header_line("settings")),
        path.parent,
    )
    privacy_reader = _Reader(
        source, data.get("privacy", {}), "[privacy]", source.header_line("privacy")
    )
    privacy = Privacy(hash_authors=privacy_reader.get("hash_authors", bool, False, "true or false"))
    privacy_reader.reject_unknown()

    brands: list[Brand] = []
    seen: set[str] = set()
    for kind in ("brands", "competitors"):
        for i, table in enumerate(data.get(kind, [])):
            reader = _Reader(
                source, table, f"[[{kind}]] #{i + 1}", source.header_line(kind, i, array=True)
            )
            brand = _brand(reader, competitor=kind == "competitors")
            if brand.name.casefold() in seen:
                raise reader.fail("name", "a name no other brand or competitor uses", brand.name)
            seen.add(brand.name.casefold())
            brands.append(brand)
    names = seen

    campaigns = []
    for i, table in enumerate(data.get("campaigns", [])):
        reader = _Reader(
            source, table, f"[[campaigns]] #{i + 1}", source.header_line("campaigns", i, array=True)
        )
        campaign = _campaign(reader)
        if campaign.brand.casefold() not in names:
            raise reader.fail("brand", "the name of a brand in [[brands]]", campaign.brand)
        campaigns.append(campaign)

    feeds = []
    for i, table in enumerate(data.get("feeds", [])):
        reader = _Reader(
            source, table, f"[[feeds]] #{i + 1}", source.header_line("feeds", i, array=True)
        )
        feeds.append(_feed(reader, path.parent))

    reddit = None
    if "reddit" in data:
        reddit = _reddit(_Reader(source, data["reddit"], "[reddit]", source.header_line("reddit")))
    fetch = _fetch(_Reader(source, data.get("fetch", {}), "[fetch]", source.header_line("fetch")))

    return Config(
        path=path,
        settings=settings,
        privacy=privacy,
        brands=tuple(brands),
        campaigns=tuple(campaigns),
        reddit=reddit,
        feeds=tuple(feeds),
        fetch=fetch,
    )


def _settings(r: _Reader, base: Path) -> Settings:
    database = Path(r.get("database", str, DEFAULT_DATABASE, "a file path"))
    timezone = r.get("timezone", str, "UTC", "an IANA time zone name like Europe/Paris")
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise r.fail("timezone", "an IANA time zone name like Europe/Paris", timezone) from None
    positive = r.get("positive_threshold", float, 0.05, "a number between 0 and 1")
    negative = r.get("negative_threshold", float, -0.05, "a number between -1 and 0")
    if not 0 <= positive <= 1:
        raise r.fail("positive_threshold", "a number between 0 and 1", positive)
    if not -1 <= negative <= 0:
        raise r.fail("negative_threshold", "a number between -1 and 0", negative)
    r.reject_unknown()
    return Settings(
        database=database if database.is_absolute() else base / database,
        timezone=timezone,
        positive_threshold=positive,
        negative_threshold=negative,
    )


def _brand(r: _Reader, competitor: bool) -> Brand:
    brand = Brand(
        name=r.required_str("name"),
        query=r.optional_str("query", "a query string like 'acme OR \"acme corp\"'"),
        keywords=r.strings("keywords"),
        aliases=r.strings("aliases"),
        exclude=r.strings("exclude"),
        exclude_sites=r.strings("exclude_sites"),
        exclude_subreddits=r.strings("exclude_subreddits"),
        exclude_authors=r.strings("exclude_authors"),
        competitor=competitor,
    )
    r.reject_unknown()
    return brand


def _campaign(r: _Reader) -> Campaign:
    campaign = Campaign(
        name=r.required_str("name"),
        brand=r.required_str("brand"),
        start=r.date("start"),
        end=r.date("end"),
        terms=r.strings("terms"),
    )
    if campaign.end < campaign.start:
        raise r.fail("end", f"a date on or after start ({campaign.start})", str(campaign.end))
    r.reject_unknown()
    return campaign


def _feed(r: _Reader, base: Path) -> Feed:
    url = r.required_str("url")
    if not re.match(r"^https?://", url):
        # A local file: the demo and users' saved feeds; resolved like every other path.
        local = Path(url)
        url = str(local if local.is_absolute() else base / local)
    kind = r.get("kind", str, "news", "news or blog")
    if kind not in ("news", "blog"):
        raise r.fail("kind", "news or blog", kind)
    feed = Feed(
        url=url,
        name=r.optional_str("name"),
        kind=kind,
    )
    r.reject_unknown()
    return feed


def _reddit(r: _Reader) -> Reddit:
    default = Reddit()
    sort = r.get("sort", str, default.sort, "one of new, relevance, hot, top, comments")
    if sort not in ("new", "relevance", "hot", "top", "comments"):
        raise r.fail("sort", "one of new, relevance, hot, top, comments", sort)
    time_filter = r.get(
        "time_filter", str, default.time_filter, "one of hour, day, week, month, year, all"
    )
    if time_filter not in ("hour", "day", "week", "month", "year", "all"):
        raise r.fail("time_filter", "one of hour, day, week, month, year, all", time_filter)
    backfill = r.get("backfill_limit", int, default.backfill_limit, "a whole number of posts")
    if backfill < 1:
        raise r.fail("backfill_limit", "a whole number of posts, 1 or more", backfill)
    reddit = Reddit(
        enabled=r.get("enabled", bool, True, "true or false"),
        subreddits=r.strings("subreddits", default.subreddits),
        owned_subreddits=r.strings("owned_subreddits"),
        comment_subreddits=r.strings("comment_subreddits"),
        sort=sort,
        time_filter=time_filter,
        backfill_limit=backfill,
        comments=r.get("comments", bool, default.comments, "true or false"),
        comment_depth=r.get("comment_depth", int, default.comment_depth, "a whole number"),
        replace_more_limit=r.get(
            "replace_more_limit", int, default.replace_more_limit, "a whole number"
        ),
        user_agent=r.get("user_agent", str, default.user_agent, "a string"),
        oauth_url=r.get("oauth_url", str, default.oauth_url, "a URL"),
        reddit_url=r.get("reddit_url", str, default.reddit_url, "a URL"),
        timeout=r.get("timeout", float, default.timeout, "a number of seconds"),
        page_size=r.get("page_size", int, default.page_size, "a whole number from 1 to 100"),
        max_comment_threads=r.get(
            "max_comment_threads", int, default.max_comment_threads, "a whole number"
        ),
        comment_revisit_hours=r.get(
            "comment_revisit_hours", int, default.comment_revisit_hours, "a whole number of hours"
        ),
    )
    if not 1 <= reddit.page_size <= 100:
        raise r.fail("page_size", "a whole number from 1 to 100", reddit.page_size)
    if reddit.comment_depth < 1:
        raise r.fail("comment_depth", "a whole number of levels, 1 or more", reddit.comment_depth)
    for key in ("replace_more_limit", "max_comment_threads", "comment_revisit_hours"):
        if getattr(reddit, key) < 0:
            raise r.fail(key, "a whole number, 0 or more", getattr(reddit, key))
    if reddit.timeout <= 0:
        raise r.fail("timeout", "a number of seconds above 0", reddit.timeout)
    for key in ("oauth_url", "reddit_url"):
        if not re.match(r"^https?://[^/\s]+", getattr(reddit, key)):
            raise r.fail(key, "an http:// or https:// URL", getattr(reddit, key))
    r.reject_unknown()
    return reddit


def _fetch(r: _Reader) -> Fetch:
    d = Fetch()
    fetch = Fetch(
        connect_timeout=r.get("connect_timeout", float, d.connect_timeout, "seconds"),
        read_timeout=r.get("read_timeout", float, d.read_timeout, "seconds"),
        max_bytes=r.get("max_bytes", int, d.max_bytes, "a whole number of bytes"),
        max_redirects=r.get("max_redirects", int, d.max_redirects, "a whole number"),
        retries=r.get("retries", int, d.retries, "a whole number"),
        concurrency=r.get("concurrency", int, d.concurrency, "a whole number"),
        per_host=r.get("per_host", int, d.per_host, "a whole number"),
        user_agent=r.get("user_agent", str, d.user_agent, "a string"),
        backoff=r.get("backoff", float, d.backoff, "seconds"),
        max_retry_wait=r.get("max_retry_wait", float, d.max_retry_wait, "seconds"),
    )
    for key in ("connect_timeout", "read_timeout", "max_bytes", "concurrency", "per_host"):
        if getattr(fetch, key) <= 0:
            raise r.fail(key, "a number above 0", getattr(fetch, key))
    for key in ("max_redirects", "retries", "backoff", "max_retry_wait"):
        if getattr(fetch, key) < 0:
            raise r.fail(key, "a number of 0 or more", getattr(fetch, key))
    r.reject_unknown()
    return fetch
