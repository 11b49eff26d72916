"""A post whose JSON holds half an emoji (a lone "\\ud83d" escape) is stored, not its batch lost.

Python's json decodes such an escape into a lone surrogate, which Arrow and DuckDB refuse:
before, one such character failed the write, then the outbox, and cost the whole batch.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from brandpulse.store import spill
from brandpulse.store.connection import read_connection
from brandpulse.store.records import Mention, RunReport, mention_id

from brandpulse.config import Secrets, parse_config
from brandpulse.pipeline import store_mentions
from tests.pipeline.test_copies import CONFIG

NOW = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
# As an API that cut a post after the first half of an emoji would send it.
PAYLOAD = """[
  {"id": "1", "author": "rider\\ud83d", "text": "Norvelo battery died again \\ud83d",
   "extra": {"display_name": "Ri \\udc4d"}},
  {"id": "2", "author": "ok", "text": "Norvelo service was quick \\ud83d\\ude00",
   "extra": {"display_name": "fine"}},
  {"id": "3", "author": "plain", "text": "Norvelo opens a store in Ghent", "extra": {}},
  {"id": "4\ud83d", "author": "cut", "text": "Norvelo id cut in half", "extra": {}}
]"""


def mentions() -> list[Mention]:
    return [
        Mention(
            id=mention_id("mastodon", post["id"]),
            source="mastodon",
            native_id=post["id"],
            url=f"https://social.example/@{post['author']}/{post['id']}",
            author=post["author"],
            title="",
            text=post["text"],
            published_at=NOW,
            collected_at=NOW,
            extra=post["extra"],
        )
        for post in json.loads(PAYLOAD)
    ]


def test_lone_surrogates_become_replacement_characters_and_the_batch_is_stored(
    tmp_path: Path,
) -> None:
    path = tmp_path / "brands.toml"
    text = CONFIG.replace('"bp.duckdb"', json.dumps(str(tmp_path / "bp.duckdb")))
    config = parse_config(text, path)
    report = store_mentions(
        config.settings.database, config, Secrets(), mentions(), RunReport("mastodon")
    )
    assert not report.errors
    assert report.new == 4
    with read_connection(config.settings.database) as con:
        sql = "SELECT native_id, text || '|' || coalesce(extra::VARCHAR, '') FROM mentions"
        rows = dict(con.execute(sql).fetchall())
    assert rows["1"].startswith("Norvelo battery died again \ufffd|")
    assert json.loads(rows["1"].split("|", 1)[1]) == {"display_name": "Ri \ufffd"}
    assert rows["2"].startswith("Norvelo service was quick 😀|")  # a whole pair is kept
    assert rows["3"].startswith("Norvelo opens a store in Ghent")
    assert rows["4\ufffd"].startswith("Norvelo id cut in half")
    # The id hashes the native id as stored, so re-collecting the post updates it.
    assert mention_id("mastodon", "4\ud83d") == mention_id("mastodon", "4\ufffd")


def test_the_outbox_takes_them_too(tmp_path: Path) -> None:
    written = spill.spill_mentions(tmp_path / "bp.duckdb", "mastodon", mentions())
    assert Path(written).exists()
