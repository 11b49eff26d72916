"""`brandpulse init`: write a commented example brands.toml to start from."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from brandpulse import collectors
from brandpulse.config import DEFAULT_CONFIG, parse_config
from brandpulse.store.errors import ConfigError


def example_config() -> str:
    """Return the commented example config: the shipped brands and settings, then each
    registered source's own example section."""
    base = resources.files("brandpulse").joinpath("brands.example.toml").read_text("utf-8")
    return "\n".join([base, *(module.example for module in collectors.modules())])


def command(
    path: Annotated[Path, typer.Argument(help="Where to write the config.")] = Path(DEFAULT_CONFIG),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    print_only: Annotated[
        bool, typer.Option("--print", help="Print the example instead of writing it.")
    ] = False,
) -> int:
    """Write a commented example config (brands, competitors, campaigns, sources)."""
    text = example_config()
    parse_config(text, path)  # the shipped example must always be valid
    if print_only:
        typer.echo(text, nl=False)
        return 0
    if path.exists() and not force:
        raise ConfigError(f"{path} already exists", "pass --force to overwrite it")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {path}: edit the brands and sources, then run `brandpulse collect`")
    return 0
