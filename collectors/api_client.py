"""What the JSON-API sources share: a paced client, brand search terms, and per-item runs.

Hacker News, Mastodon, Bluesky, Lemmy and App Store reviews all fetch JSON through the one
`HttpFetcher` (its timeouts, caps and retries), pace themselves by the hosts' rate-limit
headers, and work through "items" (a brand, an instance, an app): an item that fails is
recorded on the run report and the others go on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

from brandpulse.collectors.base import BrandTerms, InvalidSetting
from brandpulse.collectors.fetch_settings import FETCH, Fetch
from brandpulse.collectors.http_fetch import FetchError, HttpFetcher, JsonReply, get_json
from brandpulse.collectors.rate_limits import Pacer, RateLimit, RateLimited, host_key
from brandpulse.store.records import ItemResult, Mention, RunReport

S = TypeVar("S")


@dataclass(frozen=True)
class Configured(Generic[S]):
    """A source's own settings and the shared [fetch] limits its client is built from."""

    source: S
    fetch: Fetch = Fetch()


def configured(sections: Mapping[str, Any], settings: S) -> Configured[S]:
    """Return `settings` with the [fetch] limits of the parsed sections (else the defaults)."""
    fetch = sections.get(FETCH.key)
    return Configured(settings, fetch if isinstance(fetch, Fetch) else Fetch())


def unique_words(terms: Sequence[BrandTerms]) -> list[str]:
    """Return every brand's search words once each, in config order."""
    return list(dict.fromkeys(w for t in terms for w in t.words))


@dataclass
class ApiClient:
    """The shared fetcher plus a pacer that keeps to each host's stated rate limit."""

    fetcher: HttpFetcher
    credentials: dict[str, str] = field(default_factory=dict)  # env var name -> value
    pacer: Pacer = field(init=False)

    def __post_init__(self) -> None:
        self.pacer = Pacer(
            max_wait=float(self.fetcher.settings.max_retry_wait), sleep=self.fetcher.sleep
        )

    @classmethod
    def from_settings(
        cls, fetch_settings: Fetch, credentials: Mapping[str, str | None] | None = None
    ) -> ApiClient:
        """Build a client from the [fetch] settings (timeouts, caps, retries, longest wait)
        and the source's credentials as read from the environment (unset ones dropped)."""
        given = {k: v for k, v in (credentials or {}).items() if v}
        return cls(HttpFetcher(fetch_settings), given)

    def __repr__(self) -> str:  # never print a credential, even in a traceback
        return f"ApiClient(credentials={sorted(self.credentials)})"

    def get(
        self, url: str, headers: Mapping[str, str] | None = None, json_body: Any = None
    ) -> JsonReply:
        """Fetch one JSON answer, waiting first if the host's quota is spent."""
        self.pacer.before(url)
        try:
            reply = get_json(self.fetcher, url, headers=headers, json_body=json_body)
        except FetchError as exc:
            self.pacer.after(url, exc.headers)
            if exc.http_status == 429:
                # Retries and Retry-After were already spent in the fetcher: stop asking.
                self.pacer.block(url, f"{exc.message}; the rest waits for the next run")
            raise
        self.pacer.after(url, reply.headers)
        return reply

    def quota(self, url: str) -> RateLimit | None:
        """Return the last quota `url`'s host stated (None when it states none)."""
        return self.pacer.limits.get(host_key(url))

    def close(self) -> None:
        """Close the fetcher's connections."""
        self.fetcher.close()


@dataclass
class ItemRun:
    """The facts of one item's collection, written to the run report when it ends."""

    label: str
    items: int = 0
    pages: int = 0
    cursor: Any = None
    quota: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)


def run_item(
    report: RunReport,
    noun: str,
    label: str,
    work: Callable[[ItemRun], Iterator[Mention]],
    seen: set[str],
) -> Iterator[Mention]:
    """Run one item's collection; a failure is recorded on `report` and never raised.

    Mentions already yielded this run (same id through two items) are yielded once, named
    after the first item that found them. Mentions an item yielded before it failed are kept.
    """
    item = ItemRun(label)
    status, error = "ok", None
    try:
        for mention in work(item):
            report.fetched += 1
            if mention.id in seen:
                continue
            seen.add(mention.id)
            yield replace(mention, item=label)
    except RateLimited as exc:
        status, error = "skipped", str(exc)
        report.warnings.append(f"{noun} {label}: {exc}")
    except FetchError as exc:
        status, error = "error", exc.message
        report.error(f"{noun} {label}: {exc.message}")
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        # An answer of an unexpected shape: this item's problem, not the run's.
        status, error = "error", f"unexpected answer ({type(exc).__name__}: {exc})"
        report.error(f"{noun} {label}: {error}")
    facts: dict[str, Any] = {}
    if item.pages:
        facts["pages"] = item.pages
    if item.cursor is not None:
        facts["cursor"] = item.cursor
    if item.quota:
        facts["rate_limit"] = item.quota
    facts.update(item.facts)
    report.items.append(
        ItemResult(label, noun, status, fetched=item.items, error=error, facts=facts)
    )


def truncated(report: RunReport, noun: str, label: str, pages: int, incremental: bool) -> None:
    """Warn that an item still had pages when `max_pages` ran out on a later run: what lies
    between those pages and the previous run's cursor was not fetched."""
    if incremental:
        report.warnings.append(
            f"{noun} {label}: more than {pages} pages of new items since the last run; older"
            " ones were not fetched (raise max_pages or run more often)"
        )


def note_quota(client: ApiClient, url: str, item: ItemRun) -> None:
    """Copy the host's last stated quota onto the item, for the run report."""
    limit = client.quota(url)
    if limit is not None:
        item.quota = limit.describe()


def finish(report: RunReport, client: ApiClient, noun: str) -> None:
    """Add the run-level rate-limit facts (time spent waiting) to the report."""
    if client.pacer.waited:
        report.warnings.append(
            f"waited {client.pacer.waited:.0f} s in total for {noun} rate limits to reset"
        )


def check(ok: bool, key: str, expected: str, got: Any) -> None:
    """Raise InvalidSetting for `key` unless `ok` (the config loader adds file and line)."""
    if not ok:
        raise InvalidSetting(key, expected, got)


def check_url(key: str, value: str) -> None:
    """Raise InvalidSetting unless `value` is an http(s) URL with a host."""
    check(bool(re.match(r"^https?://[^/\s]+", value)), key, "an http:// or https:// URL", value)
