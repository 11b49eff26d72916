"""Print VADER's and the shipped model's figures on every shared human-labelled sentiment set.

Usage: .venv/bin/python scripts/sentiment_eval.py [CORPORA_DIR] [--model FILE] [--markdown]
       [--accurate [--cache DIR]]
(default corpora: $BRANDPULSE_CORPORA, else ../shared/corpora beside the repository).
`--accurate` adds the accurate tier (needs the accurate extra): `accurate<0.6`, the model
with the embedding heads averaged in on texts whose top probability is below 0.6 (what
`[analysis] accurate_tier = true` does), and `accurate-all`, the heads averaged in on every
text (`--scorer accurate`). Embedding every set takes tens of minutes on two cores;
`--cache DIR` keeps the embeddings for the next run.

Per set and scorer: Pearson r of the score against the human score (VADER's gold sets hold
a mean rating, scaled to -1..1; elsewhere the label as -1/0/+1), accuracy, macro-recall,
macro-F1 and weighted-F1 over the three labels. VADER is labelled at +-0.05, the model by
its likeliest class. The SemEval topic (BD) sets are positive/negative only: there the sign
of the score decides, for both scorers. None of these sets is trained on (see
scripts/build_sentiment_model.py).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

from brandpulse.analysis.sentiment import Scorer, get_scorer  # noqa: E402
from brandpulse.analysis.sentiment_metrics import Figures, figures  # noqa: E402

from brandpulse.sentiment_corpora import Corpus, corpora_root, evaluation_sets, topic_sets  # noqa: E402


def evaluate(scorer: Scorer, corpus: Corpus, topic: bool = False) -> Figures:
    """Return one scorer's figures on one set."""
    verdicts = scorer.verdicts(corpus.texts)
    if topic and "neutral" not in corpus.classes:
        labels = ["positive" if v.score >= 0 else "negative" for v in verdicts]
        return figures(corpus.labels, labels, classes=corpus.classes)
    if topic:
        return figures(corpus.labels, [v.label for v in verdicts], classes=corpus.classes)
    return figures(
        corpus.labels,
        [v.label for v in verdicts],
        scores=[v.score for v in verdicts],
        gold_scores=corpus.scores,
    )


def table(
    root: Path, model: Path | None = None, accurate: bool = False, cache: Path | None = None
) -> list[tuple[str, str, Figures, float]]:
    """Return (set, scorer, figures, seconds) for every set and scorer."""
    linear = get_scorer("model", model_path=model)
    scorers: list[tuple[str, Scorer]] = [("vader", get_scorer("vader")), (linear.name, linear)]
    rows = []
    sets = [(c, False) for c in evaluation_sets(root)] + [(c, True) for c in topic_sets(root)]
    for corpus, topic in sets:
        extra = accurate_scorers(corpus, model, cache) if accurate else []
        for name, scorer in scorers + extra:
            start = time.perf_counter()
            result = evaluate(scorer, corpus, topic)
            rows.append((corpus.name, name, result, time.perf_counter() - start))
    return rows


def accurate_scorers(
    corpus: Corpus, model: Path | None, cache: Path | None
) -> list[tuple[str, Scorer]]:
    """Return the two accurate-tier scorers, their embeddings of the set computed once."""
    from brandpulse.analysis.sentiment_accurate import (
        DEFAULT_BELOW,
        AccurateScorer,
        cached_embed_fns,
        load_heads,
    )
    from brandpulse.analysis.sentiment_model import DEFAULT_MODEL, load_model

    linear, heads = load_model(model or DEFAULT_MODEL), load_heads()
    fns = cached_embed_fns(heads, corpus.texts, cache)
    return [
        (f"accurate<{DEFAULT_BELOW:g}", AccurateScorer(linear, heads, DEFAULT_BELOW, fns)),
        ("accurate-all", AccurateScorer(linear, heads, 2.0, fns)),
    ]


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    model = cache = None
    if "--model" in argv:
        model = Path(argv[argv.index("--model") + 1])
        args.remove(str(model)) if str(model) in args else None
    if "--cache" in argv:
        cache = Path(argv[argv.index("--cache") + 1])
        args.remove(str(cache)) if str(cache) in args else None
    root = corpora_root(args[0] if args else None)
    rows = table(root, model, "--accurate" in argv, cache)
    if not rows:
        print(f"no sentiment corpora under {root}", file=sys.stderr)
        return 1
    print(f"corpora: {root / 'sentiment'}")
    header = ("set", "scorer", "texts", "r", "acc", "macroR", "macroF1", "wF1")
    if "--markdown" in argv:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for name, scorer, f, _ in rows:
            r = f"{f.r:.3f}" if f.r is not None else "-"
            print(
                f"| {name} | {scorer} | {f.texts:,} | {r} | {f.accuracy:.3f} | "
                f"{f.macro_recall:.3f} | {f.macro_f1:.3f} | {f.weighted_f1:.3f} |"
            )
        return 0
    print(
        f"{'set':<24}{'scorer':<19}{'texts':>7}{'r':>7}{'acc':>7}{'macroR':>8}"
        f"{'macroF1':>9}{'wF1':>7}"
    )
    for name, scorer, f, seconds in rows:
        r = f"{f.r:.3f}" if f.r is not None else "-"
        print(
            f"{name:<24}{scorer:<19}{f.texts:>7}{r:>7}{f.accuracy:>7.3f}{f.macro_recall:>8.3f}"
            f"{f.macro_f1:>9.3f}{f.weighted_f1:>7.3f}  ({seconds:.1f} s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
