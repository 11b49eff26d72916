"""The sentiment model's token vectors: WordPiece ids, mean vectors, the model file's layout."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from brandpulse.analysis.sentiment_model import (
    DEFAULT_MODEL,
    DENSE,
    LinearModel,
    clean,
    load_model,
    token_feature_count,
    token_features,
    write_model,
)
from brandpulse.analysis.token_vectors import TokenVectors

CARD = DEFAULT_MODEL.with_suffix(".json")


def test_the_shipped_model_reads_the_token_vectors_its_card_describes() -> None:
    model = load_model()
    described = json.loads(CARD.read_text())["parameters"]["token_vectors"]
    assert model.tokens is not None
    assert (len(model.tokens.tokens), model.tokens.dims) == (
        described["tokens"],
        described["dims"],
    )
    # Two blocks of weights: the words outside a negation's scope, and those inside it.
    assert token_feature_count(model.tokens) == 2 * model.tokens.dims
    assert model.weights.shape == (len(model.vocab) + DENSE + 2 * model.tokens.dims, 3)


def test_a_word_the_vocabulary_lacks_is_read_as_its_word_pieces() -> None:
    tokens = load_model().tokens
    assert tokens is not None
    (ids,) = tokens.token_ids(["rebooked"])
    pieces = [tokens.tokens[i] for i in ids]
    assert "rebooked" not in tokens.tokens  # the word itself is not a token
    assert len(pieces) >= 2 and "[UNK]" not in pieces
    assert "".join(p.removeprefix("##") for p in pieces) == "rebooked"


def test_a_texts_vector_is_the_unit_mean_of_its_tokens_vectors() -> None:
    tokens = load_model().tokens
    assert tokens is not None
    texts = ["flight delayed again, 3 hours on the tarmac", "", "!!!"]
    vectors = tokens.embed(texts)
    ids = tokens.token_ids(texts[:1])[0]
    mean = tokens.vectors[ids].astype(np.float32).mean(axis=0)
    assert np.allclose(vectors[0], mean / np.linalg.norm(mean), atol=1e-5)
    assert np.allclose(np.linalg.norm(vectors[0]), 1.0, atol=1e-5)
    assert not vectors[1].any()  # no tokens, no vector
    assert tokens.embed([]).shape == (0, tokens.dims)


def test_words_after_a_negator_have_their_own_block() -> None:
    tokens = load_model().tokens
    assert tokens is not None
    features = token_features(tokens, [clean("Not happy with the service. Great crew"), "great"])
    plain, negated = features[:, : tokens.dims], features[:, tokens.dims :]
    assert np.allclose(plain[0], tokens.embed(["not . great crew"])[0], atol=1e-6)
    assert np.allclose(negated[0], tokens.embed(["happy with the service"])[0], atol=1e-6)
    assert not negated[1].any()  # nothing negated, nothing in the second block


def test_a_model_file_keeps_its_token_vectors_byte_for_byte(tmp_path: Path) -> None:
    model = load_model()
    copy = tmp_path / "copy.bin"
    digest = write_model(copy, model.header, list(model.vocab), model.weights, model.tokens)
    assert digest == model.sha256
    texts = ["the crew was wonderful", "bag lost, no refund"]
    assert np.array_equal(
        LinearModel.from_file(copy).probabilities(texts, processes=1),
        model.probabilities(texts, processes=1),
    )


def test_a_model_file_without_token_vectors_still_loads_and_scores(tmp_path: Path) -> None:
    # Project models written before model 4.0 have no token vectors.
    model = load_model()
    assert model.tokens is not None
    header = {k: v for k, v in model.header.items() if k != "token_vectors"}
    older = tmp_path / "older.bin"
    write_model(
        older, header, list(model.vocab), model.weights[: -token_feature_count(model.tokens)]
    )
    loaded = LinearModel.from_file(older)
    assert loaded.tokens is None
    assert loaded.weights.shape == (len(model.vocab) + DENSE, 3)
    # It scores with the n-grams and VADER's features alone: the full model's logits less
    # what its token vectors add.
    texts = ["great flight", "awful delay, never again"]
    added = (
        token_features(model.tokens, [clean(t) for t in texts])
        @ model.weights[len(model.vocab) + DENSE :]
    )
    assert np.allclose(loaded._logits(texts), model._logits(texts) - added, atol=1e-5)


def test_vectors_must_match_their_tokens() -> None:
    with pytest.raises(ValueError, match="2 tokens but vectors of shape"):
        TokenVectors(["a", "b"], np.zeros((3, 4), dtype=np.float16))
