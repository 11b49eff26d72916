"""`brandpulse sentiment`: score text a line at a time, for analysts checking their own text."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import IO, Annotated

import typer

from brandpulse.analysis.sentiment import CLI_SCORERS, Scorer, get_scorer
from brandpulse.config import project_model_path
from brandpulse.options import ConfigOption, resolve
from brandpulse.store.errors import ConfigError

# Lines scored at a time: big enough for both cores to help, small enough for a pipe.
CHUNK = 50_000


def command(
    file: Annotated[
        str,
        typer.Argument(help="A UTF-8 text file, one text a line; - or nothing reads stdin."),
    ] = "-",
    scorer: Annotated[
        str | None,
        typer.Option(
            help="model, vader or accurate (the model with the embedding heads on every "
            "text; needs the accurate extra). Default: [analysis] scorer, else model."
        ),
    ] = None,
    config: ConfigOption = None,
) -> int:
    """Write `label<TAB>score` for each input line, in order (score in [-1, 1]).

    The model's score is P(positive) - P(negative) and its label the likeliest class;
    VADER's score is its compound score, labelled at [settings] positive_threshold and
    negative_threshold (default +-0.05). An empty line still gets an output line.
    `brandpulse sentiment train` builds a project model from corrections (see its --help).
    """
    ctx = resolve(config, None)
    loaded = ctx.config
    name = scorer or loaded.analysis.scorer
    if name not in CLI_SCORERS:
        raise ConfigError(
            f"unknown scorer {name!r}", f"use --scorer {' or --scorer '.join(CLI_SCORERS)}"
        )
    project = project_model_path(ctx.db)
    model_path = project if project is not None and project.is_file() else None
    chosen = get_scorer(
        name,
        loaded.settings.positive_threshold,
        loaded.settings.negative_threshold,
        model_path,
        loaded.analysis.accurate_tier,
    )
    out = sys.stdout
    if file == "-":
        _score(sys.stdin, out, chosen)
        return 0
    path = Path(file)
    if not path.is_file():
        raise ConfigError(f"no such file: {path}", "give a text file, or - to read stdin")
    with path.open(encoding="utf-8", errors="replace", newline=None) as stream:
        _score(stream, out, chosen)
    return 0


def _chunks(stream: IO[str]) -> Iterator[list[str]]:
    lines = (line.rstrip("\r\n") for line in stream)
    while chunk := list(islice(lines, CHUNK)):
        yield chunk


def _score(stream: IO[str], out: IO[str], scorer: Scorer) -> None:
    for chunk in _chunks(stream):
        verdicts = scorer.verdicts(chunk)
        out.write("".join(f"{v.label}\t{round(v.score, 4)}\n" for v in verdicts))
    out.flush()
