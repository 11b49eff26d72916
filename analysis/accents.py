"""Accent folding that keeps every character in its place: "País" -> "Pais".

People write a brand's name with and without its accents ("El País" and "El Pais",
"Nestlé" and "Nestle", "Cercanías" and "cercanias"), often in the same week. Folding both
the name and the text lets either spelling find the other. Each character maps to one
character, so positions found in the folded text hold in the original.
"""

from __future__ import annotations

import unicodedata

# Every Latin letter with marks lies below this code point (the last is U+212B, the
# Ångström sign); tests/analysis/test_accents.py checks the rest of Unicode.
LAST = 0x2200


def _folding() -> dict[int, str]:
    """Return str.translate's table: each Latin letter plus combining marks ("í" = "i" +
    acute) to its letter. Ligatures, full-width forms, letters without a decomposition
    ("ß", "ø"), symbols ("≠") and other scripts, where a mark can make another letter
    (Cyrillic "й", kana "ジ"), are not in it and stay as they are."""
    table = {}
    for code in range(0x80, LAST):
        parts = unicodedata.normalize("NFD", chr(code))
        base, marks = parts[0], parts[1:]
        if marks and base.isascii() and base.isalpha() and all(map(unicodedata.combining, marks)):
            table[code] = base
    return table


_TABLE = _folding()


def strip_accents(text: str) -> str:
    """Return `text` with each accented letter replaced by its base letter, same length."""
    return text if text.isascii() else text.translate(_TABLE)
