"""Print the sentiment scorer's figures on the human-labelled corpora.

Usage: .venv/bin/python scripts/sentiment_eval.py [CORPORA_DIR]
(default: $BRANDPULSE_CORPORA, else ../shared/corpora beside the repository).

For each corpus: Pearson r of the compound score against the human score (the mean
rating / 4 for VADER's gold sets; the label as -1/0/+1 for the labelled sets), and
3-class accuracy, macro-F1 and weighted-F1, with the compound score cut at the configured
thresholds (+-0.05) and the gold rating / 4 cut at the same thresholds. It also checks
that every label equals a plain vaderSentiment loop's.
"""

from __future__ import annotations

import csv
import math
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from brandpulse.analysis.sentiment import label_for  # noqa: E402
from brandpulse.analysis.vader import score_many  # noqa: E402

LABELS = ("positive", "neutral", "negative")
PAPER = {
    "tweets": "paper (4,200 tweets): r 0.881, P/R/F1 0.99/0.94/0.96",
    "amazon": "paper (3,708 snippets): r 0.565, P/R/F1 0.78/0.55/0.63",
}


def read_gold(path: Path) -> tuple[list[str], list[float]]:
    """Read VADER's ID<TAB>mean rating<TAB>text files; ratings become rating / 4."""
    texts, scores = [], []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split("\t")
        if len(parts) >= 3:
            texts.append(parts[2])
            scores.append(float(parts[1]) / 4)
    return texts, scores


def corpora(root: Path) -> list[tuple[str, list[str], list[str], list[float]]]:
    """Return (name, texts, gold labels, gold scores) for every corpus present."""
    base = root / "sentiment"
    out = []
    for name, file in (
        ("tweets", "tweets_GroundTruth.txt"),
        ("amazon", "amazonReviewSnippets_GroundTruth.txt"),
    ):
        if (base / file).exists():
            texts, scores = read_gold(base / file)
            out.append((name, texts, [label_for(s) for s in scores], scores))
    code = {"positive": 1.0, "neutral": 0.0, "negative": -1.0}
    if (base / "tweeteval" / "val_text.txt").exists():
        texts = (base / "tweeteval" / "val_text.txt").read_text(encoding="utf-8").splitlines()
        mapping = {"0": "negative", "1": "neutral", "2": "positive"}
        raw = (base / "tweeteval" / "val_labels.txt").read_text(encoding="utf-8").split()
        gold = [mapping[x] for x in raw]
        out.append(("tweeteval", texts, gold, [code[g] for g in gold]))
    s140 = base / "sentiment140" / "testdata.manual.2009.06.14.csv"
    if s140.exists():
        with s140.open(encoding="latin-1", newline="") as fh:
            rows = list(csv.reader(fh))
        polarity = {"0": "negative", "2": "neutral", "4": "positive"}
        gold = [polarity[r[0]] for r in rows]
        out.append(("sentiment140", [r[5] for r in rows], gold, [code[g] for g in gold]))
    airline = base / "airline" / "Tweets.csv"
    if airline.exists():
        with airline.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        gold = [r["airline_sentiment"] for r in rows]
        out.append(("airline", [r["text"] for r in rows], gold, [code[g] for g in gold]))
    return out


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Return Pearson's correlation coefficient."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    return sxy / math.sqrt(sxx * syy)


def f1_scores(gold: Sequence[str], predicted: Sequence[str]) -> tuple[float, float, float]:
    """Return (accuracy, macro-F1, weighted-F1) over the three labels."""
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)
    f1s, weights = [], []
    for label in LABELS:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
        weights.append(tp + fn)
    macro = sum(f1s) / len(f1s)
    weighted = sum(f * w for f, w in zip(f1s, weights, strict=True)) / sum(weights)
    return accuracy, macro, weighted


def main(argv: list[str]) -> int:
    root = Path(
        argv[0] if argv else os.environ.get("BRANDPULSE_CORPORA") or REPO.parent / "shared/corpora"
    )
    found = corpora(root)
    if not found:
        print(f"no sentiment corpora under {root}", file=sys.stderr)
        return 1
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    plain = SentimentIntensityAnalyzer()
    print(f"scorer: VADER compound, thresholds +-0.05; corpora: {root / 'sentiment'}")
    print(f"{'corpus':<13}{'texts':>7}{'r':>8}{'acc':>8}{'macroF1':>9}{'wF1':>8}  same as plain")
    for name, texts, gold, gold_scores in found:
        start = time.perf_counter()
        scores = score_many(texts)
        predicted = [label_for(s) for s in scores]
        same = all(
            label_for(plain.polarity_scores(t)["compound"]) == p
            for t, p in zip(texts, predicted, strict=True)
        )
        r = pearson(scores, gold_scores)
        accuracy, macro, weighted = f1_scores(gold, predicted)
        elapsed = time.perf_counter() - start
        print(
            f"{name:<13}{len(texts):>7}{r:>8.3f}{accuracy:>8.3f}{macro:>9.3f}{weighted:>8.3f}"
            f"  {'yes' if same else 'NO'} ({elapsed:.1f} s)"
        )
        if name in PAPER:
            print(f"{'':<13}{PAPER[name]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
