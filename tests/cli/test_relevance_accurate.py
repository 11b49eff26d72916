"""`[analysis] accurate_relevance`: the embedding head scores beside the gram model in the store."""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from brandpulse.analysis import embedding, multilingual
from brandpulse.analysis.relevance import Signals
from brandpulse.analysis.relevance_vectors import HEAD_VERSION, embed, embedded_texts, fit_combined
from brandpulse.store import relevance as relevance_store
from brandpulse.store.connection import read_connection
from brandpulse.store.records import RunReport, mention_id

from brandpulse.cli import main
from brandpulse.config import Secrets, parse_config
from brandpulse.pipeline import store_mentions
from tests.cli.test_relevance_cli import CARS, CATS, _mention

ACCURATE = "[analysis]\naccurate_relevance = true\n\n"
BRAND = """\
[settings]
database = "bp.duckdb"

[[brands]]
name = "Jaguar"
keywords = ["jaguar"]
"""
# Five of each kind: enough for the head (two of each) and for the mixture (five of each);
# one of each is left unmarked for the mixture to refine on.
MARKED = {n: n < 6 for n in (0, 1, 2, 3, 4, 6, 7, 8, 9, 10)}
LATER = [
    "Jaguar dealer offers a free service on every XF car",
    "A jaguar crossed the river in the rainforest at dawn",
]


@pytest.fixture
def extra() -> None:
    """Skip without the accurate extra (the test of its absence is below)."""
    packages = ("tokenizers", embedding.PACKAGE, multilingual.PACKAGE)
    if any(importlib.util.find_spec(n) is None for n in packages):
        pytest.skip(f"accurate extra not installed: {embedding.INSTALL_FIX}")


def _config(tmp_path: Path, accurate: bool) -> Path:
    path = tmp_path / "brands.toml"
    path.write_text((ACCURATE if accurate else "") + BRAND, encoding="utf-8")
    return path


def _collect(path: Path, texts: list[str], start: int = 0) -> Path:
    config = parse_config(path.read_text(encoding="utf-8"), path)
    mentions = [_mention(start + n, text) for n, text in enumerate(texts)]
    store_mentions(config.settings.database, config, Secrets(), mentions, RunReport("feeds"))
    return config.settings.database


def _stored(db: Path) -> dict[str, tuple[float, str]]:
    with read_connection(db) as con:
        rows = con.execute(
            "SELECT mention_id, relevance, relevance_version FROM mention_brands"
        ).fetchall()
    return {mid: (score, version) for mid, score, version in rows}


def _mark(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    marks = path.parent / "marks.csv"
    lines = ["mention_id,brand,label"]
    for n, related in MARKED.items():
        lines.append(f"{mention_id('test', str(n))},Jaguar,{'related' if related else 'unrelated'}")
    marks.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["relevance", "import", str(marks), "--config", str(path)]) == 0
    capsys.readouterr()


def _expected(texts: list[str]) -> np.ndarray:
    """Score as `relevance eval --accurate` does: the gram model, the head and the mixture
    fitted on the marks and the brand's unmarked mentions (two here)."""
    signals = Signals(name="Jaguar", terms=("jaguar",))
    everything = CARS + CATS
    marked = [everything[n] for n in MARKED]
    unmarked = [t for n, t in enumerate(everything) if n not in MARKED]
    model = fit_combined(
        signals,
        marked,
        list(MARKED.values()),
        embed(embedded_texts(marked, signals)),
        (unmarked, embed(embedded_texts(unmarked, signals))),
    )
    assert model.head is not None and model.mixture is not None
    vectors = embed(embedded_texts(texts, signals))
    return 1.0 / (1.0 + np.exp(-model.logits_of(texts, vectors)))


def test_marked_brands_score_with_the_head_at_marking_rescore_and_collection(
    tmp_path: Path, extra: None, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _config(tmp_path, accurate=True)
    texts = CARS + CATS
    db = _collect(path, texts)
    # Without marks of both kinds there is no head: the gram model's version alone.
    assert all(HEAD_VERSION not in v for _, v in _stored(db).values())

    _mark(path, capsys)
    ids = [mention_id("test", str(n)) for n in range(len(texts))]
    stored = _stored(db)
    assert all(stored[i][1].startswith("ngram-lr-") for i in ids)
    assert all(stored[i][1].endswith(f"+{HEAD_VERSION}") for i in ids)
    expected = _expected(texts + LATER)
    np.testing.assert_allclose([stored[i][0] for i in ids], expected[: len(texts)], atol=1e-5)

    assert main(["analyze", "--rescore", "--config", str(path)]) == 0
    capsys.readouterr()
    rescored = _stored(db)
    np.testing.assert_allclose([rescored[i][0] for i in ids], expected[: len(texts)], atol=1e-5)

    _collect(path, LATER, start=len(texts))
    later = [mention_id("test", str(len(texts) + n)) for n in range(len(LATER))]
    stored = _stored(db)
    assert all(stored[i][1].endswith(f"+{HEAD_VERSION}") for i in later)
    np.testing.assert_allclose([stored[i][0] for i in later], expected[len(texts) :], atol=1e-5)

    # The same marks without the option: the gram model alone, other scores.
    plain = tmp_path / "plain"
    plain.mkdir()
    plain_path = _config(plain, accurate=False)
    plain_db = _collect(plain_path, texts)
    _mark(plain_path, capsys)
    plain_stored = _stored(plain_db)
    assert all(HEAD_VERSION not in plain_stored[i][1] for i in ids)
    plain_scores = [plain_stored[i][0] for i in ids]
    assert not np.allclose(plain_scores, expected[: len(texts)], atol=1e-3)


def test_the_unmarked_sample_is_the_brands_unmarked_mentions_with_the_lowest_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _config(tmp_path, accurate=False)
    texts = CARS + CATS
    db = _collect(path, texts)
    _mark(path, capsys)
    unmarked = [n for n in range(len(texts)) if n not in MARKED]

    def key(n: int) -> int:  # the sample key: the first 8 bytes of the id's MD5
        digest = hashlib.md5(mention_id("test", str(n)).encode()).digest()
        return int.from_bytes(digest[:8], "little")

    with read_connection(db) as con:
        every = relevance_store.unmarked_sample(con, "Jaguar", 100)
        first = relevance_store.unmarked_sample(con, "Jaguar", 1)
        other = relevance_store.unmarked_sample(con, "Nobody", 100)
    assert sorted(every["text"]) == sorted(texts[n] for n in unmarked)
    assert list(first["text"]) == [texts[min(unmarked, key=key)]]
    assert other.empty


@pytest.mark.parametrize("module", [embedding, multilingual], ids=["minilm", "e5"])
def test_without_the_extra_it_is_one_error_with_the_fix(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    module: ModuleType,
) -> None:
    """Either encoder missing stops `analyze` with one error and the install line."""
    path = _config(tmp_path, accurate=True)
    monkeypatch.setattr(module, "PACKAGE", "brandpulse_no_such_embedding_package")
    module.encoder.cache_clear()
    try:
        code = main(["analyze", "--config", str(path)])
    finally:
        module.encoder.cache_clear()
    _, err = capsys.readouterr()
    assert code != 0
    assert "error:" in err and "not installed" in err
    assert "fix:" in err and "brandpulse[accurate]" in err
    assert "Traceback" not in err
