"""`brandpulse export`: mentions, daily sums, campaigns or spikes as CSV, xlsx, Parquet or JSON.

CSV is UTF-8 (with a byte-order mark under --bom, so Excel detects it), times are ISO
8601 in the display time zone with their offset, and text cells starting with =, +, -, @,
a tab or a carriage return get a leading apostrophe so a spreadsheet shows them as text
instead of running them as formulas. --excel writes an .xlsx workbook whose dates, times
and numbers are typed cells, so Excel and LibreOffice sort and sum them as such.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sys
import tempfile
import zoneinfo
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated, Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import typer

from brandpulse import collectors, progress, signals
from brandpulse.analysis.campaigns import campaign_report, campaign_windows
from brandpulse.analysis.sentiment import LABELS, UNSCORED
from brandpulse.analysis.spreadsheet import write_csv, write_xlsx
from brandpulse.config import Config
from brandpulse.options import ConfigOption, DbOption, resolve
from brandpulse.store import analytics, exports
from brandpulse.store.connection import read_connection
from brandpulse.store.errors import ConfigError
from brandpulse.store.scope import Scope
from brandpulse.store.sql import copies_once

BOM = "\ufeff".encode()


class What(StrEnum):
    mentions = "mentions"
    daily = "daily"
    campaigns = "campaigns"
    spikes = "spikes"


class Format(StrEnum):
    csv = "csv"
    parquet = "parquet"
    json = "json"
    xlsx = "xlsx"


# Ratios (net sentiment, lift, per-day rates) are estimates: four decimals say all they can.
RATIO_DECIMALS = 4


def command(
    what: Annotated[
        What,
        typer.Option(
            "--what",
            "-w",
            help="mentions: one row per mention and brand;"
            " daily: sums per day and brand; campaigns: each campaign against"
            " its baseline; spikes: flagged days with what drove them.",
        ),
    ] = What.mentions,
    output_format: Annotated[
        Format, typer.Option("--format", "-f", help="csv, xlsx, parquet or json.")
    ] = Format.csv,
    output: Annotated[
        str,
        typer.Option(
            "--output",
            "-o",
            help="File to write; - writes CSV or JSON to standard output.",
            metavar="FILE",
        ),
    ] = "-",
    since: Annotated[
        str | None,
        typer.Option("--since", help="First day (YYYY-MM-DD, display time zone), inclusive."),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", help="Last day (YYYY-MM-DD, display time zone), inclusive."),
    ] = None,
    brand: Annotated[
        list[str] | None, typer.Option("--brand", "-b", help="Only this brand (repeatable).")
    ] = None,
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source",
            "-s",
            help=f"Only this source: {', '.join(collectors.mention_sources())} (repeatable).",
        ),
    ] = None,
    sentiment: Annotated[
        list[str] | None,
        typer.Option(
            "--sentiment", help="Only this label: positive, negative, neutral (repeatable)."
        ),
    ] = None,
    language: Annotated[
        list[str] | None,
        typer.Option(
            "--language",
            help="Only mentions in this language (ISO 639-1, e.g. en; 'unknown' for"
            " undetected; repeatable).",
        ),
    ] = None,
    excel: Annotated[
        bool,
        typer.Option(
            "--excel",
            help="Write an Excel workbook (.xlsx, same as --format xlsx) whose dates and"
            " numbers are typed cells.",
        ),
    ] = False,
    bom: Annotated[
        bool, typer.Option("--bom", help="Start the CSV with a UTF-8 byte-order mark.")
    ] = False,
    all_mentions: Annotated[
        bool,
        typer.Option(
            "--all-mentions",
            help="Also mentions below their brand's relevance threshold (left out by default).",
        ),
    ] = False,
    copies: Annotated[
        bool,
        typer.Option(
            "--copies-once",
            help="Count each story once: leave out syndicated copies and reposts of a mention.",
        ),
    ] = False,
    tz: Annotated[
        str | None,
        typer.Option("--tz", help="Time zone for days and times. Default: [settings] timezone."),
    ] = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> int:
    """Write a report of the stored mentions for analysts and spreadsheets."""
    ctx = resolve(config, db, allow_demo=True)
    zone = _check_tz(tz or ctx.config.settings.timezone)
    labels = tuple(sentiment or ())
    bad = [label for label in labels if label not in (*LABELS, UNSCORED)]
    if bad:
        raise ConfigError(
            f"unknown --sentiment {bad[0]!r}", "use positive, negative, neutral or unscored"
        )
    languages = tuple("" if code == "unknown" else code for code in language or ())
    if excel:
        if output_format not in (Format.csv, Format.xlsx):
            raise ConfigError(
                f"--excel writes .xlsx, not {output_format.value}", "drop --excel or --format"
            )
        output_format = Format.xlsx
    if output == "-" and output_format in (Format.parquet, Format.xlsx):
        raise ConfigError(
            f"{output_format.value} cannot go to standard output",
            f"pass -o FILE.{output_format.value}",
        )
    if bom and output_format is not Format.csv:
        raise ConfigError("--bom only applies to CSV", "drop --bom or use --format csv")
    first, last = _day(since, "--since"), _day(until, "--until")
    if first and last and last < first:
        raise ConfigError(f"--until {last} is before --since {first}", "swap the two dates")
    scope = Scope(
        brands=tuple(brand or ()),
        sources=tuple(source or ()),
        sentiments=labels,
        languages=languages,
        first=first,
        last=last,
        tz=zone,
        everything=all_mentions,
    )
    with copies_once(copies), read_connection(ctx.db) as con:
        if what is What.mentions:
            reader = exports.mentions_reader(
                con, scope, iso_times=output_format not in (Format.parquet, Format.xlsx)
            )
            rows = write_batches(reader, reader.schema, output, output_format, bom, zone)
        else:
            if what is What.daily:
                frame = round_ratios(exports.daily(con, scope))
            elif what is What.campaigns:
                if labels:
                    raise ConfigError(
                        "--sentiment does not apply to campaigns",
                        "campaign results compare all labels; drop --sentiment",
                    )
                frame = round_ratios(campaigns_frame(con, ctx.config, scope))
            else:
                frame = spikes_frame(con, ctx.config, scope)
            table = pa.Table.from_pandas(frame, preserve_index=False)
            rows = write_batches(table.to_batches(), table.schema, output, output_format, bom, zone)
    where = "standard output" if output == "-" else output
    progress.say(f"exported {rows} {what.value} rows to {where}")
    return 0


def _check_tz(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"unknown time zone {name!r}", "use an IANA name like Europe/Paris"
        ) from None
    return name


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{option} {value!r} is not a date", "write it as YYYY-MM-DD") from None


# -- writing ------------------------------------------------------------------------------


def round_ratios(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the frame with its float columns rounded to RATIO_DECIMALS places."""
    floats = frame.select_dtypes("float").columns
    return frame.assign(**{c: frame[c].round(RATIO_DECIMALS) for c in floats})


def write_batches(
    batches: Iterable[pa.RecordBatch],
    schema: pa.Schema,
    output: str,
    output_format: Format,
    bom: bool = False,
    tz: str = "UTC",
) -> int:
    """Write the batches as CSV, xlsx, Parquet or JSON; a file appears only once complete."""
    with _target(output) as stream:
        if output_format is Format.csv:
            if bom:
                stream.write(BOM)
            return write_csv(batches, schema, stream)
        if output_format is Format.xlsx:
            return write_xlsx(batches, schema, stream, tz)
        if output_format is Format.parquet:
            return _write_parquet(batches, schema, stream)
        return _write_json(batches, stream)


@contextlib.contextmanager
def _target(output: str) -> Iterator[IO[bytes]]:
    if output == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    path = Path(output)
    if path.parent and not path.parent.exists():
        raise ConfigError(f"folder {path.parent} does not exist", "create it or pick another -o")
    # Write beside the target and rename, so a failed export never leaves half a file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        # mkstemp makes the file private (0600); a report gets the modes the umask allows,
        # like any file the user creates.
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as stream:
            yield stream
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    # The umask can only be read by setting it: set it back at once.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_parquet(batches: Iterable[pa.RecordBatch], schema: pa.Schema, stream: IO[bytes]) -> int:
    rows = 0
    with pq.ParquetWriter(stream, schema, compression="zstd") as writer:
        for batch in batches:
            writer.write_batch(batch)
            rows += batch.num_rows
    return rows


def _write_json(batches: Iterable[pa.RecordBatch], stream: IO[bytes]) -> int:
    """Write one JSON array of objects, streamed batch by batch; NaN becomes null."""
    rows = 0
    stream.write(b"[")
    for batch in batches:
        for record in batch.to_pylist():
            stream.write(b",\n" if rows else b"\n")
            clean = {k: _json_value(v) for k, v in record.items()}
            stream.write(json.dumps(clean, ensure_ascii=False, default=str).encode())
            rows += 1
    stream.write(b"\n]\n" if rows else b"]\n")
    return rows


def _json_value(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, date):
        return value.isoformat()
    return value


# -- campaign and spike reports --------------------------------------------------------------


def campaigns_frame(con: duckdb.DuckDBPyConnection, config: Config, scope: Scope) -> pd.DataFrame:
    """Return one row per campaign and brand (the campaign's brand, then each competitor).

    --since/--until keep campaigns overlapping those days; --brand keeps campaigns of
    those brands.
    """
    frames = []
    used = exports.campaign_term_mentions(con)
    competitors = [b.name for b in config.competitors]
    for campaign in config.campaigns:
        if scope.brands and campaign.brand not in scope.brands:
            continue
        if scope.first and campaign.end < scope.first:
            continue
        if scope.last and campaign.start > scope.last:
            continue
        (start, end), (base_first, _) = campaign_windows(campaign.start, campaign.end)
        names = [campaign.brand, *(c for c in competitors if c != campaign.brand)]
        # The campaign's brands and days, with the export's sources and relevance switch.
        window = Scope(
            brands=tuple(names),
            first=base_first,
            last=end,
            tz=scope.tz,
            sources=scope.sources,
            everything=scope.everything,
        )
        daily = analytics.daily_volume(con, window, "day")
        report = campaign_report(daily, start, end)
        report.insert(0, "campaign", campaign.name)
        report.insert(1, "start", start)
        report.insert(2, "end", end)
        report.insert(3, "baseline_start", base_first)
        report.insert(4, "baseline_end", start - timedelta(days=1))
        report.insert(
            6, "role", ["brand" if b == campaign.brand else "competitor" for b in report["brand"]]
        )
        report["tracked_term_mentions"] = [
            used.get(campaign.name, 0) if b == campaign.brand else None for b in report["brand"]
        ]
        frames.append(report)
    if not frames:
        return pd.DataFrame(columns=["campaign", "start", "end", "brand", "lift"])
    return pd.concat(frames, ignore_index=True)


SPIKE_COLUMNS = [
    "incident_id",
    "brand",
    "kind",
    "status",
    "severity",
    "start",
    "peak",
    "end",
    "days",
    "peak_value",
    "peak_expected",
    "peak_ratio",
    "mentions",
    "expected",
    "negative",
    "negative_expected",
    "p_value",
    "top_terms",
    "top_mention_ids",
    "top_mention_urls",
]


def spikes_frame(
    con: duckdb.DuckDBPyConnection,
    config: Config,
    scope: Scope,
    top_terms: int = 5,
    top_mentions: int = 3,
) -> pd.DataFrame:
    """Return one row per incident, most severe first (as the Spikes page lists them), with
    its drivers: the terms most over-represented against the four weeks before it and its
    most engaged mentions. Surges inside a configured campaign are left out."""
    bounds = analytics.data_range(con, scope.tz)
    if bounds is None:
        return pd.DataFrame(columns=SPIKE_COLUMNS)
    now = datetime.now(UTC)
    # Without --until the series runs to today, so a past incident reads "over".
    today = now.astimezone(zoneinfo.ZoneInfo(scope.tz)).date()
    first, last = scope.first or bounds[0], scope.last or max(bounds[1], today)
    names = list(scope.brands) or [b.name for b in config.brands] or analytics.brands_present(con)
    wanted = replace(scope, brands=tuple(names), first=first, last=last)
    _, found = signals.incidents(con, config, wanted, now)
    found = found[found["planned"] == ""] if not found.empty else found
    rows = []
    for incident in found.itertuples():
        days = wanted.of(incident.brand).over(incident.start, incident.end)
        terms, top = signals.drivers(con, config, days, top_terms, top_mentions)
        rows.append(
            {
                "incident_id": incident.incident_id,
                "brand": incident.brand,
                "kind": incident.kind,
                "status": incident.status,
                "severity": incident.severity,
                "start": incident.start,
                "peak": incident.peak,
                "end": incident.end,
                "days": int(incident.days),
                "peak_value": int(incident.peak_value),
                "peak_expected": float(incident.peak_expected),
                "peak_ratio": round(incident.peak_value / incident.peak_expected, 1),
                "mentions": int(incident.mentions),
                "expected": float(incident.expected),
                "negative": int(incident.negative),
                "negative_expected": float(incident.negative_expected),
                "p_value": float(incident.p),
                "top_terms": "; ".join(terms["term"]),
                "top_mention_ids": "; ".join(top["id"]),
                "top_mention_urls": "; ".join(u for u in top["url"] if u),
            }
        )
    return pd.DataFrame(rows, columns=SPIKE_COLUMNS)
