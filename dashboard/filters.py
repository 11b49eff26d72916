"""The sidebar filters as one value: read from and written to the URL's query parameters.

A URL such as `?brand=Acme&period=90d&source=reddit&sentiment=negative` reproduces a view;
`relevance=all` also shows mentions below their brand's relevance threshold.
`q`, `status`, `tag`, `assignee` and `unread` carry the Mentions page's search and triage
filters.
Period presets end at the newest stored mention rather than at today, so a database that
stopped collecting (or the demo, whose dates are fixed) still opens on its data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from brandpulse.store.scope import Scope
from brandpulse.store.triage import STATUSES

SENTIMENTS = ("positive", "neutral", "negative")
# The sentiment filter also offers mentions in a language the scorer does not read.
LABEL_FILTERS = (*SENTIMENTS, "unscored")
# Preset key -> (label, days); None days means everything stored.
PRESETS: dict[str, tuple[str, int | None]] = {
    "7d": ("Last 7 days", 7),
    "30d": ("Last 30 days", 30),
    "90d": ("Last 90 days", 90),
    "365d": ("Last 12 months", 365),
    "all": ("All time", None),
    "custom": ("Custom range", None),
}
DEFAULT_PRESET = "30d"
# How far a custom range may reach beyond the stored mentions; ends further out are clamped,
# so `from=0001-01-01` cannot push a window (or the one before it) off the calendar.
CUSTOM_MARGIN = timedelta(days=366)


@dataclass(frozen=True)
class Filters:
    """What every page shows: brands, local days `first`..`last` (inclusive), sources, labels.

    Empty tuples mean "all". Days are in the display time zone, so "2026-05-01" means that
    day as the team sees it, not as UTC does.
    """

    brands: tuple[str, ...]
    period: str
    first: date
    last: date
    sources: tuple[str, ...]
    sentiments: tuple[str, ...]
    # True: also mentions below their brand's relevance threshold (the sidebar switch).
    everything: bool = False
    # True: syndicated copies and reposts of one story count once (the sidebar switch).
    copies_once: bool = False
    # ISO 639-1 codes; "" is a mention whose language is unknown.
    languages: tuple[str, ...] = ()
    # The Mentions page's search words and triage filters ("" in assignees is nobody).
    search: str = ""
    statuses: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    assignees: tuple[str, ...] = ()
    unread: bool = False

    @property
    def days(self) -> int:
        """Return how many days the window covers."""
        return (self.last - self.first).days + 1

    def scope(self, tz: str) -> Scope:
        """Return the store's scope of every page: the sidebar filters over local days in `tz`."""
        return Scope(
            brands=self.brands,
            first=self.first,
            last=self.last,
            tz=tz,
            sources=self.sources,
            sentiments=self.sentiments,
            everything=self.everything,
            languages=self.languages,
        )

    def inbox_scope(self, tz: str, person: str) -> Scope:
        """Return the scope with the Mentions page's search and triage filters too, unread
        meaning unread by `person`."""
        return replace(
            self.scope(tz),
            search=self.search,
            statuses=self.statuses,
            tags=self.tags,
            assignees=self.assignees,
            unread_by=person if self.unread else None,
        )

    def previous(self) -> Filters:
        """Return the same filters over the equally long window just before this one."""
        last = self.first - timedelta(days=1)
        return replace(self, period="custom", first=last - timedelta(days=self.days - 1), last=last)

    def to_params(self) -> dict[str, list[str]]:
        """Return the query parameters that reproduce these filters (defaults left out)."""
        params: dict[str, list[str]] = {}
        if self.brands:
            params["brand"] = list(self.brands)
        if self.period != DEFAULT_PRESET:
            params["period"] = [self.period]
        if self.period == "custom":
            params["from"] = [self.first.isoformat()]
            params["to"] = [self.last.isoformat()]
        if self.sources:
            params["source"] = list(self.sources)
        if self.sentiments:
            params["sentiment"] = list(self.sentiments)
        if self.everything:
            params["relevance"] = ["all"]
        if self.copies_once:
            params["copies"] = ["once"]
        if self.languages:
            params["language"] = list(self.languages)
        if self.search:
            params["q"] = [self.search]
        if self.statuses:
            params["status"] = list(self.statuses)
        if self.tags:
            params["tag"] = list(self.tags)
        if self.assignees:
            params["assignee"] = list(self.assignees)
        if self.unread:
            params["unread"] = ["1"]
        return params


def local_midnight(day: date, tz: str) -> datetime:
    """Return the UTC instant at which `day` starts in time zone `tz`."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(tz)).astimezone(UTC)


def comparison_spans(
    f: Filters, tz: str, collected: datetime | None
) -> tuple[tuple[datetime, datetime], tuple[datetime, datetime]]:
    """Return the instants [start, end) of the window and of the period before it to compare.

    Both are whole local days, so a window spanning a clock change is not compared with a
    previous period an hour longer or shorter. When the window ends after the latest
    collection (today, partly collected), both end at that time of day of their last day.
    """
    start, end = local_midnight(f.first, tz), local_midnight(f.last + timedelta(days=1), tz)
    previous = f.previous()
    prev_start = local_midnight(previous.first, tz)
    prev_end = local_midnight(previous.last + timedelta(days=1), tz)
    if collected is None or collected <= start or collected >= end:
        return (start, end), (prev_start, prev_end)
    last_day = local_midnight(f.last, tz)
    if collected >= last_day:
        # The same wall-clock share of the previous period's last day.
        same_time = local_midnight(previous.last, tz) + (collected - last_day)
        return (start, collected), (prev_start, min(same_time, prev_end))
    return (start, collected), (prev_start, prev_start + (collected - start))


def local_day(instant: datetime | None, tz: str) -> date | None:
    """Return the calendar day an instant falls on in time zone `tz`."""
    if instant is None:
        return None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(ZoneInfo(tz)).date()


def preset_window(period: str, newest: date, oldest: date) -> tuple[date, date]:
    """Return the first and last day of a preset, ending on the newest mention's day."""
    days = PRESETS.get(period, PRESETS[DEFAULT_PRESET])[1]
    if days is None:
        return min(oldest, newest), newest
    return newest - timedelta(days=days - 1), newest


def _pick(values: Iterable[str], allowed: Sequence[str] | None) -> tuple[str, ...]:
    """Keep known values once each, in the given order; unknown values are dropped."""
    seen: dict[str, None] = {}
    for value in values:
        value = value.strip()
        if value and (allowed is None or value in allowed):
            seen[value] = None
    return tuple(seen)


def _shift(day: date, delta: timedelta) -> date:
    """Return `day + delta`, stopping at the first or last day the calendar has."""
    try:
        return day + delta
    except OverflowError:
        return date.max if delta > timedelta(0) else date.min


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def from_params(
    params: Mapping[str, Sequence[str]],
    *,
    newest: date,
    oldest: date,
    brands: Sequence[str] | None = None,
    sources: Sequence[str] | None = None,
    languages: Sequence[str] | None = None,
) -> Filters:
    """Build filters from query parameters, ignoring any value that does not fit.

    A shared link naming a brand since removed from the config still opens, on the rest;
    a custom range reaching further than a year beyond the stored mentions is clamped.
    """

    def first(key: str) -> str | None:
        values = params.get(key) or []
        return values[0] if values else None

    period = first("period") or DEFAULT_PRESET
    if period not in PRESETS:
        period = DEFAULT_PRESET
    start, end = _date(first("from")), _date(first("to"))
    if period == "custom" and start and end:
        low, high = _shift(min(oldest, newest), -CUSTOM_MARGIN), _shift(newest, CUSTOM_MARGIN)
        first_day = min(max(min(start, end), low), high)
        last_day = min(max(max(start, end), low), high)
    else:
        if period == "custom":
            period = DEFAULT_PRESET
        first_day, last_day = preset_window(period, newest, oldest)
    return Filters(
        brands=_pick(params.get("brand") or [], brands),
        period=period,
        first=first_day,
        last=last_day,
        sources=_pick(params.get("source") or [], sources),
        sentiments=_pick(params.get("sentiment") or [], LABEL_FILTERS),
        everything=first("relevance") == "all",
        copies_once=first("copies") == "once",
        languages=_pick_language(params.get("language") or [], languages),
        search=" ".join((first("q") or "").split())[:200],
        statuses=_pick(params.get("status") or [], STATUSES),
        tags=_pick(params.get("tag") or [], None),
        # "" (nobody) is a value here, so it is not dropped like other empty values.
        assignees=tuple(dict.fromkeys(a.strip() for a in params.get("assignee") or [])),
        unread=first("unread") in ("1", "true", "yes"),
    )


def _pick_language(values: Iterable[str], allowed: Sequence[str] | None) -> tuple[str, ...]:
    # "" (unknown language) cannot travel through _pick, which drops blank values.
    known = [v for v in values if v == "" or allowed is None or v in allowed]
    return tuple(dict.fromkeys(known))
