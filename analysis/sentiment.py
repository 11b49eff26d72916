"""Sentiment labels for mentions from the configured scorer, brand-targeted for long texts.

Two scorers: "model" (the default, a linear classifier shipped in analysis/models, see
sentiment_model.py) and "vader" (VADER's compound score cut at the configured thresholds).
A mention whose detected language the scorer does not read is labelled "unscored".

A short text (a tweet-length post, a headline) is scored whole. A long one (a blog post,
a long comment) is scored on the sentences that name one of its matched brands, so that
"The weather was awful, but Acme's support was great" in a 2,000-character post is
positive for Acme; the whole-text score is kept beside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Protocol

from brandpulse.analysis.accents import strip_accents
from brandpulse.analysis.matcher import find_term, match_text
from brandpulse.analysis.query import text_terms
from brandpulse.analysis.rules import BrandRule, Rules
from brandpulse.analysis.sentiment_model import DEFAULT_MODEL, load_model
from brandpulse.analysis.vader import score_many
from brandpulse.store.records import BrandMatch, Mention, SentimentLabel

MODEL, VADER, ACCURATE = "model", "vader", "accurate"
SCORERS = (MODEL, VADER)
# "accurate": the model with the embedding heads averaged in on every text (on demand only:
# `[analysis] accurate_tier = true` uses it on the model's least-confident texts).
CLI_SCORERS = (MODEL, VADER, ACCURATE)
DEFAULT_SCORER = MODEL
# VADER's name and version as stored on its labels.
SCORER = VADER
# Bump the suffix whenever labelling changes, so `analyze --rescore` finds stale labels.
SCORER_VERSION = f"{metadata.version('vaderSentiment')}+bp.1"

POSITIVE, NEGATIVE, NEUTRAL = "positive", "negative", "neutral"
LABELS = (POSITIVE, NEGATIVE, NEUTRAL)
# The label of a mention in a language the scorer does not read: never counted as neutral.
UNSCORED = "unscored"
# Languages both scorers were built for (ISO 639-1).
ENGLISH = frozenset({"en"})


@dataclass(frozen=True)
class Verdict:
    """A scorer's answer for one text: label, signed score in [-1, 1], confidence (or None)."""

    label: str
    score: float
    confidence: float | None


class Scorer(Protocol):
    """What score_mentions needs from a scorer."""

    name: str
    version: str
    languages: frozenset[str]

    def verdicts(self, texts: Sequence[str]) -> list[Verdict]:
        """Return one Verdict per text, in order."""
        ...


@dataclass(frozen=True)
class VaderScorer:
    """VADER's compound score, labelled at the thresholds; no confidence."""

    positive: float = 0.05
    negative: float = -0.05
    name: str = VADER
    version: str = SCORER_VERSION
    languages: frozenset[str] = ENGLISH

    def verdicts(self, texts: Sequence[str]) -> list[Verdict]:
        """Return VADER's verdict for each text."""
        return [
            Verdict(label_for(s, self.positive, self.negative), s, None) for s in score_many(texts)
        ]


# The model reads at most this many characters of a text: its features are present/absent
# n-grams scaled to unit length, so a long article's opening decides as well as all of it,
# and scoring stays fast. (Long texts are scored on their brand sentences anyway.)
MODEL_MAX_CHARS = 1000
_LINK = re.compile(r"https?://\S+|www\.\S+")


class ModelScorer:
    """The shipped (or a project's) linear model: argmax label, P(pos) - P(neg), max P."""

    languages: frozenset[str] = ENGLISH

    def __init__(self, path: Path = DEFAULT_MODEL) -> None:
        self.model = load_model(path)
        self.name = self.model.name
        self.version = f"{self.model.version}+{self.model.sha256[:12]}"

    def verdicts(self, texts: Sequence[str]) -> list[Verdict]:
        """Return the model's verdict for each text (each distinct text scored once).

        Texts that differ only in their links (shares of one post) count as one: the model
        sees every link as "http", and VADER's lexicon holds no link.
        """
        keys = [_LINK.sub("http", t[:MODEL_MAX_CHARS]) for t in texts]
        first = dict(zip(keys, texts, strict=True))
        unique = list(first)
        cut = [first[k][:MODEL_MAX_CHARS] for k in unique]
        found = dict(zip(unique, self.model.predict(cut), strict=True))
        return [Verdict(p.label, p.score, p.confidence) for p in (found[k] for k in keys)]


@lru_cache(maxsize=8)
def get_scorer(
    name: str = DEFAULT_SCORER,
    positive: float = 0.05,
    negative: float = -0.05,
    model_path: Path | None = None,
    accurate_tier: bool = False,
) -> Scorer:
    """Return the scorer called `name` ("model", "vader" or "accurate").

    `model_path` replaces the model; `accurate_tier` makes "model" average the embedding
    heads in on its least-confident texts ("accurate" does so on every text).
    """
    if name == VADER:
        return VaderScorer(positive, negative)
    if name == MODEL and not accurate_tier:
        return ModelScorer(model_path or DEFAULT_MODEL)
    if name in (MODEL, ACCURATE):
        from brandpulse.analysis import embedding, multilingual
        from brandpulse.analysis.sentiment_accurate import DEFAULT_BELOW, AccurateScorer, load_heads

        # Fail here, with the fix, when the accurate extra is missing.
        embedding.encoder()
        multilingual.encoder()
        below = DEFAULT_BELOW if name == MODEL else 2.0
        return AccurateScorer(load_model(model_path or DEFAULT_MODEL), load_heads(), below)
    raise ValueError(f"unknown sentiment scorer {name!r} (known: {', '.join(CLI_SCORERS)})")


def rules_scorer(rules: Rules) -> Scorer:
    """Return the scorer the rules name, with their thresholds, model file and tier."""
    return get_scorer(
        rules.scorer,
        rules.positive_threshold,
        rules.negative_threshold,
        rules.model_path,
        rules.accurate_tier,
    )


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
        lowered = strip_accents(sentence.lower())
        if any(find_term(term, lowered) for term in terms):
            kept.append(sentence)
    return " ".join(kept) if kept else None


def score_mentions(
    mentions: Sequence[Mention],
    brands: Sequence[BrandMatch],
    rules: Rules,
    scorer: Scorer | None = None,
) -> list[SentimentLabel]:
    """Label each mention; long texts are labelled on the sentences naming their brands.

    Mentions whose detected language the scorer does not read get UNSCORED, score 0.
    """
    scorer = scorer or rules_scorer(rules)
    by_mention: dict[str, list[str]] = {}
    for match in brands:
        by_mention.setdefault(match.mention_id, []).append(match.brand)
    rule_of = {r.name: r for r in rules.brands}

    readable = [m.language is None or m.language in scorer.languages for m in mentions]
    scored = [m for m, ok in zip(mentions, readable, strict=True) if ok]
    wholes = [match_text(m) for m in scored]
    targets: list[str | None] = []
    for mention, whole in zip(scored, wholes, strict=True):
        target = None
        if len(whole) > rules.targeted_min_chars:
            named = [rule_of[b] for b in by_mention.get(mention.id, []) if b in rule_of]
            target = brand_sentences(whole, named)
        targets.append(target)

    # One batch for every text: the scorer dedupes and spreads big batches over processes.
    extra = [t for t in targets if t is not None]
    verdicts = scorer.verdicts([*wholes, *extra])
    whole_verdicts = iter(verdicts[: len(wholes)])
    target_verdicts = iter(verdicts[len(wholes) :])
    target_of = iter(targets)

    labels = []
    for mention, ok in zip(mentions, readable, strict=True):
        if not ok:
            labels.append(
                SentimentLabel(mention.id, UNSCORED, 0.0, None, scorer.name, scorer.version)
            )
            continue
        whole = next(whole_verdicts)
        verdict = next(target_verdicts) if next(target_of) is not None else whole
        labels.append(
            SentimentLabel(
                mention_id=mention.id,
                label=verdict.label,
                score=verdict.score,
                whole_score=whole.score,
                scorer=scorer.name,
                scorer_version=scorer.version,
                confidence=verdict.confidence,
            )
        )
    return labels
