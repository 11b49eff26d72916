"""Read the shared human-labelled sentiment corpora (training and evaluation sets) from a folder."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CODE = {"positive": 1.0, "neutral": 0.0, "negative": -1.0}
# SemEval topic (BD) sets kept out of training, so the brand-targeted figures are on unseen
# tweets (every BD tweet is also in the subtask-A pool).
HELD_OUT_BD = ("twitter-2015test-BD.tsv", "twitter-2016devtest-BD.tsv")


@dataclass(frozen=True)
class Corpus:
    """One labelled set: `scores` are human ratings where they exist (VADER's sets), else -1/0/1."""

    name: str
    texts: list[str]
    labels: list[str]
    scores: list[float]
    rated: bool = False
    classes: tuple[str, ...] = ("negative", "neutral", "positive")
    # The brand or topic each text is about, where the set says (airline, Sentiment140's
    # query, the SemEval topic); None for sets without one.
    groups: list[str] | None = None


def corpora_root(arg: str | None = None) -> Path:
    """Return the corpora folder: the argument, $BRANDPULSE_CORPORA, or ../shared/corpora."""
    return Path(arg or os.environ.get("BRANDPULSE_CORPORA") or REPO.parent / "shared/corpora")


def _label_of_rating(rating: float) -> str:
    # VADER's paper cut: mean rating / 4 at +-0.05.
    if rating >= 0.05:
        return "positive"
    if rating <= -0.05:
        return "negative"
    return "neutral"


def _vader_gold(name: str, path: Path) -> Corpus:
    texts, scores = [], []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split("\t")
        if len(parts) >= 3:
            texts.append(parts[2])
            scores.append(float(parts[1]) / 4)
    return Corpus(name, texts, [_label_of_rating(s) for s in scores], scores, rated=True)


def evaluation_sets(root: Path) -> list[Corpus]:
    """Return every shared evaluation set present under root/sentiment (never trained on)."""
    base = root / "sentiment"
    out = []
    if (base / "tweeteval" / "val_text.txt").exists():
        texts = (base / "tweeteval" / "val_text.txt").read_text(encoding="utf-8").splitlines()
        mapping = {"0": "negative", "1": "neutral", "2": "positive"}
        raw = (base / "tweeteval" / "val_labels.txt").read_text(encoding="utf-8").split()
        gold = [mapping[x] for x in raw]
        out.append(Corpus("tweeteval", texts, gold, [CODE[g] for g in gold]))
    airline = base / "airline" / "Tweets.csv"
    if airline.exists():
        with airline.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        gold = [r["airline_sentiment"] for r in rows]
        out.append(
            Corpus(
                "airline",
                [r["text"] for r in rows],
                gold,
                [CODE[g] for g in gold],
                groups=[r["airline"] for r in rows],
            )
        )
    s140 = base / "sentiment140" / "testdata.manual.2009.06.14.csv"
    if s140.exists():
        with s140.open(encoding="latin-1", newline="") as fh:
            rows = list(csv.reader(fh))
        polarity = {"0": "negative", "2": "neutral", "4": "positive"}
        gold = [polarity[r[0]] for r in rows]
        out.append(
            Corpus(
                "sentiment140",
                [r[5] for r in rows],
                gold,
                [CODE[g] for g in gold],
                groups=[r[3] for r in rows],
            )
        )
    for name, file in (
        ("vader-tweets", "tweets_GroundTruth.txt"),
        ("vader-amazon", "amazonReviewSnippets_GroundTruth.txt"),
    ):
        if (base / file).exists():
            out.append(_vader_gold(name, base / file))
    return out


def _tsv(path: Path, columns: int) -> list[list[str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= columns:
            rows.append(parts)
    return rows


def topic_sets(root: Path) -> list[Corpus]:
    """Return the held-out SemEval topic (BD) sets: (tweet, topic) pairs with their label."""
    base = root / "sentiment" / "semeval2013-16" / "subtask-BD"
    out = []
    for file in HELD_OUT_BD:
        if (base / file).exists():
            rows = [r for r in _tsv(base / file, 4) if r[2] in CODE]
            labels = [r[2] for r in rows]
            out.append(
                Corpus(
                    "semeval-" + file.split("-")[1] + "-BD",
                    [r[3] for r in rows],
                    labels,
                    [CODE[g] for g in labels],
                    # 2016 sets are positive/negative only; 2015's has neutral too.
                    classes=tuple(c for c in ("negative", "neutral", "positive") if c in labels),
                    groups=[r[1] for r in rows],
                )
            )
    return out


def topic_ids(root: Path) -> set[str]:
    """Return the tweet ids of the held-out topic sets."""
    base = root / "sentiment" / "semeval2013-16" / "subtask-BD"
    return {r[0] for f in HELD_OUT_BD if (base / f).exists() for r in _tsv(base / f, 4)}


def training_files(root: Path) -> list[Path]:
    """Return the SemEval subtask-A files, sorted by name."""
    return sorted((root / "sentiment" / "semeval2013-16" / "subtask-A").glob("*.tsv"))


def training_rows(root: Path) -> list[tuple[str, str, str]]:
    """Return (id, label, text) of every subtask-A row, files in name order."""
    rows = []
    for path in training_files(root):
        rows.extend((r[0], r[1], r[2]) for r in _tsv(path, 3))
    return rows
