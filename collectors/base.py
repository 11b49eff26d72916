"""The protocol every source module follows, so adding a source is one module and one line.

A source module (registered in `brandpulse.collectors.REGISTRY`) declares:

- `name: str`: its registry name, used by `collect --source`, run records and cursors.
- `item_noun: str`: what one of its items is called in status ("feed", "subreddit").
- `mention_sources: tuple[str, ...]`: the `Mention.source` values it yields ("reddit";
  "news" and "blog" for feeds), offered by the dashboard's and exports' source filters.
- `sections: tuple[Section, ...]`: the TOML sections it reads, each a frozen settings
  dataclass whose fields are declared with `setting(...)` (type, default, docs) and whose
  `__post_init__` raises `InvalidSetting` for a bad value. A section may be shared by
  several sources (`[fetch]`, the HTTP fetcher's): they list the same `Section` object.
- `credentials: tuple[Credential, ...]`: the environment variables it reads secrets from.
- `example: str`: the commented TOML that `brandpulse init` writes for it.
- `configure(sections) -> settings | None`: its settings built from the parsed sections
  (TOML key -> settings object, or tuple of them for `[[array]]` sections; absent keys
  are missing), or None when the config does not enable it.
- `open_client(settings, credentials)`: its network client (an HTTP session, a
  `praw.Reddit`) from its settings and `{env var: value}` of its declared credentials;
  raises `SourceError` naming the fix when it cannot.
- `collect(settings, terms, state, client, report)`: a generator of `Mention`s for the
  brands' `terms`. `state` is the cursor map saved by the previous run (read it, never
  mutate it); put the next run's cursors in `report.state`. Record each item (a feed, a
  subreddit search) as an `ItemResult` on `report.items`, set `Mention.item` to that item's
  name on the mentions it yields, and count fetched/skipped on `report`; a failing item
  gets `report.error(...)` and the run carries on: one broken item never stops the rest.

Optional: `mentions_from_saved(data, collected_at) -> list[Mention]` turns one saved API
answer into mentions without a network; `brandpulse demo` uses it for `data/demo/<name>/`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from brandpulse.store.records import Mention, RunReport

USER_AGENT = "brandpulse/0.1 (brand social listening; +https://github.com/brandpulse/brandpulse)"

# Keys of a field's metadata, read by the config loader and the docs generator.
DOC = "doc"
EXPECTED = "expected"
SHOWN = "shown"
LOCAL_PATH = "local_path"


def setting(
    default: Any = dataclasses.MISSING,
    *,
    doc: str,
    expected: str | None = None,
    shown: str | None = None,
    local_path: bool = False,
) -> Any:
    """Declare one settings key: its default (none: required), the docs' meaning, the words
    an error uses for a wrong value, how the docs show the default, and for `local_path`
    that a value other than an http(s) URL is a path taken from the config file's folder."""
    metadata = {DOC: doc, EXPECTED: expected, SHOWN: shown, LOCAL_PATH: local_path}
    return dataclasses.field(default=default, metadata=metadata)


class InvalidSetting(ValueError):
    """A settings value out of its range; the config loader adds the file and line."""

    def __init__(self, key: str, expected: str, got: Any = None) -> None:
        super().__init__(f"{key}: expected {expected}, got {got!r}")
        self.key = key
        self.expected = expected
        self.got = got


@dataclass(frozen=True)
class Section:
    """One TOML section a source reads: `[key]`, or `[[key]]` tables when `array`."""

    key: str
    settings: type
    doc: str
    array: bool = False

    @property
    def header(self) -> str:
        """Return the section as written in brands.toml: `[reddit]` or `[[feeds]]`."""
        return f"[[{self.key}]]" if self.array else f"[{self.key}]"


@dataclass(frozen=True)
class Credential:
    """An environment variable a source reads a secret from, and what it is for."""

    env: str
    doc: str
    required: bool = False


@dataclass(frozen=True)
class BrandTerms:
    """What a source may search for one brand: its name, its query and its words.

    `words` are keywords then aliases, else the name (what search APIs and `{query}`
    feeds get); `query` is the brand query in brandpulse's language, for sources whose
    search can take it. Every mention is matched against the full query after collection,
    so a search only has to find candidates.
    """

    name: str
    words: tuple[str, ...]
    query: str | None = None


class Collector(Protocol):
    """The module-level attributes and functions of a registered source module."""

    name: str
    item_noun: str
    mention_sources: tuple[str, ...]
    sections: tuple[Section, ...]
    credentials: tuple[Credential, ...]
    example: str

    def configure(self, sections: Mapping[str, Any]) -> Any | None: ...

    def open_client(self, settings: Any, credentials: Mapping[str, str]) -> Any: ...

    def collect(
        self,
        settings: Any,
        terms: Sequence[BrandTerms],
        state: Mapping[str, Any],
        client: Any,
        report: RunReport,
    ) -> Iterator[Mention]: ...
