"""Multilingual sentence embeddings: shape, meaning across languages, determinism, missing extra."""

from __future__ import annotations

import numpy as np
import pytest
from brandpulse.analysis import multilingual


@pytest.fixture(scope="module")
def e5(relevance_embed) -> object:  # type: ignore[no-untyped-def]
    """The multilingual encoder's embed (the fixture skips, or fails in CI, without it)."""
    return multilingual.embed


def test_shape_dtype_and_unit_length(e5) -> None:  # type: ignore[no-untyped-def]
    vectors = e5(["El tren llegó tarde otra vez.", "ok", "🙂 great stuff!!!"])
    assert vectors.shape == (3, multilingual.DIM)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert e5([]).shape == (0, multilingual.DIM)


def test_spanish_paraphrases_are_closer_than_unrelated_sentences(e5) -> None:  # type: ignore[no-untyped-def]
    triples = [
        (
            "El tren de cercanías llegó con media hora de retraso.",
            "Otra vez el tren de cercanías viene tarde, media hora esperando.",
            "Me encanta la paella de mi abuela.",
        ),
        (
            "Hoy leí en El País una entrevista con el ministro.",
            "El periódico El País publica hoy una entrevista al ministro.",
            "Mañana vamos a la playa con los niños.",
        ),
    ]
    for anchor, paraphrase, unrelated in triples:
        a, p, u = e5([anchor, paraphrase, unrelated])
        assert float(a @ p) > float(a @ u) + 0.05, (anchor, float(a @ p), float(a @ u))


def test_same_text_same_vector_whatever_the_batch(e5) -> None:  # type: ignore[no-untyped-def]
    texts = ["corto", "una frase bastante más larga que la primera, con muchas más piezas", "medio"]
    together = e5(texts)
    alone = np.vstack([e5([t]) for t in texts])
    np.testing.assert_array_equal(together, alone)
    np.testing.assert_array_equal(e5(texts[::-1])[::-1], together)


def test_missing_package_gives_error_and_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(multilingual, "PACKAGE", "brandpulse_no_such_embedding_package")
    multilingual.encoder.cache_clear()
    try:
        with pytest.raises(multilingual.MissingExtra) as caught:
            multilingual.encoder()
    finally:
        multilingual.encoder.cache_clear()
    assert "not installed" in caught.value.message
    assert "brandpulse[accurate]" in str(caught.value)
