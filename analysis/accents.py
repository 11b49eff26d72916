"""Accent folding that keeps every character in its place: "País" -> "Pais".

People write a brand's name with and without its accents ("El País" and "El Pais",
"Nestlé" and "Nestle", "Cercanías" and "cercanias"), often in the same week. Folding both
the name and the text lets either spelling find the other. Each character maps to one
character, so positions found in the folded text hold in the original.
"""

from __future__ import annotations

import unicodedata


class _Folding(dict[int, str]):
    """str.translate's table, filled in as characters are first seen."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        parts = unicodedata.normalize("NFD", char)
        # Only a Latin letter plus combining marks ("í" = "i" + acute) folds. Ligatures,
        # full-width forms, letters without a decomposition ("ß", "ø") and other scripts,
        # where a mark can make another letter (Cyrillic "й", kana "ジ"), stay as they are.
        marked = len(parts) > 1 and all(map(unicodedata.combining, parts[1:]))
        folded = parts[0] if marked and parts[0].isascii() else char
        self[code] = folded
        return folded


_TABLE = _Folding()


def strip_accents(text: str) -> str:
    """Return `text` with each accented letter replaced by its base letter, same length."""
    return text if text.isascii() else text.translate(_TABLE)
