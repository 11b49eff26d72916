"""Read brands.toml once into frozen dataclasses; every mistake is named with its file and line.

The sources' sections (`[reddit]`, `[[feeds]]`, `[fetch]`, ...) are read as their modules in
the collectors registry declare them. Secrets never live in the file: each source's
credentials come from the environment variables it declares, the author-hashing key from
BRANDPULSE_AUTHOR_KEY.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import textwrap
import tomllib
import typing
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

from brandpulse import collectors
from brandpulse.analysis.query import QuerySyntaxError, parse_query
from brandpulse.collectors.base import EXPECTED, LOCAL_PATH, BrandTerms, InvalidSetting, Section
from brandpulse.store.connection import beside
from brandpulse.store.errors import ConfigError

DEFAULT_CONFIG = "brands.toml"
DEFAULT_DATABASE = "data/brandpulse.duckdb"
CONFIG_ENV = "BRANDPULSE_CONFIG"
DATABASE_ENV = "BRANDPULSE_DB"
AUTHOR_KEY_ENV = "BRANDPULSE_AUTHOR_KEY"


@dataclass(frozen=True)
class Settings:
    database: Path = Path(DEFAULT_DATABASE)
    timezone: str = "UTC"
    positive_threshold: float = 0.05
    negative_threshold: float = -0.05
    dashboard_url: str | None = None  # where alerts link to, e.g. https://listening.example
    # ISO 639-1 codes of the languages to keep at collection; empty keeps every language.
    languages: tuple[str, ...] = ()


SCORERS = ("model", "vader")


def project_model_path(database: Path) -> Path | None:
    """Return where `sentiment train` keeps a database's project model: beside it (None for
    a database with no folder of its own)."""
    return beside(database, ".sentiment.bin")


@dataclass(frozen=True)
class Analysis:
    # "model": the shipped classifier (or the project model `sentiment train` adopted).
    scorer: str = "model"
    # The accurate tier (embedding heads) on the model's least-confident mentions.
    accurate_tier: bool = False
    # Relevance: add the embedding heads to the gram model of brands with marks of both kinds.
    accurate_relevance: bool = False


@dataclass(frozen=True)
class Alert:
    """One channel alerts and digests go to (Slack, Teams, a webhook or e-mail)."""

    channel: str  # slack, teams, webhook or email
    name: str = ""
    url: str | None = None
    url_env: str | None = None  # the URL is a secret: read it from this variable instead
    secret_env: str | None = None  # webhook: HMAC-SHA256 key for X-Brandpulse-Signature
    brands: tuple[str, ...] = ()  # empty: every brand
    sources: tuple[str, ...] = ()  # empty: every source
    min_severity: str = "medium"  # low, medium or high
    quiet_hours: str | None = None  # "22:00-07:00" in [settings] timezone: held until the end
    lookback_days: int = 2  # incidents older than this are history, not news
    timeout: float = 10.0
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_security: str = "starttls"  # starttls, tls or none
    username_env: str | None = None
    password_env: str | None = None
    sender: str | None = None
    recipients: tuple[str, ...] = ()


@dataclass(frozen=True)
class Privacy:
    hash_authors: bool = False
    retention_days: int | None = None  # collect stores nothing published longer ago


@dataclass(frozen=True)
class Dashboard:
    # Who changes triage when the dashboard runs without sign-in (else "local").
    user: str | None = None


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
    # Relevance: words that signal this brand's meaning, words of the name's other meanings,
    # and the score below which a match is left out of counts (None: the default).
    context: tuple[str, ...] = ()
    not_context: tuple[str, ...] = ()
    threshold: float | None = None

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
class Lake:
    # Where a lake's Parquet files go: a folder, or s3://bucket/prefix. Read by
    # `brandpulse lake init`; the catalog remembers it for every later connection.
    data_path: str | None = None


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    settings: Settings = field(default_factory=Settings)
    privacy: Privacy = field(default_factory=Privacy)
    dashboard: Dashboard = field(default_factory=Dashboard)
    brands: tuple[Brand, ...] = ()
    campaigns: tuple[Campaign, ...] = ()
    # The sources' sections by TOML key: a settings object, or a tuple of them for an
    # [[array]] section; a section absent from the file is absent here.
    sections: Mapping[str, Any] = field(default_factory=dict, hash=False)
    alerts: tuple[Alert, ...] = ()
    analysis: Analysis = field(default_factory=Analysis)
    lake: Lake = field(default_factory=Lake)

    @property
    def own_brands(self) -> tuple[Brand, ...]:
        return tuple(b for b in self.brands if not b.competitor)

    @property
    def competitors(self) -> tuple[Brand, ...]:
        return tuple(b for b in self.brands if b.competitor)

    @property
    def terms(self) -> tuple[BrandTerms, ...]:
        """Return what sources search for: every brand and competitor, in config order."""
        return tuple(BrandTerms(b.name, b.search_terms, b.query) for b in self.brands)

    def source_settings(self, name: str) -> Any | None:
        """Return a source's settings from its sections, or None when it is not enabled."""
        return collectors.load(name).configure(self.sections)

    @property
    def sources(self) -> tuple[str, ...]:
        """Return the names of the configured collectors, in registry order."""
        return tuple(name for name in collectors.REGISTRY if self.source_settings(name) is not None)


@dataclass(frozen=True)
class Secrets:
    """Values read from the environment by the front door and handed down as plain values.

    `credentials` maps each environment variable a registered source declares to its value.
    """

    author_key: str | None = None
    credentials: Mapping[str, str] = field(default_factory=dict, hash=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Secrets:
        env = os.environ if env is None else env
        wanted = [c.env for module in collectors.modules() for c in module.credentials]
        return cls(
            author_key=env.get(AUTHOR_KEY_ENV) or None,
            credentials={name: env[name] for name in wanted if env.get(name)},
        )

    def for_source(self, module: ModuleType) -> dict[str, str]:
        """Return the credentials a source declares that are set, and no others."""
        return {
            c.env: self.credentials[c.env] for c in module.credentials if c.env in self.credentials
        }

    def values(self) -> tuple[str, ...]:
        """Return the secret values that are set, for scrubbing them from messages."""
        return tuple(v for v in (self.author_key, *self.credentials.values()) if v)

    def __repr__(self) -> str:  # never print a secret, even in a traceback
        names = sorted(self.credentials)
        key = "<set>" if self.author_key else None
        return f"Secrets(author_key={key}, credentials set: {names})"


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
            try:
                value = float(value)
            except OverflowError:
                raise self.fail(key, f"{expected} (a finite number)", value) from None
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(key, expected, value)
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(key, f"{expected} (a finite number)", value)
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
    owned = collectors.sections()
    for key in (
        "settings",
        "privacy",
        "analysis",
        "dashboard",
        "lake",
        *(s.key for s in owned if not s.array),
    ):
        top.get(key, dict, {}, f"a [{key}] table")
    for key in ("brands", "competitors", "campaigns", "alerts", *(s.key for s in owned if s.array)):
        top.get(key, list, [], f"[[{key}]] tables")
    top.reject_unknown()

    settings = _settings(
        _Reader(source, data.get("settings", {}), "[settings]", source.header_line("settings")),
        path.parent,
    )
    privacy_reader = _Reader(
        source, data.get("privacy", {}), "[privacy]", source.header_line("privacy")
    )
    retention = privacy_reader.get(
        "retention_days", int, 0, "a whole number of days from 1 to 36500"
    )
    if "retention_days" in privacy_reader.table and not 1 <= retention <= 36_500:
        raise privacy_reader.fail(
            "retention_days", "a whole number of days from 1 to 36500", retention
        )
    privacy = Privacy(
        hash_authors=privacy_reader.get("hash_authors", bool, False, "true or false"),
        retention_days=retention or None,
    )
    privacy_reader.reject_unknown()
    dashboard_reader = _Reader(
        source, data.get("dashboard", {}), "[dashboard]", source.header_line("dashboard")
    )
    dashboard = Dashboard(user=dashboard_reader.optional_str("user", "a person's name"))
    dashboard_reader.reject_unknown()

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

    sections: dict[str, Any] = {}
    for section in owned:
        if section.key in data:
            sections[section.key] = _read_section(source, section, data[section.key], path.parent)
    alerts = tuple(
        _alert(
            _Reader(source, t, f"[[alerts]] #{i + 1}", source.header_line("alerts", i, array=True)),
            i,
        )
        for i, t in enumerate(data.get("alerts", []))
    )
    analysis_reader = _Reader(
        source, data.get("analysis", {}), "[analysis]", source.header_line("analysis")
    )
    scorer = analysis_reader.get("scorer", str, "model", '"model" or "vader"')
    if scorer not in SCORERS:
        raise analysis_reader.fail("scorer", '"model" or "vader"', scorer)
    accurate_tier = analysis_reader.get("accurate_tier", bool, False, "true or false")
    accurate_relevance = analysis_reader.get("accurate_relevance", bool, False, "true or false")
    analysis_reader.reject_unknown()
    lake_reader = _Reader(source, data.get("lake", {}), "[lake]", source.header_line("lake"))
    data_path = lake_reader.optional_str("data_path", "a folder, or s3://bucket/prefix")
    lake_reader.reject_unknown()
    if data_path and "://" not in data_path and not Path(data_path).is_absolute():
        data_path = str(path.parent / data_path)
    if data_path and not data_path.endswith("/"):
        data_path += "/"

    return Config(
        path=path,
        settings=settings,
        privacy=privacy,
        dashboard=dashboard,
        brands=tuple(brands),
        campaigns=tuple(campaigns),
        sections=sections,
        alerts=alerts,
        analysis=Analysis(
            scorer=scorer, accurate_tier=accurate_tier, accurate_relevance=accurate_relevance
        ),
        lake=Lake(data_path=data_path),
    )


CHANNELS = ("slack", "teams", "webhook", "email")
SEVERITIES = ("low", "medium", "high")


def _alert(r: _Reader, index: int) -> Alert:
    channel = r.required_str("channel")
    if channel not in CHANNELS:
        raise r.fail("channel", " or ".join(CHANNELS), channel)
    severity = r.get("min_severity", str, "medium", "low, medium or high")
    if severity not in SEVERITIES:
        raise r.fail("min_severity", "low, medium or high", severity)
    quiet = r.optional_str("quiet_hours", 'a span like "22:00-07:00"')
    if quiet is not None and not re.fullmatch(
        r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d", quiet
    ):
        raise r.fail("quiet_hours", 'a span like "22:00-07:00"', quiet)
    security = r.get("smtp_security", str, "starttls", "starttls, tls or none")
    if security not in ("starttls", "tls", "none"):
        raise r.fail("smtp_security", "starttls, tls or none", security)
    alert = Alert(
        channel=channel,
        name=r.get("name", str, f"{channel}-{index + 1}", "a name"),
        url=r.optional_str("url", "an https:// URL"),
        url_env=r.optional_str("url_env", "an environment variable name"),
        secret_env=r.optional_str("secret_env", "an environment variable name"),
        brands=r.strings("brands"),
        sources=r.strings("sources"),
        min_severity=severity,
        quiet_hours=quiet,
        lookback_days=r.get("lookback_days", int, 2, "a whole number of days"),
        timeout=float(r.get("timeout", float, 10.0, "seconds")),
        smtp_host=r.optional_str("smtp_host", "a host name"),
        smtp_port=r.get("smtp_port", int, 587, "a port number"),
        smtp_security=security,
        username_env=r.optional_str("username_env", "an environment variable name"),
        password_env=r.optional_str("password_env", "an environment variable name"),
        sender=r.optional_str("sender", "an e-mail address"),
        recipients=r.strings("recipients"),
    )
    if channel == "email":
        if not alert.smtp_host:
            raise r.fail("smtp_host", "the SMTP server of an email alert")
        if not (alert.sender and alert.recipients):
            raise r.fail("recipients", "a sender and at least one recipient")
    elif not (alert.url or alert.url_env):
        raise r.fail("url", f"the incoming webhook URL of a {channel} alert (or url_env)")
    if channel == "webhook" and not alert.secret_env:
        raise r.fail("secret_env", "the variable holding the webhook's signing secret")
    r.reject_unknown()
    return alert


def _settings(r: _Reader, base: Path) -> Settings:
    raw = r.get("database", str, DEFAULT_DATABASE, "a file path, or ducklake:postgres:<DSN>")
    database = Path(raw)
    if raw.startswith("ducklake:"):
        # A lake: the text is the catalog's address, kept as given (not a relative path).
        return _settings_rest(r, database)
    if not database.is_absolute():
        database = base / database
    return _settings_rest(r, database)


def _settings_rest(r: _Reader, database: Path) -> Settings:
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
    dashboard_url = r.optional_str("dashboard_url", "the dashboard's address, like https://...")
    languages = r.strings("languages")
    for code in languages:
        if not re.fullmatch(r"[a-z]{2}", code):
            raise r.fail("languages", 'two-letter ISO 639-1 codes like ["en", "es"]', code)
    r.reject_unknown()
    return Settings(
        database=database,
        timezone=timezone,
        positive_threshold=positive,
        negative_threshold=negative,
        dashboard_url=dashboard_url.rstrip("/") if dashboard_url else None,
        languages=languages,
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
        context=r.strings("context"),
        not_context=r.strings("not_context"),
        threshold=_threshold(r),
    )
    if brand.query:
        try:
            parse_query(brand.query)
        except QuerySyntaxError as exc:
            line = r.source.line_of("query", r.header)
            # The caret under the mistake helps on a line-long query, not on a page-long one.
            pointer = textwrap.indent(exc.pointer(), "    ") if len(brand.query) <= 200 else ""
            raise ConfigError(
                f"{r.source.path}:{line}: {r.where} ({brand.name!r}) key 'query': {exc.message}"
                f" at position {exc.position}" + (f"\n{pointer}" if pointer else ""),
                'fix the query: words and "quoted phrases" joined by AND, OR, NOT and'
                " parentheses, e.g. '\"acme corp\" OR (acme NOT coyote)'",
            ) from None
    r.reject_unknown()
    return brand


def _threshold(r: _Reader) -> float | None:
    """Return a brand's relevance threshold (a probability), or None when not set."""
    if "threshold" not in r.table:
        r.used.add("threshold")
        return None
    value = r.get("threshold", float, 0.0, "a number between 0 and 1")
    if not 0.0 <= value <= 1.0:
        raise r.fail("threshold", "a number between 0 and 1", value)
    return value


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


def _read_section(source: _Source, section: Section, value: Any, base: Path) -> Any:
    """Read a source's section: one settings object, or a tuple of them for [[array]]."""
    if not section.array:
        reader = _Reader(source, value, section.header, source.header_line(section.key))
        return read_settings(reader, section.settings, base)
    return tuple(
        read_settings(
            _Reader(
                source,
                table,
                f"{section.header} #{i + 1}",
                source.header_line(section.key, i, array=True),
            ),
            section.settings,
            base,
        )
        for i, table in enumerate(value)
    )


# What a key of each supported type must hold, in the words an error shows.
_EXPECTED = {
    bool: "true or false",
    int: "a whole number",
    float: "a number",
    str: "a string",
    str | None: "a string",
    tuple[str, ...]: "a list of strings",
}


def read_settings(r: _Reader, cls: type[T], base: Path) -> T:
    """Build a settings dataclass from one TOML table, by its fields' types and metadata.

    A field without a default is required; a `local_path` field that is not an http(s)
    URL is a path taken from `base`; the class's own checks (`InvalidSetting` from its
    `__post_init__`) come back as errors naming the key's line.
    """
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        kind = hints[f.name]
        if kind not in _EXPECTED:
            raise TypeError(f"{cls.__name__}.{f.name}: settings of type {kind} are not supported")
        expected = f.metadata.get(EXPECTED) or _EXPECTED[kind]
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        if f.name not in r.table:
            r.used.add(f.name)
            if required:
                raise r.fail(f.name, expected)
            continue
        if kind is str and required:
            value: Any = r.required_str(f.name)
        elif kind == str | None:
            value = r.optional_str(f.name, expected)
        elif kind == tuple[str, ...]:
            value = r.strings(f.name)
        else:
            value = r.get(f.name, kind, None, expected)
        if f.metadata.get(LOCAL_PATH) and isinstance(value, str) and not _WEB.match(value):
            # A local file: the demo and users' saved feeds; resolved like every other path.
            local = Path(value)
            value = str(local if local.is_absolute() else base / local)
        values[f.name] = value
    r.reject_unknown()
    try:
        return cls(**values)
    except InvalidSetting as exc:
        raise r.fail(exc.key, exc.expected, exc.got) from None


_WEB = re.compile(r"^https?://", re.I)
