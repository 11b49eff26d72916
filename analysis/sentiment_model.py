"""A linear sentiment classifier over word and character n-grams plus VADER's score, numpy only.

The model file (built by scripts/build_sentiment_model.py) holds a vocabulary of n-grams and
one weight row per feature and class. Scoring a text: clean it (`clean`), list its features
(`feature_ids`), add up their weights, softmax. The same functions build the training matrix,
so what the build script measured is what runs here.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from brandpulse.analysis.vader import score_many as vader_many

MAGIC = b"BPSENT1\n"
MODELS_DIR = Path(__file__).with_name("models")
DEFAULT_MODEL = MODELS_DIR / "sentiment-linear.bin"
# Class order of the weight columns.
CLASSES = ("negative", "neutral", "positive")
# VADER's compound in [-1, 1] falls into this many equal buckets, each a feature of its own.
VADER_BUCKETS = 10

_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_URL = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"@\w+")
_REPEAT = re.compile(r"(.)\1{2,}")
# Words (with inner apostrophes), runs of ! or ?, and any other single non-space symbol
# (emoji, emoticon characters).
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*|[!?]+|[^\w\s]")
_NEGATORS = frozenset(
    [
        "not",
        "no",
        "never",
        "nothing",
        "nobody",
        "none",
        "nor",
        "cannot",
        "cant",
        "dont",
        "doesnt",
        "didnt",
        "isnt",
        "wasnt",
        "arent",
        "werent",
        "wont",
        "wouldnt",
        "shouldnt",
        "couldnt",
        "aint",
        "hasnt",
        "havent",
        "hadnt",
        "without",
    ]
)
_CLAUSE_END = frozenset(".,;:!?")


def clean(text: str) -> str:
    """Return text with `\\uXXXX` escapes and HTML entities decoded, URLs and @handles replaced.

    For example "@united thx\\u2019 &amp; http://t.co/x" becomes "@user thx’ & http".
    Letters repeated three times or more are cut to two ("soooo" -> "soo").
    """
    if "\\u" in text:
        text = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    if "&" in text:
        text = html.unescape(text)
    text = _URL.sub(" http ", text)
    text = _HANDLE.sub("@user", text)
    return _REPEAT.sub(r"\1\1", text.lower())


def tokens(cleaned: str) -> list[str]:
    """Return the word tokens of a cleaned text, words after a negator marked with a `~`.

    "not good at all. great" -> ["not", "~good", "~at", "~all", ".", "great"]: the mark runs
    from a negator to the next clause punctuation.
    """
    out = []
    negated = False
    for tok in _TOKEN.findall(cleaned):
        if tok[0] in _CLAUSE_END:
            negated = False
            out.append(tok)
        elif negated:
            out.append("~" + tok)
        else:
            out.append(tok)
            if tok.replace("'", "") in _NEGATORS or tok.endswith("n't"):
                negated = True
    return out


def char_grams(word: str, char_range: tuple[int, int] = (2, 5)) -> set[str]:
    """Return the character n-grams of one word padded with spaces (" good " gives " go", ...)."""
    padded = f" {word} "
    size = len(padded)
    low, high = char_range
    return {
        "c:" + padded[i : i + n]
        for n in range(low, min(high, size) + 1)
        for i in range(size - n + 1)
    }


def word_grams(cleaned: str) -> list[str]:
    """Return the word unigrams and bigrams of a cleaned text, prefixed "w:"."""
    toks = tokens(cleaned)
    return ["w:" + t for t in toks] + [f"w:{a} {b}" for a, b in zip(toks, toks[1:], strict=False)]


def ngrams(cleaned: str, char_range: tuple[int, int] = (2, 5)) -> set[str]:
    """Return every feature string of a cleaned text: word n-grams and each word's char n-grams."""
    feats = set(word_grams(cleaned))
    for word in set(cleaned.split()):
        feats |= char_grams(word, char_range)
    return feats


class Featurizer:
    """Turns texts into vocabulary ids; each word's character n-gram ids are computed once."""

    def __init__(self, vocab: dict[str, int], char_range: tuple[int, int] = (2, 5)) -> None:
        self.vocab = vocab
        self.char_range = char_range
        self._words: dict[str, tuple[int, ...]] = {}

    def ids(self, cleaned: str) -> list[int]:
        """Return the sorted vocabulary ids of a cleaned text's n-grams (same as `ngrams`)."""
        vocab = self.vocab
        found = {i for f in word_grams(cleaned) if (i := vocab.get(f)) is not None}
        words = self._words
        for word in set(cleaned.split()):
            cached = words.get(word)
            if cached is None:
                grams = char_grams(word, self.char_range)
                cached = tuple(i for g in grams if (i := vocab.get(g)) is not None)
                if len(words) < 500_000:  # bounded: a long backfill must not grow it forever
                    words[word] = cached
            found.update(cached)
        return sorted(found)


def vader_features(compound: float) -> list[tuple[int, float]]:
    """Return (dense slot, value) pairs for a VADER compound score: its bucket, sign and value."""
    bucket = min(VADER_BUCKETS - 1, int((compound + 1) / 2 * VADER_BUCKETS))
    sign = 0 if compound <= -0.05 else (1 if compound < 0.05 else 2)
    return [(bucket, 1.0), (VADER_BUCKETS + sign, 1.0), (VADER_BUCKETS + 3, compound)]


DENSE = VADER_BUCKETS + 4


def design(
    texts: Sequence[str], featurizer: Featurizer
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the feature matrix of `texts` as CSR arrays (indptr, indices, values).

    N-gram features are binary and scaled to unit length per text; VADER's features take the
    last DENSE columns after the vocabulary.
    """
    compounds = vader_many(list(texts))
    base = len(featurizer.vocab)
    indptr = [0]
    indices: list[int] = []
    values: list[float] = []
    for text, compound in zip(texts, compounds, strict=True):
        ids = featurizer.ids(clean(text))
        if ids:
            weight = 1.0 / len(ids) ** 0.5
            indices.extend(ids)
            values.extend([weight] * len(ids))
        for slot, value in vader_features(compound):
            indices.append(base + slot)
            values.append(value)
        indptr.append(len(indices))
    return (
        np.asarray(indptr, dtype=np.int64),
        np.asarray(indices, dtype=np.int64),
        np.asarray(values, dtype=np.float32),
    )


@dataclass(frozen=True)
class Prediction:
    """One text's verdict: `label`, `score` = P(positive) - P(negative), `confidence` = max P."""

    label: str
    score: float
    confidence: float


class LinearModel:
    """A model: vocabulary, weights (features x classes) and bias, with its file's SHA-256."""

    def __init__(
        self, header: dict[str, Any], words: list[str], weights: np.ndarray, sha256: str
    ) -> None:
        self.header = header
        self.name: str = header["name"]
        self.version: str = header["version"]
        self.sha256 = sha256
        self.char_range: tuple[int, int] = (
            int(header["char_range"][0]),
            int(header["char_range"][1]),
        )
        self.vocab = {w: i for i, w in enumerate(words)}
        self.featurizer = Featurizer(self.vocab, self.char_range)
        self.weights = weights
        self.bias = np.asarray(header["bias"], dtype=np.float32)
        # "ovr": one logistic model per class, probabilities normalised (as scikit-learn's
        # one-vs-rest predict_proba); "softmax": one multinomial model.
        self.link: str = header.get("link", "softmax")

    @classmethod
    def from_file(cls, path: Path) -> LinearModel:
        """Read a model file written by `write_model`."""
        data = path.read_bytes()
        if not data.startswith(MAGIC):
            raise ValueError(f"{path} is not a brandpulse sentiment model")
        (size,) = struct.unpack_from("<I", data, len(MAGIC))
        start = len(MAGIC) + 4
        header = json.loads(data[start : start + size])
        start += size
        vocab_bytes = header["vocab_bytes"]
        words = data[start : start + vocab_bytes].decode("utf-8").split("\n")
        start += vocab_bytes
        rows = len(words) + DENSE
        weights = np.frombuffer(data, dtype="<f4", count=rows * len(CLASSES), offset=start)
        sha = hashlib.sha256(data).hexdigest()
        return cls(header, words, weights.reshape(rows, len(CLASSES)).copy(), sha)

    @classmethod
    def from_parts(
        cls, header: dict[str, Any], words: list[str], weights: np.ndarray
    ) -> LinearModel:
        """Build a model in memory (its sha256 is that of the file it would make)."""
        blob = model_bytes(header, words, weights)
        return cls(
            header, words, np.asarray(weights, dtype=np.float32), hashlib.sha256(blob).hexdigest()
        )

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Return an (n, 3) array of class probabilities in CLASSES order."""
        if not texts:
            return np.zeros((0, len(CLASSES)), dtype=np.float32)
        indptr, indices, values = design(texts, self.featurizer)
        contributions = self.weights[indices] * values[:, None]
        # Every row has VADER's features, so no row is empty and reduceat is safe.
        logits = np.add.reduceat(contributions, indptr[:-1], axis=0) + self.bias
        if self.link == "ovr":
            odds = 1.0 / (1.0 + np.exp(-logits))
            return odds / odds.sum(axis=1, keepdims=True)
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """Return one Prediction per text, in order."""
        probs = self.probabilities(texts)
        best = probs.argmax(axis=1)
        scores = probs[:, 2] - probs[:, 0]
        return [
            Prediction(CLASSES[int(b)], float(s), float(p[b]))
            for b, s, p in zip(best, scores, probs, strict=True)
        ]


def model_bytes(header: dict[str, Any], vocab: Iterable[str], weights: np.ndarray) -> bytes:
    """Return the bytes of a model file: magic, header length, JSON header, vocabulary, weights."""
    vocab_blob = "\n".join(vocab).encode("utf-8")
    fields = {k: v for k, v in header.items() if k != "vocab_bytes"}
    head = json.dumps({**fields, "vocab_bytes": len(vocab_blob)}, sort_keys=True).encode()
    return (
        MAGIC
        + struct.pack("<I", len(head))
        + head
        + vocab_blob
        + np.ascontiguousarray(weights, dtype="<f4").tobytes()
    )


def write_model(
    path: Path, header: dict[str, Any], vocab: Iterable[str], weights: np.ndarray
) -> str:
    """Write a model file byte for byte from its parts and return its SHA-256."""
    blob = model_bytes(header, vocab, weights)
    path.write_bytes(blob)
    return hashlib.sha256(blob).hexdigest()


@lru_cache(maxsize=4)
def load_model(path: Path = DEFAULT_MODEL) -> LinearModel:
    """Load a model file once per process."""
    return LinearModel.from_file(path)
