"""A mention's terms equal their definition: words and 2-3 word phrases between term words."""

from __future__ import annotations

import random
import re

import pytest
from brandpulse.analysis import terms

WORDS = [
    "the",
    "acme",
    "battery",
    "recall",
    "great",
    "phone",
    "isn't",
    "#acme",
    "@globex",
    "2026",
    "it's",
    "of",
    "new",
    "www.x.example",
    "http://a.example/c",
    "globex's",
    "initech",
    "été",
    "l'été",
]


def defined(text: str, language: str | None, exclude: frozenset[str]) -> set[str]:
    """Return the terms as the module docstring defines them, for any phrase length."""
    stop = terms.stop_words(language)
    text = re.sub(r"https?://\S+|www\.\S+", " ", text.lower())
    found = set()
    for chunk in re.split(r"[.!?;:,()\[\]{}\"“”…|/\\\n]+", text):
        words = []
        for w in re.findall(r"[#@]?[a-z0-9\u00c0-\u024f][a-z0-9\u00c0-\u024f'_-]*", chunk):
            words.append(w[:-2] if w.endswith("'s") else w[:-1] if w.endswith("'") else w)

        def brand(w: str) -> bool:
            return w in exclude or w.lstrip("#@") in exclude

        def edge(w: str) -> bool:
            return not brand(w) and w not in stop and not w.isdigit()

        for k in range(len(words)):
            for size in range(1, terms.MAX_WORDS + 1):
                phrase = words[k : k + size]
                if len(phrase) < size or any(brand(w) for w in phrase):
                    break
                long_enough = size > 1 or len(phrase[0]) >= terms.MIN_LENGTH
                if edge(phrase[0]) and edge(phrase[-1]) and long_enough:
                    found.add(" ".join(phrase))
    return found


@pytest.mark.parametrize("exclude", [(), ("acme", "globex", "initech"), ("battery",)])
def test_terms_equal_their_definition(exclude: tuple[str, ...]) -> None:
    rnd = random.Random(5)
    dropped = frozenset(exclude)
    for _ in range(800):
        text = " ".join(
            rnd.choice(WORDS) + rnd.choice(["", "", ",", ".", "!"])
            for _ in range(rnd.randint(0, 14))
        )
        language = rnd.choice([None, "nl", "de-AT", "en"])
        assert terms.mention_terms(text, language, dropped) == defined(text, language, dropped)
