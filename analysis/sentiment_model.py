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
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, repeat
from pathlib import Path
from typing import Any

import numpy as np
from brandpulse.analysis.token_vectors import TokenVectors
from brandpulse.analysis.vader import cpu_count, worker_pool
from brandpulse.analysis.vader import score_many as vader_many

MAGIC = b"BPSENT1\n"
MODELS_DIR = Path(__file__).with_name("models")
DEFAULT_MODEL = MODELS_DIR / "sentiment-linear.bin"
# Batches with at least this many texts are split over processes (a model read from a file
# only: each worker loads it once). Below it the workers' start-up costs more than it saves.
PARALLEL_MIN_TEXTS = 4_000
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
# What a vocabulary lookup gives for an unknown n-gram (an int, so filtering stays in C).
_MISSING = -1


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


def negation_split(cleaned: Sequence[str]) -> list[list[str]]:
    """Return each cleaned text's `tokens`, computed once for the n-grams and the token
    vectors alike."""
    return [tokens(text) for text in cleaned]


def token_features(
    vectors: TokenVectors, cleaned: Sequence[str], split: Sequence[list[str]] | None = None
) -> np.ndarray:
    """Return the token-vector features of cleaned texts, shape (n, 2 * vectors.dims): the
    mean vector of the words outside a negation's scope, then that of the words inside it.

    A mean of word vectors cannot tell "happy" from "not happy"; as the n-grams mark the
    words after a negator ("~happy"), their vectors get a block of weights of their own.
    `split`: each text's `tokens`, when the caller has them already.
    """
    plain, negated = [], []
    for n, text in enumerate(cleaned):
        words = tokens(text) if split is None else split[n]
        plain.append(" ".join(w for w in words if not w.startswith("~")))
        negated.append(" ".join(w[1:] for w in words if w.startswith("~")))
    return np.hstack([vectors.embed(plain), vectors.embed(negated)])


def token_feature_count(vectors: TokenVectors | None) -> int:
    """Return how many features `token_features` gives (0 for a model without vectors)."""
    return 0 if vectors is None else 2 * vectors.dims


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


def word_grams(cleaned: str, toks: list[str] | None = None) -> list[str]:
    """Return the word unigrams and bigrams of a cleaned text, prefixed "w:" (`toks`: its
    `tokens`, when the caller has them already)."""
    if toks is None:
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

    def ids(self, cleaned: str, toks: list[str] | None = None) -> list[int]:
        """Return the sorted vocabulary ids of a cleaned text's n-grams (same as `ngrams`;
        `toks`: its `tokens`, when the caller has them already)."""
        vocab = self.vocab
        grams = word_grams(cleaned, toks)
        found = set(filter(_MISSING.__ne__, map(vocab.get, grams, repeat(_MISSING))))
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

    def ids_unsorted(self, cleaned: str, toks: list[str] | None = None) -> list[int]:
        """Return the same ids as `ids` in no particular order (scoring sums them anyway)."""
        vocab = self.vocab
        grams = word_grams(cleaned, toks)
        found = set(filter(_MISSING.__ne__, map(vocab.get, grams, repeat(_MISSING))))
        words = self._words
        distinct = set(cleaned.split())
        new = distinct.difference(words)
        if new and len(words) + len(new) > 500_000:
            words.clear()  # bounded: a long backfill must not grow it forever
        for word in new:
            grams = char_grams(word, self.char_range)
            words[word] = tuple(filter(_MISSING.__ne__, map(vocab.get, grams, repeat(_MISSING))))
        found.update(chain.from_iterable(map(words.__getitem__, distinct)))
        return list(found)


def vader_features(compound: float) -> list[tuple[int, float]]:
    """Return (dense slot, value) pairs for a VADER compound score: its bucket, sign and value."""
    bucket = min(VADER_BUCKETS - 1, int((compound + 1) / 2 * VADER_BUCKETS))
    sign = 0 if compound <= -0.05 else (1 if compound < 0.05 else 2)
    return [(bucket, 1.0), (VADER_BUCKETS + sign, 1.0), (VADER_BUCKETS + 3, compound)]


DENSE = VADER_BUCKETS + 4


def design(
    texts: Sequence[str],
    featurizer: Featurizer,
    ordered: bool = True,
    tokens: TokenVectors | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the feature matrix of `texts` as CSR arrays (indptr, indices, values).

    N-gram features are binary and scaled to unit length per text; VADER's features take the
    DENSE columns after the vocabulary, and the token-vector features (with `tokens`, see
    `token_features`) the columns after those. `ordered` False leaves each row's ids unsorted
    (faster; the sums differ from the sorted ones only in the last bits).
    """
    compounds = vader_many(list(texts))
    cleaned = [clean(text) for text in texts]
    split = negation_split(cleaned)
    vectors = (
        token_features(tokens, cleaned, split)
        if tokens is not None
        else np.zeros((len(texts), 0), dtype=np.float32)
    )
    ids_of = featurizer.ids if ordered else featurizer.ids_unsorted
    base = len(featurizer.vocab)
    vector_columns = list(range(base + DENSE, base + DENSE + vectors.shape[1]))
    indptr = [0]
    indices: list[int] = []
    values: list[float] = []
    for text, words, compound, vector in zip(cleaned, split, compounds, vectors, strict=True):
        ids = ids_of(text, words)
        if ids:
            weight = 1.0 / len(ids) ** 0.5
            indices.extend(ids)
            values.extend([weight] * len(ids))
        for slot, value in vader_features(compound):
            indices.append(base + slot)
            values.append(value)
        indices.extend(vector_columns)
        values.extend(vector.tolist())
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
    """A model: vocabulary, weights (features x classes) and bias, with its file's SHA-256,
    and token vectors when it reads them (model 4.0 on; older files have none)."""

    def __init__(
        self,
        header: dict[str, Any],
        words: list[str],
        weights: np.ndarray,
        sha256: str,
        path: Path | None = None,
        tokens: TokenVectors | None = None,
    ) -> None:
        self.header = header
        self.tokens = tokens
        # The file it was read from, which worker processes load; None for in-memory models.
        self.path = path
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
        self.weights64 = weights.astype(np.float64)
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
        tokens = None
        if "token_vectors" in header:
            layout = header["token_vectors"]
            names = data[start : start + layout["tokens_bytes"]].decode("utf-8").split("\n")
            start += layout["tokens_bytes"]
            count = len(names) * layout["dims"]
            table = np.frombuffer(data, dtype="<f2", count=count, offset=start)
            start += count * 2
            tokens = TokenVectors(names, table.reshape(len(names), layout["dims"]))
        rows = len(words) + DENSE + token_feature_count(tokens)
        weights = np.frombuffer(data, dtype="<f4", count=rows * len(CLASSES), offset=start)
        sha = hashlib.sha256(data).hexdigest()
        return cls(header, words, weights.reshape(rows, len(CLASSES)).copy(), sha, path, tokens)

    @classmethod
    def from_parts(
        cls,
        header: dict[str, Any],
        words: list[str],
        weights: np.ndarray,
        tokens: TokenVectors | None = None,
    ) -> LinearModel:
        """Build a model in memory (its sha256 is that of the file it would make)."""
        blob = model_bytes(header, words, weights, tokens)
        return cls(
            header,
            words,
            np.asarray(weights, dtype=np.float32),
            hashlib.sha256(blob).hexdigest(),
            tokens=tokens,
        )

    def probabilities(self, texts: Sequence[str], processes: int | None = None) -> np.ndarray:
        """Return an (n, 3) array of class probabilities in CLASSES order.

        With `processes` None, a model read from a file scores batches of PARALLEL_MIN_TEXTS
        texts or more on every available core; 1 forces one process.
        """
        if not texts:
            return np.zeros((0, len(CLASSES)), dtype=np.float32)
        workers = cpu_count() if processes is None else processes
        if (
            self.path is not None
            and workers > 1
            and (processes is not None or len(texts) >= PARALLEL_MIN_TEXTS)
        ):
            return self._probabilities_parallel(list(texts), workers)
        logits = self._logits(texts)
        if self.link == "ovr":
            odds = 1.0 / (1.0 + np.exp(-logits))
            return odds / odds.sum(axis=1, keepdims=True)
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def _logits(self, texts: Sequence[str]) -> np.ndarray:
        """Return the (n, 3) logits: what `design` describes, summed without building it."""
        ids_of = self.featurizer.ids_unsorted
        counts = np.empty(len(texts), dtype=np.int64)
        indices = array("q")
        cleaned = [clean(text) for text in texts]
        split = negation_split(cleaned)
        for n, text in enumerate(cleaned):
            ids = ids_of(text, split[n])
            counts[n] = len(ids)
            indices.extend(ids)
        flat = np.frombuffer(indices, dtype=np.int64) if indices else np.zeros(0, np.int64)
        # Each row's n-gram weights summed in place; a zero row at the end keeps every start
        # inside the array, and rows without n-grams are zeroed after the sum.
        # In float64, so the order a set gives the ids in does not show in the result.
        gathered = np.concatenate([self.weights64[flat], np.zeros((1, len(CLASSES)))])
        starts = np.cumsum(counts) - counts
        grams = np.add.reduceat(gathered, starts, axis=0)
        grams[counts == 0] = 0.0
        scale = np.where(counts > 0, 1.0 / np.sqrt(np.maximum(counts, 1)), 0.0)
        # VADER's features (see vader_features), added for every text at once.
        compound = np.asarray(vader_many(list(texts)), dtype=np.float64)
        base = len(self.vocab)
        bucket = np.minimum(VADER_BUCKETS - 1, ((compound + 1) / 2 * VADER_BUCKETS).astype(int))
        sign = np.where(compound <= -0.05, 0, np.where(compound < 0.05, 1, 2))
        dense = (
            self.weights[base + bucket]
            + self.weights[base + VADER_BUCKETS + sign]
            + self.weights[base + VADER_BUCKETS + 3] * compound[:, None]
        )
        logits = grams * scale[:, None] + dense + self.bias
        if self.tokens is not None:
            vectors = token_features(self.tokens, cleaned, split)
            logits += vectors @ self.weights[base + DENSE :]
        return logits.astype(np.float32)

    def _probabilities_parallel(self, texts: list[str], workers: int) -> np.ndarray:
        # Several chunks per worker so a chunk of long texts does not leave a core idle.
        size = max(1, -(-len(texts) // (workers * 4)))
        chunks = [(str(self.path), texts[i : i + size]) for i in range(0, len(texts), size)]
        try:
            return np.concatenate(list(worker_pool(workers).map(_chunk_probabilities, chunks)))
        except (OSError, RuntimeError):
            # Workers could not start or died: the same probabilities on one core.
            return self.probabilities(texts, processes=1)

    def predict(self, texts: Sequence[str], processes: int | None = None) -> list[Prediction]:
        """Return one Prediction per text, in order (see `probabilities` for `processes`)."""
        probs = self.probabilities(texts, processes)
        best = probs.argmax(axis=1)
        scores = probs[:, 2] - probs[:, 0]
        return [
            Prediction(CLASSES[int(b)], float(s), float(p[b]))
            for b, s, p in zip(best, scores, probs, strict=True)
        ]


def model_bytes(
    header: dict[str, Any],
    vocab: Iterable[str],
    weights: np.ndarray,
    tokens: TokenVectors | None = None,
) -> bytes:
    """Return the bytes of a model file: magic, header length, JSON header, vocabulary, the
    token vectors' vocabulary and table (when the model has them), weights."""
    vocab_blob = "\n".join(vocab).encode("utf-8")
    fields = {k: v for k, v in header.items() if k not in ("vocab_bytes", "token_vectors")}
    fields["vocab_bytes"] = len(vocab_blob)
    token_blob = b""
    if tokens is not None:
        names, table = tokens.to_bytes()
        fields["token_vectors"] = {"tokens_bytes": len(names), "dims": tokens.dims}
        token_blob = names + table
    head = json.dumps(fields, sort_keys=True).encode()
    return (
        MAGIC
        + struct.pack("<I", len(head))
        + head
        + vocab_blob
        + token_blob
        + np.ascontiguousarray(weights, dtype="<f4").tobytes()
    )


def write_model(
    path: Path,
    header: dict[str, Any],
    vocab: Iterable[str],
    weights: np.ndarray,
    tokens: TokenVectors | None = None,
) -> str:
    """Write a model file byte for byte from its parts and return its SHA-256."""
    blob = model_bytes(header, vocab, weights, tokens)
    path.write_bytes(blob)
    return hashlib.sha256(blob).hexdigest()


@lru_cache(maxsize=4)
def load_model(path: Path = DEFAULT_MODEL) -> LinearModel:
    """Load a model file once per process."""
    return LinearModel.from_file(path)


def _chunk_probabilities(job: tuple[str, list[str]]) -> np.ndarray:
    path, texts = job
    return load_model(Path(path)).probabilities(texts, processes=1)
