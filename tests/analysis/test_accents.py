"""Accent folding: base letters for accented ones, every other character kept in place."""

from __future__ import annotations

from brandpulse.analysis.accents import strip_accents


def test_accented_letters_fold_to_their_base_letter() -> None:
    assert strip_accents("País, Cercanías, NESTLÉ, Citroën, Ærø") == (
        "Pais, Cercanias, NESTLE, Citroen, Ærø"
    )


def test_everything_else_stays_as_it_is() -> None:
    for text in ["plain ascii", "straße", "ﬁne ＡＢＣ", "ジャガー", "йогурт", "emoji 🙂 ok"]:
        assert strip_accents(text) == text


def test_the_length_never_changes() -> None:
    text = "São Paulo, Zürich, Ærø, ジャガー, й"
    assert len(strip_accents(text)) == len(text)
    assert strip_accents(text).startswith("Sao Paulo, Zurich, Ærø")
