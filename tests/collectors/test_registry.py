"""The registry is the single source of truth: every entry follows the collector protocol,
and a new source is one module plus one registry entry, with nothing else changed."""

from __future__ import annotations

import dataclasses
import inspect
import re
import typing
from pathlib import Path

import pytest
from brandpulse.collectors import base, reference
from brandpulse.store.connection import read_connection
from brandpulse.store.errors import ConfigError

from brandpulse import collectors
from brandpulse.cli import main
from brandpulse.commands.init import example_config
from brandpulse.config import parse_config

SUPPORTED = {bool, int, float, str, str | None, tuple[str, ...]}
PARAMETERS = {
    "configure": ["sections"],
    "open_client": ["settings", "credentials"],
    "collect": ["settings", "terms", "state", "client", "report"],
}


@pytest.mark.parametrize("name", list(collectors.REGISTRY))
def test_every_registry_entry_follows_the_collector_protocol(name: str) -> None:
    module = collectors.load(name)
    assert module.name == name
    assert re.fullmatch(r"[a-z]+", module.item_noun)
    assert module.mention_sources and all(
        re.fullmatch(r"[a-z]+", s) for s in module.mention_sources
    )
    for function, expected in PARAMETERS.items():
        parameters = list(inspect.signature(getattr(module, function)).parameters)
        assert len(parameters) == len(expected), f"{name}.{function}{parameters}"
    assert inspect.isgeneratorfunction(module.collect)
    assert module.sections and all(isinstance(s, base.Section) for s in module.sections)
    for section in module.sections:
        settings = section.settings
        assert dataclasses.is_dataclass(settings) and settings.__dataclass_params__.frozen
        hints = typing.get_type_hints(settings)
        for field in dataclasses.fields(settings):
            assert hints[field.name] in SUPPORTED, f"[{section.key}] {field.name}"
            assert field.metadata.get(base.DOC), f"[{section.key}] {field.name} has no doc"
    for credential in module.credentials:
        assert isinstance(credential, base.Credential)
        assert re.fullmatch(r"[A-Z][A-Z0-9_]+", credential.env) and credential.doc
    # Off until configured, on with its own example section.
    assert module.configure({}) is None
    alone = parse_config(module.example, Path("brands.toml"))
    assert alone.sources == (name,)


def test_sources_sharing_a_section_share_one_declaration() -> None:
    keys = [section.key for section in collectors.sections()]
    assert len(keys) == len(set(keys))
    assert {"feeds", "fetch", "reddit"} <= set(keys)


def test_the_example_config_holds_every_source(tmp_path: Path) -> None:
    config = parse_config(example_config(), tmp_path / "brands.toml")
    assert config.sources == tuple(collectors.REGISTRY)


def test_a_section_read_two_ways_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(collectors.REGISTRY, "toy", "tests.collectors.toy_source")
    from tests.collectors import toy_source

    other = base.Section("reddit", toy_source.Toy, doc="another [reddit]")
    monkeypatch.setattr(toy_source, "sections", (other,))
    with pytest.raises(ValueError, match=r"\[reddit\]"):
        collectors.sections()


TOY_CONFIG = """\
[[brands]]
name = "Acme"
keywords = ["acme"]

[toy]
boards = ["general", "random", "missing"]
posts = [
  "general: acme ships the new anvil",
  "general: the weather is fine",
  "random: who else loves acme rockets?",
]
"""


@pytest.fixture
def toy(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Register the toy source (one registry entry) and write a config that uses it."""
    monkeypatch.setitem(collectors.REGISTRY, "toy", "tests.collectors.toy_source")
    monkeypatch.setenv("TOY_TOKEN", "t0ken")
    path = tmp_path / "brands.toml"
    path.write_text(
        TOY_CONFIG + f'\n[settings]\ndatabase = "{tmp_path / "toy.duckdb"}"\n', encoding="utf-8"
    )
    return path


def stored(db: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    with read_connection(db) as con:
        mentions = con.execute("SELECT source, text FROM mentions ORDER BY native_id").fetchall()
        runs = con.execute(
            "SELECT source, status, CAST(details AS VARCHAR) FROM collection_runs ORDER BY run_id"
        ).fetchall()
    return mentions, runs


def test_a_toy_source_runs_through_collect_with_one_registry_entry(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = toy.parent / "toy.duckdb"
    # One board is missing: the run is partial (exit 1) and the other boards are stored.
    assert main(["collect", "--config", str(toy)]) == 1
    mentions, runs = stored(db)
    assert mentions == [
        ("toy", "acme ships the new anvil"),
        ("toy", "who else loves acme rockets?"),
    ]
    assert [(source, status) for source, status, _ in runs] == [("toy", "partial")]
    details = runs[0][2]
    assert '"name": "general"' in details and '"kind": "board"' in details
    assert "no board named 'missing'" in details
    # Per-item new counts come from the mentions' item, whatever the source.
    assert re.search(
        r'"name": "general", "kind": "board", "status": "ok", "fetched": 2, '
        r'"new": 1, "updated": 0, "skipped": 1',
        details,
    ), details

    # The cursor came back: the second run sees its posts again, edited, as updates.
    assert main(["collect", "--source", "toy", "--config", str(toy)]) == 1
    mentions, runs = stored(db)
    assert [text for _, text in mentions] == [
        "acme ships the new anvil (edited)",
        "who else loves acme rockets? (edited)",
    ]
    assert '"new": 0, "updated": 1' in runs[-1][2]

    assert main(["status", "--config", str(toy)]) == 0
    out = capsys.readouterr().out
    assert "toy: partial" in out and "toy: last run read 3 boards, 1 failed" in out


def test_the_toy_source_gets_its_own_credential_from_the_environment(
    toy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TOY_TOKEN")
    assert main(["collect", "--config", str(toy)]) == 4, "the only source failed: all failed"
    _, runs = stored(toy.parent / "toy.duckdb")
    assert [(source, status) for source, status, _ in runs] == [("toy", "failed")]


def test_the_toy_source_settings_are_checked_with_their_line(toy: Path) -> None:
    text = toy.read_text(encoding="utf-8").replace("[toy]\n", "[toy]\nlimit = 0\n")
    with pytest.raises(ConfigError) as info:
        parse_config(text, toy)
    assert info.value.message.startswith(f"{toy}:6: [toy] key 'limit'"), info.value.message


def test_the_toy_source_shows_in_the_example_docs_and_collect_errors(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "[toy]" in example_config()
    assert "### `[toy]`" in reference.render() and "`TOY_TOKEN`" in reference.render()
    toy.write_text('[[brands]]\nname = "Acme"\n', encoding="utf-8")
    assert main(["collect", "--source", "toy", "--config", str(toy)]) == 2
    assert "add a [toy] section" in capsys.readouterr().err
