"""`brandpulse preview`: print the mentions the feed collector would make, storing nothing."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from enum import StrEnum
from typing import Annotated, Any, TextIO
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import typer

from brandpulse.collectors import feeds
from brandpulse.config import load_config
from brandpulse.options import ConfigOption
from brandpulse.store.errors import ConfigError
from brandpulse.store.records import Mention


class Format(StrEnum):
    jsonl = "jsonl"
    text = "text"


class Kind(StrEnum):
    news = "news"
    blog = "blog"


def command(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Feed URLs, blog home pages or local feed files. A URL with {query} is read"
            " once per configured brand.",
            metavar="URL_OR_PATH...",
            show_default=False,
        ),
    ],
    output_format: Annotated[
        Format,
        typer.Option(
            "--format", "-f", help="jsonl: one JSON object a line; text: one line per mention."
        ),
    ] = Format.jsonl,
    kind: Annotated[
        Kind, typer.Option("--kind", help="The source the mentions are given: news or blog.")
    ] = Kind.news,
    config: ConfigOption = None,
) -> int:
    """Print the mentions each feed would give, without storing anything.

    Every input is read as `collect` would read it (fetch limits from [fetch], feed
    discovery for home pages), but with no saved ETags and no brand filter: all entries are
    shown. Each line names its input. An input that fails gets one line on stderr;
    exit code 1 if any input failed, 0 otherwise. A host named on the command line may be
    an internal one (as if in [fetch] allow_hosts); redirects and discovery to others are not.
    """
    cfg = load_config(config)
    jobs: list[feeds.FeedJob] = []
    inputs_of: dict[str, str] = {}
    failed = 0
    for item in inputs:
        # Expanded as `collect` would expand the same [[feeds]] url.
        expanded, problems = feeds.feed_jobs((feeds.Feed(url=item, kind=kind.value),), cfg.terms)
        for problem in problems:
            _complain("error", item, problem.split(": ", 1)[-1])
            failed += 1
        for job in expanded:
            inputs_of.setdefault(job.url, item)
            jobs.append(job)
    if not jobs and not failed:
        raise ConfigError("nothing to preview", "give feed URLs or files")
    out = sys.stdout
    ascii_only = (getattr(out, "encoding", None) or "").lower().replace("-", "") != "utf8"
    fetch = feeds.fetch_settings(cfg.sections)
    named = tuple(h for h in (_host_port(i) for i in inputs) if h)
    fetch = replace(fetch, allow_hosts=(*fetch.allow_hosts, *named))
    client = feeds.open_client(feeds.Settings((), fetch))
    for result in feeds.read_feeds(jobs, {}, client):
        source = inputs_of.get(result.job.url, result.job.url)
        if result.error:
            failed += 1
            _complain("error", source, result.error)
            continue
        for warning in result.warnings:
            _complain("warning", source, warning)
        for mention in result.mentions:
            _write(out, source, mention, output_format, ascii_only, cfg.settings.timezone)
    out.flush()
    return 1 if failed else 0


def _host_port(url: str) -> str | None:
    """Return `host:port` of a web URL (`[v6]:port` for IPv6), None for a local path."""
    try:
        parts = urlsplit(url)
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or port is None:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{host}:{port}"


def _complain(level: str, source: str, message: str) -> None:
    # One line per problem, whatever the message held, so scripts can count them.
    text = " ".join(f"{level}: {source}: {message}".split())
    typer.echo(text, err=True)


def mention_record(source: str, mention: Mention) -> dict[str, Any]:
    """Return the JSON-ready form of a mention, naming the input it came from."""
    return {
        "input": source,
        "id": mention.id,
        "source": mention.source,
        "native_id": mention.native_id,
        "url": mention.url,
        "author": mention.author,
        "title": mention.title,
        "text": mention.text,
        "published_at": mention.published_at.isoformat(),
        "collected_at": mention.collected_at.isoformat(),
        "extra": mention.extra,
    }


def _write(
    out: TextIO, source: str, mention: Mention, fmt: Format, ascii_only: bool, tz: str = "UTC"
) -> None:
    if fmt is Format.jsonl:
        record = mention_record(source, mention)
        out.write(json.dumps(record, ensure_ascii=ascii_only) + "\n")
        return
    # Text lines are for people: local time in the configured zone, with its name.
    when = f"{mention.published_at.astimezone(ZoneInfo(tz)):%Y-%m-%d %H:%M} {tz}"
    flag = "~" if mention.extra.get("date_estimated") else " "
    site = mention.extra.get("domain") or "-"
    line = f"{when}{flag} {site}  {mention.title or mention.text[:80]}  {mention.url or ''}"
    if ascii_only:
        line = line.encode("ascii", "backslashreplace").decode("ascii")
    out.write(" ".join(line.split("\n")) + "\n")
