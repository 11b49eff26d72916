"""Sentiment labels for mentions: VADER's compound score, brand-targeted for long texts.

A short text (a tweet-length post, a headline) is scored whole. A long one (a blog post,
a long comment) is scored on the sentences that name one of its matched brands, so that
"The weather was awful, but Acme's support was great" in a 2,000-character post is
positive for Acme; the whole-text score is kept beside it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from importlib import metadata

from brandpulse.analysis.matcher import find_term, match_text
from brandpulse.analysis.query import text_terms
from brandpulse.analysis.rules import BrandRule, Rules
from brandpulse.analysis.vader import score_many
from brandpulse.store.records import BrandMatch, Mention, SentimentLabel

SCORER = "vader"
# Bump the suffix whenever labelling changes, so `analyze --rescore` finds stale labels.
SCORER_VERSION = f"{metadata.version('vaderSentiment')}+bp.1"

POSITIVE, NEGATIVE, NEUTRAL = "positive", "negative", "neutral"
LABELS = (POSITIVE, NEGATIVE, NEUTRAL)

# A sentence ends at ., ! or ? followed by space, or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")


def label_for(score: float, positive: float = 0.05, negative: float = -0.05) -> str:
    """Return positive at or above `positive`, negative at or below `negative`, else neutral."""
    if score >= positive:
        return POSITIVE
    if score <= negative:
        return NEGATIVE
    return NEUTRAL


def sentences(text: str) -> list[str]:
    """Split text into sentences at end punctuation followed by space, and at line breaks."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def brand_sentences(text: str, rules: Iterable[BrandRule]) -> str | None:
    """Return the sentences of `text` that name any of the brands (joined), or None if none do."""
    terms = [term for rule in rules for term in text_terms(rule.query)]
    if not terms:
        return None
    kept = []
    for sentence in sentences(text):
        lowered = sentence.lower()
        if any(find_term(term, lowered) for term in terms):
            kept.append(sentence)
    return " ".join(kept) if kept else None


def score_mentions(
    mentions: Sequence[Mention],
    brands: Sequence[BrandMatch],
    rules: Rules,
    scorer: Callable[[Sequence[str]], list[float]] = score_many,
) -> list[SentimentLabel]:
    """Label each mention; long texts are labelled on the sentences naming their brands."""
    by_mention: dict[str, list[str]] = {}
    for match in brands:
        by_mention.setdefault(match.mention_id, []).append(match.brand)
    rule_of = {r.name: r for r in rules.brands}

    wholes = [match_text(m) for m in mentions]
    targets: list[str | None] = []
    for mention, whole in zip(mentions, wholes, strict=True):
        target = None
        if len(whole) > rules.targeted_min_chars:
            named = [rule_of[b] for b in by_mention.get(mention.id, []) if b in rule_of]
            target = brand_sentences(whole, named)
        targets.append(target)

    # One batch for every text: the scorer dedupes and spreads big batches over processes.
    extra = [t for t in targets if t is not None]
    scores = scorer([*wholes, *extra])
    whole_scores = scores[: len(wholes)]
    target_scores = iter(scores[len(wholes) :])

    labels = []
    for mention, whole_score, target in zip(mentions, whole_scores, targets, strict=True):
        score = next(target_scores) if target is not None else whole_score
        labels.append(
            SentimentLabel(
                mention_id=mention.id,
                label=label_for(score, rules.positive_threshold, rules.negative_threshold),
                score=score,
                whole_score=whole_score,
                scorer=SCORER,
                scorer_version=SCORER_VERSION,
            )
        )
    return labels
