"""The feeds collector: news searches, RSS/Atom/RDF/CDF/JSON feeds and blogs, into Mentions.

Each configured feed (one per brand when its URL holds `{query}`) is fetched concurrently
with a per-host limit, conditionally (ETag / Last-Modified from the last run, so an unchanged
feed costs a 304 and no parsing), parsed, and normalised. A blog home page is accepted as a
feed URL: its feed is discovered and remembered. A local file path is read from disk.
One failing feed is recorded on the run and never stops the others.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from brandpulse.collectors.base import BrandTerms, Credential, InvalidSetting, Section, setting
from brandpulse.collectors.feed_discovery import feed_links, usual_feed_urls
from brandpulse.collectors.feed_model import Entry, ParsedFeed
from brandpulse.collectors.feed_normalise import Origin, to_mention
from brandpulse.collectors.feed_parse import parse_document
from brandpulse.collectors.feed_pool import run_in_order
from brandpulse.collectors.feed_text import safe_url
from brandpulse.collectors.fetch_settings import FETCH, Fetch
from brandpulse.collectors.http_fetch import FetchError, HttpFetcher, Response
from brandpulse.store.records import ItemResult, Mention, RunReport

name = "feeds"
item_noun = "feed"
KINDS = ("news", "blog")
mention_sources = KINDS  # a feed's `kind` is its mentions' source

MAX_PROBES = 9  # usual feed paths tried on a home page without a feed link
_WEB = re.compile(r"^https?://", re.I)
_NO_DATE = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Feed:
    """One `[[feeds]]` table."""

    url: str = setting(
        doc="an RSS/Atom/RDF/JSON Feed URL, a blog's home page (its feed is discovered), or a"
        " local file path; `{query}` is replaced by each brand's keywords",
        expected="a feed URL or file path",
        local_path=True,
    )
    name: str | None = setting(None, doc="a label for status and the dashboard")
    kind: str = setting(
        "news", doc="`news` or `blog`: the source shown for its mentions", expected="news or blog"
    )

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InvalidSetting("kind", " or ".join(KINDS), self.kind)

    @property
    def templated(self) -> bool:
        """Return True for a search feed whose URL takes each brand's query."""
        return "{query}" in self.url


@dataclass(frozen=True)
class Settings:
    """What the feeds collector reads: its feeds and the fetcher's limits."""

    feeds: tuple[Feed, ...]
    fetch: Fetch = Fetch()


FEEDS = Section("feeds", Feed, doc="news searches, news sites and blogs", array=True)
sections = (FEEDS, FETCH)
credentials: tuple[Credential, ...] = ()
example = """\
# News and blog feeds: RSS, Atom, RDF or JSON Feed URLs, or a blog's home page (its feed
# is discovered). {query} in a URL is replaced by each brand's keywords in turn.
[[feeds]]
url = "https://news.google.com/rss/search?q={query}&hl=en-GB&gl=GB&ceid=GB:en"
name = "Google News"
kind = "news"

[[feeds]]
url = "https://blog.example.com/feed/"
kind = "blog"

[fetch]
connect_timeout = 5                    # seconds
read_timeout = 20                      # seconds
max_bytes = 10000000                   # a larger feed is refused
retries = 3                            # on 5xx and 429, with back-off
backoff = 1                            # seconds before the first retry; doubles each time
max_retry_wait = 60                    # a longer Retry-After skips the feed for this run
concurrency = 16                       # feeds fetched at once
per_host = 2                           # at most this many at once from one host
total_timeout = 60                     # seconds one response may take in all, however slow
allow_hosts = []                       # internal hosts to fetch anyway: "host" or "host:port"
max_entries_per_feed = 5000            # newest entries kept from one feed per run
"""


def configure(sections: Mapping[str, Any]) -> Settings | None:
    """Return the feeds and [fetch] limits, or None when no [[feeds]] are configured."""
    feeds = tuple(sections.get(FEEDS.key, ()))
    return Settings(feeds, fetch_settings(sections)) if feeds else None


def fetch_settings(sections: Mapping[str, Any]) -> Fetch:
    """Return the [fetch] limits of a config's sections (the defaults when it has none)."""
    fetch = sections.get(FETCH.key)
    return fetch if isinstance(fetch, Fetch) else Fetch()


@dataclass(frozen=True)
class FeedJob:
    """One feed to read: a URL or local path, as configured or expanded for one brand."""

    url: str
    kind: str = "news"
    name: str | None = None
    brand: str | None = None  # the brand whose terms filled {query}

    @property
    def local(self) -> bool:
        return not _WEB.match(self.url)

    @property
    def host(self) -> str | None:
        """Return the host the per-host limit applies to (None for a local file)."""
        if self.local:
            return None
        try:
            return (urlsplit(self.url).hostname or "").lower() or None
        except ValueError:
            return None


@dataclass
class FeedResult:
    """What reading one feed gave: its mentions, its per-feed record and its next cursor."""

    job: FeedJob
    mentions: list[Mention]
    detail: dict[str, Any]
    state: dict[str, Any] | None = None  # None keeps the cursor saved by an earlier run
    warnings: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        return str(self.detail["status"])

    @property
    def error(self) -> str | None:
        return self.detail.get("error")

    def item(self) -> ItemResult:
        """Return this feed's result for the run report: counts, then its other facts."""
        facts = dict(self.detail)
        url, status, error = facts.pop("url"), facts.pop("status"), facts.pop("error")
        return ItemResult(
            name=url,
            kind=item_noun,
            status=status,
            fetched=int(facts.pop("mentions")),
            skipped=int(facts.pop("skipped")),
            error=error,
            facts=facts,
        )


class FeedProblem(Exception):
    """A feed that cannot be read or holds no feed; the message is shown as is."""


def open_client(settings: Settings, credentials: Mapping[str, str] | None = None) -> HttpFetcher:
    """Build the shared HTTP fetcher from the [fetch] settings (no credentials are needed)."""
    return HttpFetcher(settings.fetch)


def collect(
    settings: Settings,
    terms: Sequence[BrandTerms],
    state: Mapping[str, Any],
    client: HttpFetcher,
    report: RunReport,
) -> Iterator[Mention]:
    """Yield a Mention per new or changed entry of every configured feed.

    An article reached through two feeds is yielded once (the first feed in config order
    keeps it). Per-feed results go to `report.items`, cursors to `report.state`.
    """
    jobs, problems = feed_jobs(settings.feeds, terms)
    for problem in problems:
        report.error(problem)
    seen: set[str] = set()
    for done, result in enumerate(read_feeds(jobs, state, client), start=1):
        report.advance(done, len(jobs))
        fresh = [m for m in result.mentions if m.id not in seen]
        seen.update(m.id for m in fresh)
        result.detail["duplicates"] = len(result.mentions) - len(fresh)
        report.items.append(result.item())
        report.skipped += int(result.detail["skipped"])
        report.fetched += len(fresh)
        if result.error:
            report.error(f"{result.job.url}: {result.error}")
        report.warnings.extend(f"{result.job.url}: {w}" for w in result.warnings)
        if result.state is not None:
            report.state[result.job.url] = result.state
        yield from fresh


def feed_jobs(
    feeds: Sequence[Feed], terms: Sequence[BrandTerms]
) -> tuple[list[FeedJob], list[str]]:
    """Expand the configured feeds into jobs (one per brand for a `{query}` URL).

    Each brand's search terms are joined with OR, phrases quoted, and URL-encoded:
    `["Acme", "Acme Corp"]` fills `{query}` with `Acme%20OR%20%22Acme%20Corp%22`.
    Returns the jobs, without repeats, and the problems to report.
    """
    jobs: list[FeedJob] = []
    problems: list[str] = []
    for feed in feeds:
        if "{query}" not in feed.url:
            jobs.append(FeedJob(feed_key(feed.url), feed.kind, feed.name))
            continue
        if not terms:
            problems.append(f"{feed.url}: the URL takes {{query}} but no brands are configured")
        for brand in terms:
            query = " OR ".join(f'"{t}"' if " " in t else t for t in brand.words)
            url = feed.url.replace("{query}", quote(query, safe=""))
            jobs.append(FeedJob(feed_key(url), feed.kind, feed.name, brand.name))
    unique: dict[str, FeedJob] = {}
    for job in jobs:
        unique.setdefault(job.url, job)  # a URL listed twice is read once
    return list(unique.values()), problems


def feed_key(url: str) -> str:
    """Return the one spelling of a feed, so a feed named two ways is still one feed.

    A local file becomes its resolved absolute path (`./x.xml`, `../d/x.xml` and
    `file:///d/x.xml` alike); a web URL gets a lower-case scheme and host and loses its
    default port: `HTTP://News.Example:80/rss` is `http://news.example/rss`.
    """
    if not _WEB.match(url):
        try:
            return str(local_path(url).resolve())
        except (OSError, RuntimeError, ValueError):
            return url  # reading it will say what is wrong
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != {"http": 80, "https": 443}[scheme]:
        host = f"{host}:{port}"
    user = parts.netloc.rpartition("@")[0]
    netloc = f"{user}@{host}" if user else host
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, parts.fragment))


def read_feeds(
    jobs: Sequence[FeedJob],
    state: Mapping[str, Any],
    client: HttpFetcher,
    *,
    collected_at: datetime | None = None,
) -> Iterator[FeedResult]:
    """Read every job concurrently and yield their results in job order; how many at once,
    in all and per host, is the client's [fetch] `concurrency` and `per_host`."""
    now = collected_at or datetime.now(UTC)
    limits = client.settings

    def work(job: FeedJob) -> FeedResult:
        return read_feed(job, state.get(job.url), client, now)

    try:
        for _, result in run_in_order(
            jobs,
            work,
            host=lambda job: job.host,
            concurrency=limits.concurrency,
            per_host=limits.per_host,
        ):
            yield result
    finally:
        client.close()


def read_feed(
    job: FeedJob, previous: Any, client: HttpFetcher, collected_at: datetime
) -> FeedResult:
    """Fetch, parse and normalise one feed; every failure ends up in the result, never raised."""
    started = time.perf_counter()
    detail: dict[str, Any] = {
        "url": job.url,
        "kind": job.kind,
        "status": "error",
        "http_status": None,
        "entries": 0,
        "mentions": 0,
        "skipped": 0,
        "bytes": 0,
        "duration_s": 0.0,
        "error": None,
        "warning": None,
    }
    if job.brand:
        detail["brand"] = job.brand
    result = FeedResult(job, [], detail)
    try:
        if job.local:
            parsed = _read_local(job, client.settings.max_bytes, detail)
            origin = Origin(job.url, job.kind, None, job.name)
        else:
            prior = previous if isinstance(previous, dict) else {}
            read = _read_remote(job, prior, client, detail)
            if read is None:
                detail["status"] = "not_modified"
                result.state = dict(prior)
                return result
            parsed, response, result.state = read
            origin = Origin(job.url, job.kind, response.final_url, job.name)
        if detail.get("moved_to"):
            result.warnings.append(
                f"moved permanently to {detail['moved_to']}; put that URL in [[feeds]] url"
            )
        detail["entries"] = len(parsed.entries) + parsed.skipped
        detail["skipped"] = parsed.skipped
        cap = client.settings.max_entries_per_feed
        if len(parsed.entries) > cap:
            detail["dropped"] = len(parsed.entries) - cap
            parsed.entries = newest(parsed.entries, cap)
            result.warnings.append(
                f"{detail['dropped'] + cap:,} entries, over [fetch] max_entries_per_feed;"
                f" kept the newest {cap:,}"
            )
        if parsed.warning:
            detail["warning"] = parsed.warning
            result.warnings.append(f"ill-formed feed, entries kept: {parsed.warning}")
        if parsed.problem:
            raise FeedProblem(parsed.problem)
        for entry in parsed.entries:
            try:
                result.mentions.append(to_mention(entry, parsed, origin, collected_at))
            except (ValueError, TypeError, OverflowError) as exc:
                detail["skipped"] += 1
                result.warnings.append(f"entry skipped: {exc}")
        detail["mentions"] = len(result.mentions)
        detail["status"] = "ok"
    except Exception as exc:  # a bug met on one feed must not cost the other feeds their run
        known = isinstance(exc, FeedProblem | FetchError)
        detail["error"] = str(exc) if known else f"unexpected {type(exc).__name__}: {exc}"
        result.state = None
        result.mentions = []
    finally:
        detail["duration_s"] = round(time.perf_counter() - started, 4)
    return result


def newest(entries: Sequence[Entry], count: int) -> list[Entry]:
    """Return the `count` newest entries in feed order; undated ones count as oldest.

    Entries with equal dates (or none) keep the feed's own order, which is newest first in
    nearly every feed.
    """
    ranked = sorted(
        range(len(entries)),
        key=lambda i: entries[i].published or _NO_DATE,
        reverse=True,
    )
    kept = sorted(ranked[:count])
    return [entries[i] for i in kept]


def _read_local(job: FeedJob, max_bytes: int, detail: dict[str, Any]) -> ParsedFeed:
    path = local_path(job.url)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise FeedProblem(f"{path} is a folder, not a feed file")
        if size > max_bytes:
            raise FeedProblem(f"file of {size:,} bytes is over the {max_bytes:,}-byte cap")
        content = path.read_bytes()
    except FileNotFoundError:
        raise FeedProblem(f"no such file: {path}") from None
    except OSError as exc:
        raise FeedProblem(f"cannot read {path}: {exc.strerror or exc}") from None
    detail["bytes"] = len(content)
    parsed = parse_document(content)
    if parsed.html:
        parsed.problem = (
            "not a feed: the file is an HTML page (feed discovery needs the page's http(s) URL)"
        )
    return parsed


def local_path(url: str) -> Path:
    """Return the path of a local feed given as a path or a `file://` URL."""
    if url.lower().startswith("file://"):
        return Path(unquote(urlsplit(url).path))
    return Path(url).expanduser()


def _read_remote(
    job: FeedJob, prior: dict[str, Any], client: HttpFetcher, detail: dict[str, Any]
) -> tuple[ParsedFeed, Response, dict[str, Any]] | None:
    """Return (parsed, response, next state), or None when the feed is unchanged (304)."""
    target = prior.get("feed") if isinstance(prior.get("feed"), str) else None
    try:
        response = _get(
            client, target or job.url, detail, prior.get("etag"), prior.get("last_modified")
        )
    except FetchError as exc:
        if target and exc.http_status in (404, 410):
            # The feed found on the home page last time is gone: look for it again.
            return _read_remote(job, {}, client, detail)
        raise
    if response.not_modified:
        return None
    if response.moved_to:
        detail["moved_to"] = response.moved_to
    parsed = _parse(response)
    if parsed.html:
        if target:
            return _read_remote(job, {}, client, detail)
        target, response, parsed = _discover(response, client, detail)
        detail["discovered"] = target
    state = {
        "feed": target,
        "etag": response.headers.get("etag"),
        "last_modified": response.headers.get("last-modified"),
    }
    return parsed, response, {k: v for k, v in state.items() if v}


def _get(
    client: HttpFetcher,
    url: str,
    detail: dict[str, Any],
    etag: str | None = None,
    last_modified: str | None = None,
) -> Response:
    try:
        response = client.get(url, etag=etag, last_modified=last_modified)
    except FetchError as exc:
        detail["bytes"] += exc.wire_bytes
        detail["http_status"] = exc.http_status
        raise
    detail["bytes"] += response.wire_bytes
    detail["http_status"] = response.status
    return response


def _parse(response: Response) -> ParsedFeed:
    headers = dict(response.headers)
    # feedparser resolves relative links against Content-Location: the server's own, when it
    # sends a web address, else the URL we ended up at after redirects.
    named = safe_url(headers.get("content-location"), response.final_url)
    headers["content-location"] = named or response.final_url
    return parse_document(response.content, headers)


def _discover(
    page: Response, client: HttpFetcher, detail: dict[str, Any]
) -> tuple[str, Response, ParsedFeed]:
    announced = feed_links(page.content, page.final_url)
    probes = [u for u in usual_feed_urls(page.final_url) if u not in announced][:MAX_PROBES]
    refused: list[tuple[str, FetchError]] = []
    for url in [*announced, *probes]:
        try:
            response = _get(client, url, detail)
        except FetchError as exc:
            if exc.refused:
                refused.append((url, exc))
            continue
        parsed = _parse(response)
        if not parsed.problem:
            return url, response, parsed
    detail["http_status"] = page.status
    if refused:  # a page pointing at an internal address: say so, not "no feed"
        link, refusal = refused[0]
        raise FeedProblem(f"{page.final_url} points to the feed {link}, {refusal}")
    where = 'its <link rel="alternate"> feeds and ' if announced else ""
    paths = ", ".join(urlsplit(u).path for u in probes[:5])
    raise FeedProblem(
        f"no feed found: {page.final_url} is an HTML page; {where}the usual paths"
        f" ({paths}, ...) gave no feed. Put the feed's own URL in [[feeds]] url"
    )
