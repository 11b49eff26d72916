"""Detect a mention's language with py3langid, whose model ships inside its wheel.

Why py3langid (measured in docs/analysis.md, "Languages"): on the shared English tweets it
calls 99% of them English, against 97% for lingua's low-accuracy mode, runs several times
faster than lingua and adds far less memory. Very short texts carry too little signal, so
they get no language (None) rather than a guess; the sentiment scorer still reads them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from brandpulse.store.records import Mention

# Texts with fewer letters than this are left undetected: a guess on "lol ok" is noise.
MIN_LETTERS = 12
# Below this probability the detector's answer is not kept.
MIN_PROBABILITY = 0.5
_URL = re.compile(r"https?://\S+|www\.\S+|@\w+|#")


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect(text: str) -> str | None:
    """Return the ISO 639-1 code of text's language, or None when too short or unsure."""
    stripped = _URL.sub(" ", text)
    if sum(c.isalpha() for c in stripped) < MIN_LETTERS:
        return None
    code, probability = _identifier().classify(stripped)
    return str(code) if probability >= MIN_PROBABILITY else None


def mention_language(mention: Mention) -> str | None:
    """Return the language of a mention's title and text."""
    text = mention.text if mention.title in mention.text else f"{mention.title}\n{mention.text}"
    return detect(text[:2000])


def with_languages(mentions: Sequence[Mention]) -> list[Mention]:
    """Return the mentions with `language` set, detected once per mention that lacks one."""
    from dataclasses import replace

    return [m if m.language else replace(m, language=mention_language(m)) for m in mentions]


def kept(mentions: Sequence[Mention], languages: Sequence[str]) -> list[Mention]:
    """Return the mentions in one of `languages` (all when empty); undetected ones are kept."""
    if not languages:
        return list(mentions)
    wanted = set(languages)
    return [m for m in mentions if m.language is None or m.language in wanted]
