"""Score how likely a mention is about its brand, from its config signals and the team's marks.

A brand name is often a word ("Delta", "Gap", "Ford"); the mentions of the other meanings
inflate counts. Each brand gets its own small model: a logistic regression over character
3–5-grams, words and a few cues that mean "the company" for any brand (the name
as a @handle, a #tag, capitalised mid-sentence, followed by "store", "stock", "inc" ...)
and the word right before and right after the name ("shares of X", "X Broncos").
The config's `context` and `not_context` words and the exclusions form a prior (an offset
the regression learns on top of), so a brand without marks still gets a sensible score:
with no context words every mention is counted, as plain keyword matching would.
"""

from __future__ import annotations

import functools
import hashlib
import html
import re
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from brandpulse.analysis.accents import strip_accents
from brandpulse.analysis.matcher import find_term
from brandpulse.store.records import BrandMatch, RelevanceScore

ALGORITHM = "ngram-lr"
# Bump when features or training change, so `analyze --rescore` finds stale scores.
ALGORITHM_VERSION = "4"
DEFAULT_THRESHOLD = 0.5
RELATED, UNRELATED = "related", "unrelated"

# Long texts (articles) are scored on the text around the brand's name: the other
# paragraphs say little about which meaning is meant and cost time.
_WINDOW = 240
_LONG = 3 * _WINDOW
_WORD = re.compile(r"[#@]?\w+")
_SPACES = re.compile(r"\s+")
# Words that, right after the name, say "the company" whatever the brand.
_COMPANY_AFTER = frozenset(
    [
        *("inc", "corp", "corporation", "co", "company", "ltd", "plc", "group", "ceo"),
        *("stock", "stocks", "shares", "share", "nyse", "nasdaq", "sales", "recall"),
        *("store", "stores", "shop", "app", "website", "com", "official", "deal", "deals"),
        *("airline", "airlines", "motor", "motors", "price", "prices"),
        *("customer", "customers", "service", "support"),
    ]
)

# Prior weights (logits) of the config signals, used before any mark exists and as the
# offset the per-brand regression learns on top of. With none of them present a mention
# sits at BASE_LOGIT, above the default threshold: no marks and no context words means
# the same counts as keyword matching.
BASE_LOGIT = 1.5
CONTEXT_LOGIT = 2.0
NOT_CONTEXT_LOGIT = -3.0
EXCLUDED_LOGIT = -5.0

# Training: L2-regularised logistic regression by Adam on sparse rows. C is large because
# marks are few and precise; the brand's intercept is not regularised.
_C = 100.0
_STEPS = 250
MIN_EACH = 2
_PRIOR_MARKS = 2.0
_RATE = 0.1


@dataclass(frozen=True)
class Signals:
    """What the config says about one brand's meaning: its names and the words around them."""

    name: str
    terms: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    not_context: tuple[str, ...] = ()
    threshold: float = DEFAULT_THRESHOLD

    @property
    def names(self) -> tuple[str, ...]:
        """Return the words that name the brand, the brand's own name first (lower case,
        accents folded: texts are folded too before the names are looked for)."""
        seen = dict.fromkeys(
            strip_accents(t.lstrip("#@").lower()) for t in (self.name, *self.terms) if t
        )
        return tuple(seen)


@dataclass(frozen=True)
class Model:
    """One brand's fitted model; `version` changes whenever its marks or signals do.

    `keys` are the sorted hashed features seen in the marks, `weights` their weights.
    """

    signals: Signals
    keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    weights: np.ndarray = field(default_factory=lambda: np.zeros(0))
    bias: float = 0.0
    marks: int = 0
    version: str = f"{ALGORITHM}-{ALGORITHM_VERSION}"

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Return the log-odds that each text is about the brand."""
        prior = np.array([prior_logit(t, self.signals) for t in texts], dtype=float)
        if not len(self.keys) or not len(texts):
            return prior + self.bias
        batch = featurise(texts, self.signals)
        pos = np.searchsorted(self.keys, batch.keys)
        pos[pos >= len(self.keys)] = 0
        known = self.keys[pos] == batch.keys
        contrib = np.where(known, self.weights[pos], 0.0) * batch.values
        return np.bincount(batch.rows, weights=contrib, minlength=len(texts)) + self.bias + prior

    def score(self, texts: Sequence[str]) -> np.ndarray:
        """Return the probability that each text is about the brand."""
        return sigmoid(self.logits(texts))


class BrandModel(Protocol):
    """What scoring needs of a brand's model: its signals, version and scores."""

    @property
    def signals(self) -> Signals: ...

    @property
    def version(self) -> str: ...

    def score(self, texts: Sequence[str]) -> np.ndarray: ...


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Return the probabilities of log-odds (clipped, so extreme ones do not overflow)."""
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def focus(text: str, names: Sequence[str]) -> str:
    """Return the text around the brand's names for a long text, else the whole text."""
    text = html.unescape(text)
    if len(text) <= _LONG:
        return text
    lowered = strip_accents(text.lower())
    spans: list[tuple[int, int]] = []
    for name in names:
        start = lowered.find(name)
        while start >= 0 and len(spans) < 6:
            spans.append((max(0, start - _WINDOW), start + len(name) + _WINDOW))
            start = lowered.find(name, start + len(name))
    if not spans:
        return text[:_LONG]
    spans.sort()
    merged = [spans[0]]
    for lo, hi in spans[1:]:
        if lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return " … ".join(text[lo:hi] for lo, hi in merged[:3])


@dataclass(frozen=True)
class Batch:
    """Hashed features of many texts as sparse rows: text index, feature key, value."""

    rows: np.ndarray
    keys: np.ndarray
    values: np.ndarray


# Features are hashed into 2^22 buckets: collisions are rare among one brand's few
# thousand features, and hashing lets a whole batch be featurised with array operations.
_BUCKETS = (1 << 22) - 1
_PRIME = np.uint64(1_000_003)
# 3–5: measured on WePS-3 (50 marks, seeds 0 and 1), 2-grams and word pairs only added
# noise and time.
_GRAMS = (3, 4, 5)


def _ngram_keys(codes: np.ndarray, owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the hashed 3–5 character grams of concatenated texts that stay inside one text."""
    rows, keys = [], []
    length = len(codes)
    for n in _GRAMS:
        if length < n:
            break
        count = length - n + 1
        h = np.full(count, np.uint64(n), dtype=np.uint64)
        for k in range(n):
            h = h * _PRIME + codes[k : k + count]
        inside = owner[:count] == owner[n - 1 : n - 1 + count]
        rows.append(owner[:count][inside])
        keys.append((h[inside] >> np.uint64(20)) & np.uint64(_BUCKETS))
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(rows), np.concatenate(keys).astype(np.int64)


_MASK = "\x01"
CUE_SCALE = 0.3
WORD_SCALE = 1.0


@functools.lru_cache(maxsize=256)
def _name_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    """Return the regex finding any of the names as whole words in lower-cased text."""
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True) if n)
    return re.compile(rf"(?<!\w)(?:{alternatives or '$^'})(?!\w)")


# Words repeat across mentions: their keys are remembered (up to a bound) instead of
# hashed again, which halves the time spent on words.
_KEYS: dict[str, int] = {}
_KEYS_MAX = 500_000


def _token_key(token: str) -> int:
    key = zlib.crc32(token.encode()) & _BUCKETS
    if len(_KEYS) < _KEYS_MAX:
        _KEYS[token] = key
    return key


def featurise(texts: Sequence[str], signals: Signals) -> Batch:
    """Return the hashed features of texts: char 3–5-grams, words and cues."""
    names = signals.names
    focused = [focus(t, names) for t in texts]
    # The name itself is in every mention, so its grams would only act as a second
    # intercept; it is masked, and how it is written is left to the cues.
    masker = _name_pattern(names)
    # Accents folded: "País" and "Pais" are one word, and either finds the name.
    lowered = [
        f" {masker.sub(_MASK, _SPACES.sub(' ', strip_accents(t.lower())))} " for t in focused
    ]
    joined = "\x00".join(lowered)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    lengths = np.array([len(t) + 1 for t in lowered])
    owner = np.repeat(np.arange(len(lowered)), lengths)[: len(codes)]
    # The separator belongs to no text: give it an owner no window can share.
    owner = np.where(codes == 0, -1 - np.arange(len(codes)), owner)
    gram_rows, gram_keys = _ngram_keys(codes, owner)
    counts: list[int] = []
    token_keys: list[int] = []
    cue_rows: list[int] = []
    cue_keys: list[int] = []
    known = _KEYS.get
    for index, (text, low) in enumerate(zip(focused, lowered, strict=True)):
        tokens = ["w " + w for w in _WORD.findall(low)]
        counts.append(len(tokens))
        token_keys += [known(t) or _token_key(t) for t in tokens]
        cues = _cues(text, names)
        cue_rows += [index] * len(cues)
        cue_keys += [known(t) or _token_key(t) for t in cues]
    token_rows = np.repeat(np.arange(len(texts)), counts)
    rows = np.concatenate([gram_rows, token_rows.astype(np.int64)])
    keys = np.concatenate([gram_keys, np.array(token_keys, dtype=np.int64)])
    sizes = np.bincount(rows, minlength=len(texts))
    values = 1.0 / np.sqrt(np.maximum(sizes, 1))[rows]
    values[len(gram_rows) :] *= WORD_SCALE
    # Cues are a handful among hundreds of grams: scaled like the grams they would be too
    # faint to learn from fifty marks, so each counts as a feature of its own size.
    return Batch(
        rows=np.concatenate([rows, np.array(cue_rows, dtype=np.int64)]),
        keys=np.concatenate([keys, np.array(cue_keys, dtype=np.int64)]),
        values=np.concatenate([values, np.full(len(cue_rows), CUE_SCALE)]),
    )


def _cues(text: str, names: Sequence[str]) -> list[str]:
    """Return the cues of how the name is written, what follows it and its next words."""
    cues = []
    # Found in the folded text (same length), read as written in the original.
    folded = strip_accents(text)
    for name in names:
        if not name:
            continue
        pattern = re.compile(rf"(?<!\w)([#@]?)({re.escape(name)})(\w*)", re.IGNORECASE)
        for match in list(pattern.finditer(folded))[:3]:
            marker, _, suffix = match.groups()
            written = text[match.start(2) : match.end(2)]
            if marker:
                cues.append("x handle" if marker == "@" else "x tag")
            if suffix:
                cues.append("x joined")
            if written.isupper() and len(written) > 1:
                cues.append("x upper")
            elif written[:1].isupper():
                before = text[: match.start()].rstrip()
                cues.append("x cap-start" if not before or before[-1] in ".!?:" else "x cap")
            else:
                cues.append("x lower")
            after = _WORD.findall(folded[match.end() : match.end() + 40].lower())[:2]
            # The name's neighbours tell its meanings apart better than the same words
            # anywhere in the text ("Ford Fiesta" vs "Harrison Ford").
            before_words = _WORD.findall(folded[max(0, match.start() - 40) : match.start()].lower())
            if before_words:
                cues.append("x left " + before_words[-1])
            if after:
                cues.append("x right " + after[0])
            if any(w.lstrip("#@") in _COMPANY_AFTER for w in after):
                cues.append("x company-after")
    if not cues:
        cues.append("x absent")
    if "http" in text:
        cues.append("x link")
    return cues


def prior_logit(text: str, signals: Signals) -> float:
    """Return the config-only log-odds: context words raise it, other meanings lower it."""
    if not (signals.context or signals.not_context or signals.exclude):
        return BASE_LOGIT
    # Words are found as the brand query finds its terms (whole words, any case or accent).
    lowered = strip_accents(html.unescape(text).lower())

    def has_any(words: Sequence[str]) -> bool:
        return any(find_term(word, lowered) for word in words)

    logit = BASE_LOGIT
    if signals.context and has_any(signals.context):
        logit += CONTEXT_LOGIT
    if signals.not_context and has_any(signals.not_context):
        logit += NOT_CONTEXT_LOGIT
    if signals.exclude and has_any(signals.exclude):
        logit += EXCLUDED_LOGIT
    return logit


def model_version(signals: Signals, texts: Sequence[str], labels: Sequence[bool]) -> str:
    """Return a short stable id of the algorithm, the signals and the marks a model learnt."""
    digest = hashlib.blake2b(digest_size=5)
    digest.update(repr(signals).encode())
    for text, label in sorted(zip(texts, labels, strict=True)):
        digest.update(f"{int(label)}\x1f{text}\x1e".encode())
    return f"{ALGORITHM}-{ALGORITHM_VERSION}:{len(texts)}m:{digest.hexdigest()}"


def train(signals: Signals, texts: Sequence[str], labels: Sequence[bool]) -> Model:
    """Fit the brand's model on its marked texts (True = about the brand); none gives the prior.

    Until each kind has `MIN_EACH` marks, only the brand's intercept is learnt: words
    common to every mention would otherwise stand for the one kind seen, and a single
    "not about us" mark would drop every mention. The intercept weighs against the
    config's prior like `_PRIOR_MARKS` marks, so a team that only ever marks "not about
    us" lowers the brand's mentions gradually.
    """
    version = model_version(signals, texts, labels)
    if not texts:
        return Model(signals=signals, bias=0.0, marks=0, version=version)
    offset = np.array([prior_logit(t, signals) for t in texts])
    y = np.asarray(labels, dtype=float)
    related = int(y.sum())
    if min(related, len(y) - related) < MIN_EACH:
        empty = np.zeros(0, dtype=np.int64)
        _, bias = _fit(empty, empty, np.zeros(0), offset, y, 0)
        return Model(signals=signals, bias=bias, marks=len(texts), version=version)
    batch = featurise(texts, signals)
    keys, ind = np.unique(batch.keys, return_inverse=True)
    weights, bias = _fit(ind, batch.rows, batch.values, offset, y, len(keys))
    return Model(
        signals=signals, keys=keys, weights=weights, bias=bias, marks=len(texts), version=version
    )


def _fit(
    ind: np.ndarray, rid: np.ndarray, val: np.ndarray, offset: np.ndarray, y: np.ndarray, size: int
) -> tuple[np.ndarray, float]:
    """Minimise mean log-loss + |w|²/(2·C·n) + k·b²/(2·n) with Adam; deterministic.

    The intercept's penalty weighs like `_PRIOR_MARKS` marks for the config's prior: one
    "not about us" mark must not drop every other mention of the brand, fifty must.
    """
    n = len(y)
    lam = 1.0 / (_C * n)
    lam_b = _PRIOR_MARKS / n
    w = np.zeros(size)
    b = 0.0
    m = np.zeros(size + 1)
    v = np.zeros(size + 1)
    for step in range(1, _STEPS + 1):
        z = np.bincount(rid, weights=val * w[ind], minlength=n) + b + offset
        r = (sigmoid(z) - y) / n
        grad = np.empty(size + 1)
        grad[:size] = np.bincount(ind, weights=val * r[rid], minlength=size) + lam * w
        grad[size] = r.sum() + lam_b * b
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad * grad
        move = _RATE * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
        w -= move[:size]
        b -= float(move[size])
    return w, b


@dataclass(frozen=True)
class Estimate:
    """How precise the brand's filter is, cross-validated on its own marks."""

    marks: int
    precision: float | None  # share of counted mentions that are about the brand
    recall: float | None  # share of the brand's mentions that are counted
    related_share: float | None  # share of marks saying "about us"


def cross_validate(
    signals: Signals,
    texts: Sequence[str],
    labels: Sequence[bool],
    folds: int = 5,
    fit: Callable[[Sequence[str], Sequence[bool]], BrandModel] | None = None,
) -> Estimate:
    """Estimate precision and recall at the brand's threshold by k-fold over its marks.

    `fit` trains a brand model from marks (the gram model's `train` when not given).
    Marks chosen by a person are not a random sample (the Review view shows uncertain
    mentions first), so this is an estimate, best when many marks exist.
    """
    n = len(texts)
    if n == 0:
        return Estimate(0, None, None, None)
    share = sum(labels) / n
    if n < folds:
        return Estimate(n, None, None, share)
    order = np.random.default_rng(0).permutation(n)
    tp = fp = fn = 0
    for k in range(folds):
        held = set(order[k::folds].tolist())
        train_idx = [i for i in range(n) if i not in held]
        kept_texts, kept_labels = [texts[i] for i in train_idx], [labels[i] for i in train_idx]
        model = fit(kept_texts, kept_labels) if fit else train(signals, kept_texts, kept_labels)
        test_idx = sorted(held)
        counted = model.score([texts[i] for i in test_idx]) >= signals.threshold
        for i, kept in zip(test_idx, counted, strict=True):
            if kept and labels[i]:
                tp += 1
            elif kept:
                fp += 1
            elif labels[i]:
                fn += 1
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    return Estimate(n, precision, recall, share)


def uncertainty_order(scores: Sequence[float], threshold: float = DEFAULT_THRESHOLD) -> list[int]:
    """Return indexes ordered from the score nearest the threshold (a mark teaches most)."""
    return sorted(range(len(scores)), key=lambda i: (abs(scores[i] - threshold), i))


def text_of(title: str | None, text: str | None) -> str:
    """Return the text a mention is scored on: its title, then its body (as matching reads it)."""
    title, text = title or "", text or ""
    if title and not text.startswith(title):
        return f"{title}\n{text}"
    return text


def score_matches(
    models: Mapping[str, BrandModel],
    texts: Mapping[str, str],
    matches: Sequence[BrandMatch],
    marked: Mapping[tuple[str, str], bool] | None = None,
) -> list[RelevanceScore]:
    """Score each brand match with its brand's model; a person's mark decides whether it counts.

    `texts` maps mention ids to the text to score (see `text_of`); a brand without a model
    gets the config-free prior, under which every match counts.
    """
    marked = marked or {}
    by_brand: dict[str, list[BrandMatch]] = {}
    for match in matches:
        by_brand.setdefault(match.brand, []).append(match)
    out: list[RelevanceScore] = []
    for brand, group in by_brand.items():
        model: BrandModel = models.get(brand) or train(Signals(brand), [], [])
        scores = model.score([texts.get(m.mention_id, "") for m in group])
        threshold = model.signals.threshold
        for match, score in zip(group, scores, strict=True):
            mark = marked.get((match.mention_id, brand))
            counted = bool(score >= threshold) if mark is None else mark
            out.append(
                RelevanceScore(match.mention_id, brand, float(score), counted, model.version)
            )
    return out
