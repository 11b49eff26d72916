"""A toy source for the registry tests: posts listed in its own `[toy]` section, one item per
board, a token read from TOY_TOKEN and a cursor of the posts already seen.

It is everything a new source writes, and nothing more: the test registers it with one
registry entry and runs `brandpulse collect` unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from brandpulse.collectors.base import (
    BrandTerms,
    Credential,
    InvalidSetting,
    Section,
    setting,
)
from brandpulse.store.errors import SourceError
from brandpulse.store.records import ItemResult, Mention, RunReport, mention_id

TOKEN_ENV = "TOY_TOKEN"


@dataclass(frozen=True)
class Toy:
    boards: tuple[str, ...] = setting(doc="boards whose posts are read")
    posts: tuple[str, ...] = setting((), doc="`board: text` lines, the boards' posts")
    limit: int = setting(100, doc="most posts per board and run", expected="a whole number")

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise InvalidSetting("limit", "a whole number, 1 or more", self.limit)


name = "toy"
item_noun = "board"
mention_sources = ("toy",)
sections = (Section("toy", Toy, doc="a toy message board"),)
credentials = (Credential(TOKEN_ENV, "the board's API token", required=True),)
example = """\
[toy]
boards = ["general"]
"""


def configure(found: Mapping[str, Any]) -> Toy | None:
    """Return the [toy] settings, or None when the section is absent."""
    settings = found.get("toy")
    return settings if isinstance(settings, Toy) else None


def open_client(settings: Toy, secrets: Mapping[str, str]) -> str:
    """Return the token the board wants; without one, say where it is read from."""
    token = secrets.get(TOKEN_ENV)
    if not token:
        raise SourceError(f"{TOKEN_ENV} is not set", f"export {TOKEN_ENV}")
    return token


def collect(
    settings: Toy,
    terms: Sequence[BrandTerms],
    state: Mapping[str, Any],
    client: str,
    report: RunReport,
) -> Iterator[Mention]:
    """Yield each post naming a brand word, board by board; an unknown board is an error."""
    words = [w.lower() for brand in terms for w in brand.words]
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    posts = [line.split(": ", 1) for line in settings.posts]
    for board in settings.boards:
        item = ItemResult(board, item_noun)
        report.items.append(item)
        if not any(where == board for where, _ in posts):
            item.status, item.error = "error", f"no board named {board!r}"
            report.error(f"{board}: {item.error}")
            continue
        seen = int(state.get(board, 0))
        mine = [text for where, text in posts if where == board][: settings.limit]
        report.state[board] = len(mine)
        for number, text in enumerate(mine):
            item.fetched += 1
            report.fetched += 1
            if not any(word in text.lower() for word in words):
                item.skipped += 1
                report.skipped += 1
                continue
            native = f"{board}/{number}"
            yield Mention(
                id=mention_id(name, native),
                source=name,
                native_id=native,
                url=None,
                author=None,
                title="",
                # A post the previous run saw comes back edited, so a rerun updates it.
                text=text + (" (edited)" if number < seen else ""),
                published_at=now,
                collected_at=now,
                extra={"board": board},
                item=board,
            )
