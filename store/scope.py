"""The one filter every reader takes: which mention×brand rows are in scope, as one WHERE clause.

The dashboard's sidebar and Mentions page, `brandpulse export` and the other commands all
build a `Scope`; every store reader turns it into SQL with `Scope.where`. A new filter is a
new field here and a few lines in `where`, and reaches every page, export and command.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from brandpulse.store import trigram_bits
from brandpulse.store.days import utc_bounds
from brandpulse.store.sql import counted_condition


@dataclass(frozen=True)
class Scope:
    """Which mention×brand rows a reader looks at: every empty field means "all".

    `first` and `last` are local days (inclusive) in `tz`, the display time zone; None
    leaves that end of the window open.
    """

    brands: tuple[str, ...] = ()
    first: date | None = None
    last: date | None = None
    tz: str = "UTC"
    sources: tuple[str, ...] = ()
    sentiments: tuple[str, ...] = ()
    # True: also matches below their brand's relevance threshold (the sidebar switch).
    everything: bool = False
    # ISO 639-1 codes; "" stands for mentions whose language is unknown.
    languages: tuple[str, ...] = ()
    # Words the title or text must all contain, in any order and case.
    search: str = ""
    # The team's triage: statuses ("new" includes never triaged), tags, assignees ("" is
    # nobody) and "not yet read by this person".
    statuses: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    assignees: tuple[str, ...] = ()
    unread_by: str | None = None
    # True: the search reads only the texts whose trigram bits hold its words' pieces
    # (store/trigram_bits.py); False: every text of the window; None: not decided yet,
    # read as False. browse.plan_search decides.
    prefilter: bool | None = None

    @property
    def start(self) -> datetime | None:
        """Return the instant the window starts (inclusive), None when open."""
        return None if self.first is None else utc_bounds(self.first, self.first, self.tz)[0]

    @property
    def end(self) -> datetime | None:
        """Return the instant the window ends (exclusive), None when open."""
        return None if self.last is None else utc_bounds(self.last, self.last, self.tz)[1]

    def days(self) -> tuple[date, date]:
        """Return (first, last) for readers that need a closed window of days."""
        if self.first is None or self.last is None:
            raise ValueError("this reader needs a scope with a first and a last day")
        return self.first, self.last

    def over(self, first: date, last: date) -> Scope:
        """Return the same scope over local days `first`..`last`."""
        return replace(self, first=first, last=last)

    def of(self, brands: str | Sequence[str]) -> Scope:
        """Return the same scope for other brands (a name or several)."""
        return replace(self, brands=(brands,) if isinstance(brands, str) else tuple(brands))

    def window(self, alias: str = "b") -> tuple[str, list[Any]]:
        """Return the time-window condition alone on `alias`.published_at, and its parameters.

        Repeated on a joined `mentions m`, it lets DuckDB skip the row groups outside the
        window (rows arrive in time order) instead of probing every id.
        """
        parts, params = ["TRUE"], []
        if self.start is not None:
            parts.append(f"{alias}.published_at >= ?")
            params.append(self.start)
        if self.end is not None:
            parts.append(f"{alias}.published_at < ?")
            params.append(self.end)
        return " AND ".join(parts), params

    def where(self, alias: str = "b") -> tuple[str, list[Any]]:
        """Return the SQL condition over mention_brands rows (as `alias`) and its parameters."""
        parts: list[str] = []
        params: list[Any] = []
        if self.brands:
            parts.append(f"{alias}.brand IN ({_marks(self.brands)})")
            params += self.brands
        window, window_params = self.window(alias)
        parts.append(window)
        params += window_params
        if self.sources:
            parts.append(f"{alias}.source IN ({_marks(self.sources)})")
            params += self.sources
        if self.sentiments:
            parts.append(f"{alias}.label IN ({_marks(self.sentiments)})")
            params += self.sentiments
        parts.append(counted_condition(alias, self.everything))
        if self.languages:
            parts.append(
                f"{alias}.mention_id IN (SELECT id FROM mentions"
                f" WHERE coalesce(language, '') IN ({_marks(self.languages)}))"
            )
            params += self.languages
        for sql, values in (self._triage(f"{alias}.mention_id"), self._search(alias)):
            parts.append(sql)
            params += values
        return " AND ".join(parts), params

    def _triage(self, column: str) -> tuple[str, list[Any]]:
        # Semi- and anti-joins against the few triaged mentions, not a lookup per row: a
        # mention without a triage row is "new" and unassigned, so a set holding those
        # excludes the mentions triaged otherwise instead of listing the rest.
        parts, params = ["TRUE"], []
        for field, values, untriaged in (
            ("status", self.statuses, "new"),
            ("coalesce(t.assignee, '')", self.assignees, ""),
        ):
            if not values:
                continue
            value = field if field.startswith("coalesce") else f"t.{field}"
            if untriaged in values:
                parts.append(
                    f"{column} NOT IN (SELECT t.mention_id FROM triage t"
                    f" WHERE {value} NOT IN ({_marks(values)}))"
                )
            else:
                parts.append(
                    f"{column} IN (SELECT t.mention_id FROM triage t"
                    f" WHERE {value} IN ({_marks(values)}))"
                )
            params += values
        if self.tags:
            parts.append(
                f"{column} IN (SELECT g.mention_id FROM mention_tags g"
                f" WHERE g.tag IN ({_marks(self.tags)}))"
            )
            params += self.tags
        if self.unread_by is not None:
            # Reads carry their mention's time: only those of the window are looked at.
            window, window_params = self.window("r")
            parts.append(
                f"{column} NOT IN (SELECT r.mention_id FROM mention_reads r WHERE r.person = ?"
                f" AND (r.published_at IS NULL OR ({window})))"
            )
            params += [self.unread_by, *window_params]
        return " AND ".join(parts), params

    def search_condition(self, alias: str = "m") -> tuple[str, list[Any]]:
        """Return the SQL condition over mentions rows (as `alias`) that the search words
        set, and its parameters ("TRUE" without words)."""
        words = self.search.split()
        if not words:
            return "TRUE", []
        # Each word must appear (in any order), case-insensitively; % and _ are literal.
        conditions = []
        params: list[Any] = []
        for word in words:
            # An ESCAPE clause takes DuckDB's general matcher, about twice as slow over a
            # window of texts: only a word holding a wildcard or the escape needs it.
            like = "ILIKE ?"
            if any(c in word for c in "%_\\"):
                word = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                like = "ILIKE ? ESCAPE '\\'"
            pattern = f"%{word}%"
            conditions.append(f"({alias}.title {like} OR {alias}.text {like})")
            params += [pattern, pattern]
        return " AND ".join(conditions), params

    def search_matches(self) -> tuple[str, list[Any]]:
        """Return a query of the ids (as `id`) of the window's mentions holding every search
        word, and its parameters; the scope must have search words."""
        words, params = self.search_condition("m")
        mask = trigram_bits.search_mask(self.search.split()) if self.prefilter else None
        if mask is None:
            window, window_params = self.window("m")
            return f"SELECT m.id FROM mentions m WHERE {words} AND {window}", [
                *params,
                *window_params,
            ]
        # The candidates' row ids first, then only their texts are read: a filter on the
        # same scan would still read every text of the window.
        window, window_params = self.window("c")
        return (
            "SELECT m.id FROM mentions m WHERE m.rowid IN (SELECT c.rowid FROM mentions c"
            f" WHERE {window} AND {trigram_bits.condition('c', mask)}) AND {words}",
            [*window_params, *params],
        )

    def _search(self, alias: str) -> tuple[str, list[Any]]:
        if not self.search.split():
            return "TRUE", []
        matches, params = self.search_matches()
        return f"{alias}.mention_id IN ({matches})", params


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)
