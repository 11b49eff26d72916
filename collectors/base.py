"""The protocol every collector module follows, so adding a source is one module and one line.

A collector module exposes:

- `open_client(config, secrets)`: build its network client (a `praw.Reddit`, an HTTP
  session) from plain config values; raise `SourceError` naming the fix when it cannot.
- `collect(config, state, client, report)`: a generator of `Mention`s. `state` is the
  cursor map saved by the previous run (read it, never mutate it); put the next run's
  cursors in `report.state`. Count what it fetched and skipped on `report`, and record
  a failing item (a feed, a subreddit) with `report.error(...)` and carry on: one broken
  item never stops the rest.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Protocol

from brandpulse.store.records import Mention, RunReport


class Collector(Protocol):
    name: str

    def open_client(self, config: Any, secrets: Any) -> Any: ...

    def collect(
        self, config: Any, state: Mapping[str, Any], client: Any, report: RunReport
    ) -> Iterator[Mention]: ...
