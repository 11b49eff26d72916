"""Accent folding: base letters for accented ones, every other character kept in place."""

from __future__ import annotations

import sys
import unicodedata

from brandpulse.analysis.accents import LAST, strip_accents


def test_accented_letters_fold_to_their_base_letter() -> None:
    assert strip_accents("País, Cercanías, NESTLÉ, Citroën, Ærø, Ǹ, ẞ") == (
        "Pais, Cercanias, NESTLE, Citroen, Ærø, N, ẞ"
    )


def test_everything_else_stays_as_it_is() -> None:
    untouched = ["plain ascii", "straße", "ﬁne ＡＢＣ", "ジャガー", "йогурт", "a ≠ b", "emoji 🙂"]
    for text in untouched:
        assert strip_accents(text) == text


def test_the_length_never_changes() -> None:
    text = "São Paulo, Zürich, Ærø, ジャガー, й"
    assert len(strip_accents(text)) == len(text)
    assert strip_accents(text).startswith("Sao Paulo, Zurich, Ærø")


def test_no_accented_latin_letter_lies_beyond_the_table() -> None:
    beyond = []
    for code in range(LAST, sys.maxunicode + 1):
        parts = unicodedata.normalize("NFD", chr(code))
        if len(parts) > 1 and parts[0].isascii() and parts[0].isalpha():
            beyond.append(hex(code))
    assert beyond == []
