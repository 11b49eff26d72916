"""The accurate tier: its heads' files and cards, which texts take it, the config key, the CLI."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from brandpulse.analysis import embedding, multilingual
from brandpulse.analysis.rules import Rules
from brandpulse.analysis.sentiment import get_scorer, rules_scorer
from brandpulse.analysis.sentiment_accurate import (
    DEFAULT_HEAD,
    DEFAULT_HEADS,
    E5_HEAD,
    MULTILINGUAL,
    AccurateScorer,
    Head,
    combine,
    load_head,
)
from brandpulse.analysis.sentiment_model import DEFAULT_MODEL, load_model

from brandpulse.cli import main
from brandpulse.sentiment_corpora import evaluation_sets

CARD = DEFAULT_HEAD.with_name("sentiment-head.card.json")
E5_CARD = E5_HEAD.with_name("sentiment-e5-head.card.json")
TIER_CARD = DEFAULT_HEAD.with_name("sentiment-tier.card.json")
TEXTS = [
    "thanks for losing my bag again, great job",
    "my flight was cancelled and nobody at the desk helped",
    "the crew was wonderful, best flight I've had",
    "loved the new lounge, thank you!",
]


def test_the_shipped_head_is_the_one_its_card_describes() -> None:
    card = json.loads(CARD.read_text())
    assert hashlib.sha256(DEFAULT_HEAD.read_bytes()).hexdigest() == card["head_sha256"]
    head = load_head()
    assert head.weights.shape == (embedding.DIM, 3) and head.bias.shape == (3,)
    assert head.adapter is not None and head.adapter.is_file()
    adapter_sha256 = hashlib.sha256(head.adapter.read_bytes()).hexdigest()
    assert card["embedding"]["adapter_sha256"] == adapter_sha256


def test_the_shipped_e5_head_is_the_one_its_card_describes() -> None:
    card = json.loads(E5_CARD.read_text())
    assert hashlib.sha256(E5_HEAD.read_bytes()).hexdigest() == card["head_sha256"]
    head = load_head(E5_HEAD)
    assert head.encoder == MULTILINGUAL and head.multilingual and head.adapter is None
    assert head.weights.shape == (multilingual.DIM, 3) and head.bias.shape == (3,)


def test_the_tier_card_names_the_parts_it_measured() -> None:
    # A part rebuilt without its tier card rewritten would leave the figures of another tier.
    card = json.loads(TIER_CARD.read_text())
    assert card["linear_model_sha256"] == load_model(DEFAULT_MODEL).sha256
    assert card["heads"] == {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in DEFAULT_HEADS
    }


def test_a_head_over_an_unknown_encoder_is_refused(tmp_path: Path) -> None:
    header = json.loads(E5_HEAD.read_bytes())
    header["embedding"]["encoder"] = "some-other-encoder"
    (tmp_path / "head.json").write_text(json.dumps(header))
    with pytest.raises(ValueError, match="unknown encoder"):
        Head.from_file(tmp_path / "head.json")


def test_a_head_refuses_an_adapter_it_was_not_trained_with(tmp_path: Path) -> None:
    header = json.loads(DEFAULT_HEAD.read_bytes())
    (tmp_path / DEFAULT_HEAD.name).write_bytes(DEFAULT_HEAD.read_bytes())
    adapter = header["embedding"]["adapter"]
    (tmp_path / adapter).write_bytes(b"0" * 64)
    with pytest.raises(ValueError, match="not the adapter"):
        Head.from_file(tmp_path / DEFAULT_HEAD.name)


def test_the_head_reads_the_encoder_with_its_adapter(embed: object) -> None:
    # The head was trained on the fine-tuned encoder's embeddings, not the plain ones.
    head = load_head()
    tuned = head.probabilities(head.embed(TEXTS)).argmax(axis=1).tolist()
    assert tuned == [0, 0, 2, 2]
    plain = embedding.embed(TEXTS)
    assert float(np.abs(plain - head.embed(TEXTS)).max()) > 0.05


def test_the_e5_head_reads_multilingual_e5(tier_heads: tuple[Head, ...]) -> None:
    head = tier_heads[1]
    np.testing.assert_array_equal(head.embed(TEXTS), multilingual.embed(TEXTS))
    # The first text's sarcasm is beyond a head on embeddings not tuned for sentiment.
    assert head.probabilities(head.embed(TEXTS[1:])).argmax(axis=1).tolist() == [0, 2, 2]


def test_only_texts_the_model_is_unsure_of_take_the_heads(
    tier_heads: tuple[Head, ...],
) -> None:
    model = load_model(DEFAULT_MODEL)
    texts = [
        "I absolutely love this, best service ever!",
        "worst airline ever, lost my bag and nobody cares",
        "the package arrived on tuesday",
        "hmm not sure what to think of the new update",
    ]
    alone = model.probabilities(texts)
    below = float(np.median(alone.max(axis=1)))
    probs, taken = combine(model, tier_heads, texts, below)
    assert taken.tolist() == (alone.max(axis=1) < below).tolist()
    assert 0 < taken.sum() < len(texts)
    np.testing.assert_array_equal(probs[~taken], alone[~taken])
    chosen = [t for t, k in zip(texts, taken, strict=True) if k]
    minilm, e5 = (h.probabilities(h.embed(chosen)) for h in tier_heads)
    expected = (alone[taken] + minilm + e5) / 3
    np.testing.assert_allclose(probs[taken], expected, atol=1e-6)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)


def test_the_config_key_turns_the_tier_on_and_its_version_names_it(
    tier_heads: tuple[Head, ...],
) -> None:
    plain = rules_scorer(Rules())
    tier = rules_scorer(Rules(accurate_tier=True))
    assert isinstance(tier, AccurateScorer) and not isinstance(plain, AccurateScorer)
    assert tier.version != plain.version and tier.name != plain.name
    assert all(f"{h.version}+{h.sha256[:12]}" in tier.version for h in tier_heads)
    verdicts = tier.verdicts(["Thank you so much, great help!", "This is a disaster."])
    assert [v.label for v in verdicts] == ["positive", "negative"]
    assert all(-1 <= v.score <= 1 and 0 < (v.confidence or 0) <= 1 for v in verdicts)


def test_the_tier_stays_above_the_floor_of_its_card(
    tier_heads: tuple[Head, ...], corpora: Path
) -> None:
    # A slice of TweetEval validation (embedding all of it takes minutes): the card records
    # the tier's figures on this same slice.
    card = json.loads(TIER_CARD.read_text())
    check = card["check"]
    corpus = next(c for c in evaluation_sets(corpora) if c.name == check["set"])
    texts = corpus.texts[: check["texts"]]
    labels = corpus.labels[: check["texts"]]
    verdicts = get_scorer("accurate").verdicts(texts)
    accuracy = sum(v.label == g for v, g in zip(verdicts, labels, strict=True)) / len(texts)
    assert accuracy >= check["accuracy"] - 0.01


def test_cli_scores_with_the_tier_on_demand(
    tier_heads: tuple[Head, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "in.txt"
    path.write_text("I love it\n\nawful, broken again\n", encoding="utf-8")
    config = tmp_path / "brands.toml"
    config.write_text('[[brands]]\nname = "Acme"\n', encoding="utf-8")
    assert main(["sentiment", str(path), "--scorer", "accurate", "--config", str(config)]) == 0
    got = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert len(got) == 3 and got[0][0] == "positive" and got[2][0] == "negative"


@pytest.mark.parametrize("module", [embedding, multilingual], ids=["minilm", "e5"])
def test_cli_without_the_extra_says_what_to_install(
    module: object,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Either encoder missing stops the tier before it scores anything.
    monkeypatch.setattr(module, "PACKAGE", "brandpulse_no_such_embedding_package")
    embedding.encoder.cache_clear()
    multilingual.encoder.cache_clear()
    get_scorer.cache_clear()
    path = tmp_path / "in.txt"
    path.write_text("fine\n", encoding="utf-8")
    config = tmp_path / "brands.toml"
    config.write_text('[[brands]]\nname = "Acme"\n', encoding="utf-8")
    code = main(["sentiment", str(path), "--scorer", "accurate", "--config", str(config)])
    err = capsys.readouterr().err
    assert code != 0
    assert "error:" in err and "fix:" in err and "brandpulse[accurate]" in err
    assert "Traceback" not in err
    embedding.encoder.cache_clear()
    multilingual.encoder.cache_clear()
    get_scorer.cache_clear()


def test_head_bytes_round_trip(tmp_path: Path) -> None:
    from brandpulse.analysis.sentiment_accurate import head_bytes

    rng = np.random.default_rng(7)
    header = {
        "name": "h",
        "version": "0",
        "classes": ["negative", "neutral", "positive"],
        "bias": [0.5, -0.25, 0.0],
        "weights": rng.standard_normal((4, 3)).astype(np.float32).tolist(),
    }
    path = tmp_path / "head.json"
    path.write_bytes(head_bytes(header))
    head = Head.from_file(path)
    np.testing.assert_array_equal(head.weights, np.asarray(header["weights"], dtype=np.float32))
    assert head_bytes(header) == path.read_bytes()
    probs = head.probabilities(rng.standard_normal((5, 4)).astype(np.float32))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-6)


def test_accurate_tier_is_read_from_the_analysis_section(tmp_path: Path) -> None:
    from brandpulse.store.errors import ConfigError

    from brandpulse.config import load_config
    from brandpulse.rules import rules_from_config

    path = tmp_path / "brands.toml"
    path.write_text('[analysis]\naccurate_tier = true\n\n[[brands]]\nname = "Acme"\n')
    config = load_config(path)
    assert config.analysis.accurate_tier is True
    assert rules_from_config(config).accurate_tier is True
    path.write_text('[[brands]]\nname = "Acme"\n')
    assert load_config(path).analysis.accurate_tier is False
    path.write_text('[analysis]\naccurate_tier = "yes"\n')
    with pytest.raises(ConfigError, match="accurate_tier"):
        load_config(path)


def test_cached_embed_fns_serve_each_head_its_own_vectors(
    tier_heads: tuple[Head, ...], tmp_path: Path
) -> None:
    from brandpulse.analysis.sentiment_accurate import cached_embed_fns

    fns = cached_embed_fns(tier_heads, TEXTS[:2], tmp_path)
    assert len(list(tmp_path.glob("*.npy"))) == 2  # one file per encoder
    asked = [TEXTS[1], TEXTS[3], TEXTS[1]]  # one text not embedded up front
    for head, fn in zip(tier_heads, fns, strict=True):
        np.testing.assert_allclose(fn(asked), head.embed(asked), atol=1e-6)
    minilm, e5 = (fn(asked) for fn in fns)
    assert float(np.abs(minilm - e5).max()) > 0.05
