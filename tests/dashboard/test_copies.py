"""The sidebar's "Count copies once" switch: a syndicated story counts once, its size shown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from brandpulse.store.records import Mention, RunReport, mention_id
from streamlit.testing.v1 import AppTest

from brandpulse.config import Secrets, load_config
from brandpulse.pipeline import store_mentions
from tests.dashboard.conftest import AppFactory, no_exceptions

CONFIG = """
[settings]
database = "copies.duckdb"

[[brands]]
name = "Norvelo"
keywords = ["norvelo"]
"""
STORY = (
    "Norvelo recalls 4,000 City 3 e-bikes after a fault in the rear hub motor was found"
    " during winter tests in Utrecht; owners can book a free repair at any dealer from Monday."
)
NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)


def build(folder: Path) -> Path:
    """Write a config and a database: one story on five feeds, three other mentions."""
    path = folder / "brands.toml"
    path.write_text(CONFIG, encoding="utf-8")
    config = load_config(path)
    texts = [f"{STORY} Reported by feed {n}." for n in range(5)]
    texts += [f"Norvelo {n} is my daily ride, {n * 7} km a day and no fault yet" for n in range(3)]
    mentions = [
        Mention(
            id=mention_id("copies", str(n)),
            source="news",
            native_id=str(n),
            url=None,
            author=f"desk {n}",
            title="",
            text=text,
            published_at=NOW - timedelta(hours=n),
            collected_at=NOW,
        )
        for n, text in enumerate(texts)
    ]
    store_mentions(config.settings.database, config, Secrets(), mentions, RunReport("feeds"))
    return path


def page_text(at: AppTest) -> str:
    return "\n".join(str(m.value) for m in at.markdown)


def test_the_switch_counts_a_story_once_and_shows_its_group_size(
    app: AppFactory, tmp_path: Path
) -> None:
    at = app(build(tmp_path))
    at.run()
    at.switch_page("views/mentions.py").run()
    no_exceptions(at)
    assert "**8** mentions match" in page_text(at)
    at.toggle(key="f_copies").set_value(True).run()
    no_exceptions(at)
    assert "**4** mentions match" in page_text(at)
    assert at.query_params.get("copies") in (["once"], "once")
    titles = list(at.dataframe[0].value["title"]) if at.dataframe else []
    assert any(str(t).startswith("[5 copies]") for t in titles), titles
    at.toggle(key="f_copies").set_value(False).run()
    assert "**8** mentions match" in page_text(at)
