"""Render the registered sources' settings and credentials as the Markdown the docs carry.

README.md holds the result between two markers; `make docs` rewrites it and
tests/test_docs.py fails when it differs, so the docs cannot drift from the registry.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from brandpulse.collectors.base import DOC, SHOWN, Section

from brandpulse import collectors

BEGIN = "<!-- sources: generated from the collectors registry by `make docs` -->"
END = "<!-- sources: end -->"


def shown_default(f: dataclasses.Field[Any]) -> str:
    """Return a field's default as the docs show it: TOML-like, `required` when it has none."""
    if f.metadata.get(SHOWN):
        return f"`{f.metadata[SHOWN]}`"
    if f.default is dataclasses.MISSING:
        return "required"
    value = f.default
    if value is None:
        return ""
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, float):
        return f"`{value:g}`"
    if isinstance(value, tuple):
        return f"`{json.dumps(list(value))}`"
    return f"`{value}`"


def section_table(section: Section, readers: list[str]) -> str:
    """Return one section's heading, sentence and key | default | meaning table."""
    who = ", ".join(f"`{name}`" for name in readers)
    lines = [
        f"### `{section.header}`",
        "",
        f"{section.doc[:1].upper()}{section.doc[1:]} (read by the {who} source"
        f"{'s' if len(readers) > 1 else ''}).",
        "",
        "| key | default | meaning |",
        "|---|---|---|",
    ]
    for f in dataclasses.fields(section.settings):
        lines.append(f"| `{f.name}` | {shown_default(f)} | {f.metadata.get(DOC, '')} |")
    return "\n".join(lines)


def credentials_table(modules: list[ModuleType]) -> str:
    """Return the table of every source's environment variables."""
    lines = [
        "### Credentials",
        "",
        "Read from the environment only, never from the config file.",
        "",
        "| source | variable | meaning |",
        "|---|---|---|",
    ]
    for module in modules:
        for credential in module.credentials:
            need = "required: " if credential.required else ""
            lines.append(f"| `{module.name}` | `{credential.env}` | {need}{credential.doc} |")
    return "\n".join(lines)


def render() -> str:
    """Return the generated block: every source section's table, then the credentials."""
    modules = collectors.modules()
    parts = []
    for section in collectors.sections():
        readers = [m.name for m in modules if section in m.sections]
        parts.append(section_table(section, readers))
    parts.append(credentials_table(modules))
    return "\n\n".join([BEGIN, *parts, END])


def replace_block(text: str) -> str:
    """Return `text` with its generated block replaced by a fresh one."""
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return text[:start] + render() + text[end:]


def main(argv: list[str]) -> int:
    """Rewrite the generated block of each file named (README.md by default)."""
    for name in argv or ["README.md"]:
        path = Path(name)
        path.write_text(replace_block(path.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
