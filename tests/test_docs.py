"""The README documents every CLI command and every config key, and the Makefile every target."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import typer.main
from brandpulse.collectors import reference

from brandpulse import collectors, config
from brandpulse.cli import app

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")

SECTIONS = {
    "settings": config.Settings,
    "privacy": config.Privacy,
    "brands": config.Brand,
    "campaigns": config.Campaign,
    # Every section a registered source reads.
    **{section.key: section.settings for section in collectors.sections()},
    "alerts": config.Alert,
    "analysis": config.Analysis,
    "lake": config.Lake,
}
# Fields set by the loader rather than written by users.
NOT_KEYS = {("brands", "competitor")}


def command_names() -> list[str]:
    group = typer.main.get_command(app)
    return sorted(group.commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", command_names())
def test_every_command_is_in_the_readme(name: str) -> None:
    pattern = rf"brandpulse {re.escape(name)}\b"
    assert re.search(pattern, README), f"README lacks `brandpulse {name}`"


@pytest.mark.parametrize(
    ("section", "key"),
    [
        (section, field.name)
        for section, cls in SECTIONS.items()
        for field in dataclasses.fields(cls)
        if (section, field.name) not in NOT_KEYS
    ],
)
def test_every_config_key_is_in_the_readme(section: str, key: str) -> None:
    assert f"`{key}`" in README, f"README lacks config key `{key}` of [{section}]"


def test_readme_opens_with_the_two_commands() -> None:
    head = README[:1500]
    assert "make demo" in head and "make test" in head


def test_every_make_target_has_help() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    for target in ("install", "test", "lint", "fmt", "bench", "demo", "dashboard"):
        assert re.search(rf"^{target}:.*## ", makefile, re.M), f"make {target} has no ## help"


def test_readme_source_tables_are_generated_from_the_registry() -> None:
    # `make docs` rewrites the block; a source, key or credential added without it fails here.
    assert reference.render() in README, "README's source tables are stale: run `make docs`"


@pytest.mark.parametrize("name", list(collectors.REGISTRY))
def test_every_source_is_documented(name: str) -> None:
    module = collectors.load(name)
    for section in module.sections:
        assert f"### `{section.header}`" in README
    for credential in module.credentials:
        assert f"`{credential.env}`" in README
