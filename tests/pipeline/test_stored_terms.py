"""Collections store the sampled mentions' terms with their text; `analyze --rescore` fills
in those stored before terms were."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from brandpulse.analysis.terms import stored_terms
from brandpulse.store import term_cache, trigram_bits
from brandpulse.store.connection import read_connection, write_connection
from brandpulse.store.records import Mention, RunReport, mention_id
from brandpulse.store.writes import transaction

from brandpulse.cli import main
from brandpulse.config import Secrets, parse_config
from brandpulse.pipeline import store_mentions
from tests.pipeline.test_copies import CONFIG

NOW = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
TEXTS = [
    "Norvelo recalls City 3 e-bikes after a hub motor fault. Owners book a free repair.",
    "Love my new Norvelo! The battery lasts all week.",
    "Norvelo opens a flagship store in Ghent with test rides and a repair corner.",
]


def mentions(suffix: str = "") -> list[Mention]:
    return [
        Mention(
            id=mention_id("news", str(n)),
            source="news",
            native_id=str(n),
            url=f"https://site{n}.example/story",
            author=f"desk{n}",
            title=f"Story {n}",
            text=text + suffix,
            published_at=NOW + timedelta(hours=n),
            collected_at=NOW + timedelta(days=1),
            extra={"language": "en"},
        )
        for n, text in enumerate(TEXTS)
    ]


def stored(db: Path) -> dict[str, list[str]]:
    with read_connection(db) as con:
        rows = con.execute("SELECT mention_id, terms FROM mention_terms").fetchall()
    return {i: terms.split("\n") for i, terms in rows}


def expected(made: list[Mention]) -> dict[str, list[str]]:
    return {m.id: stored_terms(f"{m.title}. {m.text}", "en") for m in made}


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, object]:
    monkeypatch.setattr(term_cache, "CACHED_BELOW", 2**64 - 1)  # every mention is kept
    path = tmp_path / "brands.toml"
    text = CONFIG.replace('"bp.duckdb"', json.dumps(str(tmp_path / "bp.duckdb")))
    path.write_text(text, encoding="utf-8")
    return path, parse_config(text, path)


def test_a_collection_stores_terms_and_a_changed_text_replaces_them(
    config: tuple[Path, object],
) -> None:
    _, parsed = config
    db = parsed.settings.database
    store_mentions(db, parsed, Secrets(), mentions(), RunReport("feeds"))
    assert stored(db) == expected(mentions())
    # The same posts, edited: their terms follow the new text.
    store_mentions(db, parsed, Secrets(), mentions(" Recall widens."), RunReport("feeds"))
    assert stored(db) == expected(mentions(" Recall widens."))
    assert any("recall widens" in terms for terms in stored(db).values())


def test_only_mentions_below_the_limit_are_kept(
    config: tuple[Path, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, parsed = config
    made = mentions()
    keys = sorted(term_cache_key(m.id) for m in made)
    monkeypatch.setattr(term_cache, "CACHED_BELOW", keys[1])  # only the lowest key
    store_mentions(parsed.settings.database, parsed, Secrets(), made, RunReport("feeds"))
    lowest = next(m for m in made if term_cache_key(m.id) == keys[0])
    assert stored(parsed.settings.database) == expected([lowest])


def term_cache_key(mention: str) -> int:
    return int.from_bytes(hashlib.md5(mention.encode()).digest()[:8], "little")


def test_rescore_stores_the_terms_of_mentions_stored_before_them(
    config: tuple[Path, object],
) -> None:
    path, parsed = config
    db = parsed.settings.database
    made = mentions()
    store_mentions(db, parsed, Secrets(), made, RunReport("feeds"))
    with write_connection(db) as con, transaction(con):
        con.execute("DELETE FROM mention_terms")
    assert stored(db) == {}
    assert main(["analyze", "--rescore", "--config", str(path)]) == 0
    assert stored(db) == expected(made)


def test_rescore_gives_mentions_stored_before_trigram_bits_the_bits_a_write_gives(
    config: tuple[Path, object],
) -> None:
    path, parsed = config
    db = parsed.settings.database
    store_mentions(db, parsed, Secrets(), mentions(), RunReport("feeds"))
    columns = ", ".join(trigram_bits.COLUMNS)
    with read_connection(db) as con:
        written = con.execute(f"SELECT id, {columns} FROM mentions ORDER BY id").fetchall()
    with write_connection(db) as con, transaction(con):
        con.execute(f"UPDATE mentions SET {', '.join(f'{c} = NULL' for c in trigram_bits.COLUMNS)}")
    assert main(["analyze", "--rescore", "--config", str(path)]) == 0
    with read_connection(db) as con:
        assert con.execute(f"SELECT id, {columns} FROM mentions ORDER BY id").fetchall() == written
    assert all(row[1] is not None for row in written)
