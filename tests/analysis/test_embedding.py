"""Sentence embeddings: shape, normalisation, meaning, determinism, and the missing-extra error."""

from __future__ import annotations

import numpy as np
import pytest
from brandpulse.analysis import embedding


def test_shape_dtype_and_unit_length(embed) -> None:  # type: ignore[no-untyped-def]
    vectors = embed(["The delivery came two days late.", "ok", "🙂 great stuff!!!"])
    assert vectors.shape == (3, embedding.DIM)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embed([]).shape == (0, embedding.DIM)


def test_paraphrases_are_closer_than_unrelated_sentences(embed) -> None:  # type: ignore[no-untyped-def]
    triples = [
        (
            "The flight was delayed again and nobody told us anything.",
            "Our plane left hours late and the airline gave us no information.",
            "Quarterly revenue grew by four percent.",
        ),
        (
            "I love the camera on this phone.",
            "This phone takes really great pictures.",
            "The train to Berlin leaves at noon.",
        ),
        (
            "Customer support never answered my emails.",
            "I wrote to their help desk many times and got no reply.",
            "She planted tomatoes in the garden.",
        ),
    ]
    for anchor, paraphrase, unrelated in triples:
        a, p, u = embed([anchor, paraphrase, unrelated])
        assert float(a @ p) > float(a @ u) + 0.3, (anchor, float(a @ p), float(a @ u))


def test_same_text_same_vector_whatever_the_batch(embed) -> None:  # type: ignore[no-untyped-def]
    # Padding must not leak into a text's vector: alone or batched with longer texts,
    # in any order, a text gets the same embedding.
    texts = [
        "short one",
        "a much longer sentence that needs many more word pieces than the first text does",
        "mid length review of a coffee machine",
    ]
    together = embed(texts, batch_size=3)
    alone = np.vstack([embed([t], batch_size=1) for t in texts])
    reversed_ = embed(texts[::-1], batch_size=2)[::-1]
    np.testing.assert_allclose(together, alone, atol=1e-5)
    np.testing.assert_allclose(together, reversed_, atol=1e-5)
    np.testing.assert_array_equal(embed(texts, batch_size=3), together)


def test_texts_past_the_token_limit_are_cut(embed) -> None:  # type: ignore[no-untyped-def]
    long = "word " * 2000
    vector = embed([long])
    assert vector.shape == (1, embedding.DIM)
    assert np.isfinite(vector).all()


def test_missing_package_gives_error_and_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedding, "PACKAGE", "brandpulse_no_such_embedding_package")
    with pytest.raises(embedding.MissingExtra) as caught:
        embedding.model_dir()
    assert "not installed" in caught.value.message
    assert caught.value.fix == embedding.INSTALL_FIX
    assert "brandpulse[accurate]" in str(caught.value)


def test_an_adapter_adds_its_low_rank_update_and_replaces_layer_norms() -> None:
    rng = np.random.default_rng(3)
    weights = {"lin.weight": rng.standard_normal((4, 5)), "norm.weight": np.ones(4)}
    a, b = rng.standard_normal((2, 5)), rng.standard_normal((4, 2))
    adapter = {"lin.lora_a": a, "lin.lora_b": b, "norm.weight": np.full(4, 2.0)}
    merged = embedding.merge_adapter(weights, adapter)
    np.testing.assert_allclose(merged["lin.weight"], weights["lin.weight"] + b @ a, rtol=1e-6)
    np.testing.assert_array_equal(merged["norm.weight"], np.full(4, 2.0))
    with pytest.raises(ValueError, match="not in the encoder"):
        embedding.merge_adapter(weights, {"other.weight": np.ones(4)})


def test_an_encoder_with_an_adapter_changes_only_by_its_update(embed, tmp_path) -> None:  # type: ignore[no-untyped-def]
    texts = ["The delivery came two days late.", "great stuff!!!"]
    base = embedding.read_safetensors(embedding.model_dir() / "model.safetensors")
    name = "encoder.layer.0.attention.self.query"
    norm = "encoder.layer.0.output.LayerNorm.weight"
    rank = np.random.default_rng(5).standard_normal((2, embedding.DIM))
    zero = tmp_path / "zero.safetensors"
    embedding.write_safetensors(
        zero,
        {
            f"{name}.lora_a": rank,
            f"{name}.lora_b": np.zeros((embedding.DIM, 2)),
            norm: base[norm],
        },
    )
    np.testing.assert_array_equal(embedding.embed(texts, adapter=zero), embed(texts))
    moved = tmp_path / "moved.safetensors"
    embedding.write_safetensors(
        moved, {f"{name}.lora_a": rank, f"{name}.lora_b": np.full((embedding.DIM, 2), 0.05)}
    )
    assert float(np.abs(embedding.embed(texts, adapter=moved) - embed(texts)).max()) > 1e-3
    assert embedding.read_safetensors(moved)[f"{name}.lora_a"].dtype == np.float32
