"""docs/sources.md: its recipes are valid config, and its `{query}` feeds expand per brand."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from brandpulse.collectors import feeds

from brandpulse.config import parse_config

DOC = Path(__file__).resolve().parents[1] / "docs" / "sources.md"
BRANDS = """\
[[brands]]
name = "Acme"
keywords = ["Acme", "Acme Corp"]

[[competitors]]
name = "Globex"
"""


def recipes() -> str:
    blocks = re.findall(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert blocks, "docs/sources.md has no TOML example"
    return "\n".join(blocks)


def test_the_recipes_are_valid_config_and_expand_once_per_brand(tmp_path: Path) -> None:
    config = parse_config(BRANDS + recipes(), tmp_path / "brands.toml")
    settings = config.source_settings("feeds")
    assert settings is not None
    templated = [f for f in settings.feeds if f.templated]
    plain = [f for f in settings.feeds if not f.templated]
    assert len(templated) == 3 and len(plain) == 1
    jobs, problems = feeds.feed_jobs(settings.feeds, config.terms)
    assert problems == []
    assert len(jobs) == 2 * len(templated) + len(plain)
    searched = {(job.brand, parse_qs(urlsplit(job.url).query)["q"][0]) for job in jobs if job.brand}
    assert searched == {
        ("Acme", 'Acme OR "Acme Corp"'),
        ("Globex", "Globex"),
        ("Acme", 'Acme OR "Acme Corp" when:7d'),
        ("Globex", "Globex when:7d"),
    }
