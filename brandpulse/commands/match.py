"""`brandpulse match`: show which mentions a brand query catches and which term caught each.

The sibling of `preview`: `brandpulse preview URL | brandpulse match --brand Acme -` shows
what a feed would add for Acme; with no input it runs over the stored mentions, so a
tightened query (--query) can be tried before it goes into brands.toml.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Annotated

import typer

from brandpulse import privacy
from brandpulse.analysis.matcher import MentionView, evaluate, excluded, match_text
from brandpulse.analysis.rules import BrandRule
from brandpulse.config import Brand
from brandpulse.options import ConfigOption, DbOption, resolve
from brandpulse.rules import brand_rule
from brandpulse.store import analytics
from brandpulse.store.connection import read_connection
from brandpulse.store.errors import ConfigError
from brandpulse.store.records import Mention

PAGE = 20_000


def command(
    brand: Annotated[str, typer.Option("--brand", "-b", help="The brand whose query to run.")],
    inputs: Annotated[
        str | None,
        typer.Argument(
            help="JSON lines from `brandpulse preview` or plain text lines; - reads stdin."
            " Without it, the stored mentions are searched.",
            metavar="[FILE|-]",
        ),
    ] = None,
    query: Annotated[
        str | None,
        typer.Option("--query", "-q", help="Try this query instead of the configured one."),
    ] = None,
    misses: Annotated[
        bool,
        typer.Option("--misses", help="Also list the mentions not caught, with the reason."),
    ] = False,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=0, help="Most lines to list (0: no limit).")
    ] = 200,
    config: ConfigOption = None,
    db: DbOption = None,
) -> int:
    """List `term<TAB>date<TAB>source<TAB>text<TAB>url` for each mention the query catches.

    The summary on stderr counts what each term caught and what the brand's exclusions
    dropped. With --misses, uncaught mentions are listed too, their first column "-" or
    the exclusion that dropped them.
    """
    ctx = resolve(config, db, allow_demo=True)
    configured = [b for b in ctx.config.brands if b.name.casefold() == brand.casefold()]
    if not configured and query is None:
        known = ", ".join(b.name for b in ctx.config.brands) or "none configured"
        raise ConfigError(
            f"no brand called {brand!r} (known: {known})", "name a configured brand or pass --query"
        )
    base = configured[0] if configured else Brand(name=brand)
    if query is not None:
        base = replace(base, query=query, aliases=())
    rule = brand_rule(base, ctx.config, privacy.author_key(ctx.config, ctx.secrets))

    out = sys.stdout
    terms: Counter[str] = Counter()
    dropped: Counter[str] = Counter()
    seen = shown = 0
    for mention in _mentions(inputs, ctx.db):
        seen += 1
        verdict = _verdict(rule, mention)
        caught = verdict is not None and not verdict.startswith("excluded ")
        if caught:
            terms[verdict or "(NOT only)"] += 1
        elif verdict:
            dropped[verdict] += 1
        if (caught or misses) and (not limit or shown < limit):
            first = (verdict or "(NOT only)") if caught else (verdict or "-")
            out.write(_line(first, mention))
            shown += 1
    out.flush()
    caught_total = sum(terms.values())
    by_term = ", ".join(f"{term} {count}" for term, count in terms.most_common())
    typer.echo(
        f"{rule.name}: caught {caught_total} of {seen} mentions"
        + (f"; by term: {by_term}" if by_term else ""),
        err=True,
    )
    if dropped:
        reasons = ", ".join(f"{why} {count}" for why, count in dropped.most_common())
        typer.echo(f"  dropped by exclusions: {reasons}", err=True)
    typer.echo(f"  query: {rule.query_text}", err=True)
    return 0


def _verdict(rule: BrandRule, mention: Mention) -> str | None:
    """Return the catching term, "excluded ..." when an exclusion dropped it, or None."""
    view = MentionView.of(mention)
    hit = evaluate(rule.query, view)
    if hit is None:
        return None
    why = excluded(rule, view)
    return why if why else hit


def _line(first: str, mention: Mention) -> str:
    text = " ".join(match_text(mention).split())
    when = mention.published_at.strftime("%Y-%m-%d")
    return f"{first}\t{when}\t{mention.source}\t{text[:160]}\t{mention.url or ''}\n"


def _mentions(inputs: str | None, db: Path) -> Iterator[Mention]:
    if inputs is None:
        after = ""
        while True:
            with read_connection(db) as con:
                page = analytics.mentions_after(con, after, PAGE)
            if not page:
                return
            yield from page
            after = page[-1].id
    elif inputs == "-":
        yield from _parse_lines(sys.stdin)
    else:
        path = Path(inputs)
        if not path.is_file():
            raise ConfigError(f"no such file: {path}", "give a file, - for stdin, or nothing")
        with path.open(encoding="utf-8", errors="replace") as stream:
            yield from _parse_lines(stream)


def _parse_lines(stream: IO[str]) -> Iterator[Mention]:
    """Read `preview` JSON lines, or take any other non-empty line as a mention's text."""
    now = datetime.now(UTC)
    for number, raw in enumerate(stream, start=1):
        line = raw.strip()
        if not line:
            continue
        record = None
        if line.startswith("{"):
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                record = None
        if isinstance(record, dict):
            yield _from_record(record, number, now)
        else:
            yield Mention(
                id=f"line-{number}",
                source="text",
                native_id=str(number),
                url=None,
                author=None,
                title="",
                text=line,
                published_at=now,
                collected_at=now,
            )


def _from_record(record: dict[str, object], number: int, now: datetime) -> Mention:
    def when(key: str) -> datetime:
        value = record.get(key)
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value)
                return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
            except ValueError:
                pass
        return now

    extra = record.get("extra")
    return Mention(
        id=str(record.get("id") or f"line-{number}"),
        source=str(record.get("source") or "text"),
        native_id=str(record.get("native_id") or number),
        url=str(record["url"]) if record.get("url") else None,
        author=str(record["author"]) if record.get("author") else None,
        title=str(record.get("title") or ""),
        text=str(record.get("text") or ""),
        published_at=when("published_at"),
        collected_at=when("collected_at"),
        extra=extra if isinstance(extra, dict) else {},
    )
