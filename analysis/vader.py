"""VADER compound scores for many texts at once: repeated texts are scored once."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer


@lru_cache(maxsize=1)
def analyzer() -> SentimentIntensityAnalyzer:
    """Return this process's analyzer (its lexicon loads once, in about 15 ms)."""
    return SentimentIntensityAnalyzer()


def score_many(texts: Sequence[str]) -> list[float]:
    """Return the VADER compound score of each text, in order."""
    unique = dict.fromkeys(texts)
    sia = analyzer()
    scores = {text: sia.polarity_scores(text)["compound"] for text in unique}
    return [scores[text] for text in texts]
