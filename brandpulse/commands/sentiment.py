"""`brandpulse sentiment`: score text a line at a time, for analysts checking their own text."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import IO, Annotated

import typer

from brandpulse.analysis.sentiment import label_for
from brandpulse.analysis.vader import score_many
from brandpulse.config import load_config
from brandpulse.options import ConfigOption
from brandpulse.store.errors import ConfigError

# Lines scored at a time: big enough for both cores to help, small enough for a pipe.
CHUNK = 50_000


def command(
    file: Annotated[
        str,
        typer.Argument(help="A UTF-8 text file, one text a line; - or nothing reads stdin."),
    ] = "-",
    config: ConfigOption = None,
) -> int:
    """Write `label<TAB>score` for each input line, in order (VADER compound score).

    Thresholds come from [settings] positive_threshold and negative_threshold (default
    +-0.05). An empty line scores neutral 0.0, so output lines match input lines.
    """
    settings = load_config(config).settings
    out = sys.stdout
    if file == "-":
        stream: IO[str] = sys.stdin
        _score(stream, out, settings.positive_threshold, settings.negative_threshold)
        return 0
    path = Path(file)
    if not path.is_file():
        raise ConfigError(f"no such file: {path}", "give a text file, or - to read stdin")
    with path.open(encoding="utf-8", errors="replace", newline=None) as stream:
        _score(stream, out, settings.positive_threshold, settings.negative_threshold)
    return 0


def _chunks(stream: IO[str]) -> Iterator[list[str]]:
    lines = (line.rstrip("\r\n") for line in stream)
    while chunk := list(islice(lines, CHUNK)):
        yield chunk


def _score(stream: IO[str], out: IO[str], positive: float, negative: float) -> None:
    for chunk in _chunks(stream):
        scores = score_many(chunk)
        out.write("".join(f"{label_for(s, positive, negative)}\t{s}\n" for s in scores))
    out.flush()
