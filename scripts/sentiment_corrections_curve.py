"""Measure what a brand team's corrections do to its sentiment labels, on the airline tweets.

Usage: .venv/bin/python scripts/sentiment_corrections_curve.py [--corpora DIR]
       [--set NAME] [--reviewed N,N,...] [--seeds K] [--confirm] [--free | --free-tokens]
       [--markdown]

`--set` takes another shared set whose texts name their brand or topic (default airline;
e.g. semeval-2016devtest-BD, whose 20 topics are positive/negative only and are scored by
the sign of the score, as the evaluation does); each group is then one team. `--free` fits
with the bias and VADER's weights free to move, the rule before they were held;
`--free-tokens` with the token vectors' weights free (the bias and VADER's held).

Each airline of the shared airline set (customers writing to six US airlines, human labels)
stands for one brand's team. The team reads its mentions in a random order (seed); of the
first N it reads, it corrects those the shipped model labelled wrongly (`brandpulse
correct`), and `brandpulse sentiment train` fits a project model from those corrections
(`analysis.sentiment_train.fine_tune`, exactly as the command does); with `--confirm`, it
also confirms the labels it finds right, so every mention it reads is an example. Scored:
the airline's tweets beyond the largest N, the same ones at every N, pooled over the six
airlines; and, to see what the project model forgets, TweetEval validation (general tweets).
Printed per N, averaged over the seeds: corrections made, accuracy, macro-recall and
weighted-F1 on the held tweets, TweetEval macro-recall, and how many of the six project
models `sentiment train` would adopt with the corpora at hand (cross-validated on the
corrections; the shared-set rule, no more than MAX_SHARED_LOSS macro-recall lost on any set,
is checked on TweetEval alone here).
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
from brandpulse.analysis.sentiment_metrics import figures
from brandpulse.analysis.sentiment_model import load_model
from brandpulse.analysis.sentiment_train import cross_validate, fine_tune

from brandpulse.commands.sentiment_train import MAX_SHARED_LOSS, MIN_CORRECTIONS
from brandpulse.sentiment_corpora import corpora_root, evaluation_sets, topic_sets

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_sentiment_model import topic_labels  # noqa: E402

DEFAULT_REVIEWED = (0, 25, 50, 100, 200, 400)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", help="corpora folder (default $BRANDPULSE_CORPORA)")
    parser.add_argument(
        "--reviewed",
        default=",".join(str(n) for n in DEFAULT_REVIEWED),
        help="mentions each team reads, comma-separated (default %(default)s)",
    )
    parser.add_argument("--set", default="airline", help="grouped shared set (default airline)")
    parser.add_argument("--seeds", type=int, default=3, help="reading orders (default 3)")
    parser.add_argument(
        "--free", action="store_true", help="let the bias and VADER's weights move (old rule)"
    )
    parser.add_argument(
        "--free-tokens", action="store_true", help="let the token vectors' weights move"
    )
    parser.add_argument(
        "--confirm",
        action="store_true",
        help="the team also confirms the labels it finds right (`brandpulse correct` with the "
        "same label), so every mention it reads is an example",
    )
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args(argv)
    reviewed = sorted({int(n) for n in args.reviewed.split(",")})
    root = corpora_root(args.corpora)
    sets = {c.name: c for c in evaluation_sets(root) + topic_sets(root)}
    corpus, general = sets[args.set], sets["tweeteval"]
    base = load_model()

    def labelled(model, texts: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
        return topic_labels(model.predict(texts), corpus.classes)

    base_labels = labelled(base, corpus.texts)
    base_general = figures(general.labels, [p.label for p in base.predict(general.texts)])
    by_group: dict[str, list[int]] = defaultdict(list)
    for i, name in enumerate(corpus.groups or []):
        by_group[name].append(i)

    rows: dict[int, list[dict[str, float]]] = defaultdict(list)
    for seed in range(args.seeds):
        order = [
            random.Random(f"{seed}:{name}").sample(ids, len(ids))
            for name, ids in sorted(by_group.items())
        ]
        for n in reviewed:
            gold, predicted, made, adopted, general_recall = [], [], 0, 0, []
            for ids in order:
                read, held = ids[:n], ids[max(reviewed) :]
                fixes = [i for i in read if args.confirm or base_labels[i] != corpus.labels[i]]
                made += len(fixes)
                model = base
                if fixes:
                    texts = [corpus.texts[i] for i in fixes]
                    labels = [corpus.labels[i] for i in fixes]
                    model = fine_tune(
                        base, texts, labels, not args.free, not args.free_tokens
                    ).as_linear()
                    general_figs = figures(
                        general.labels, [p.label for p in model.predict(general.texts)]
                    )
                    general_recall.append(general_figs.macro_recall)
                    if (
                        len(fixes) >= MIN_CORRECTIONS
                        and cross_validate(
                            base,
                            texts,
                            labels,
                            hold_shared=not args.free,
                            hold_tokens=not args.free_tokens,
                        ).better
                        and general_figs.macro_recall >= base_general.macro_recall - MAX_SHARED_LOSS
                    ):
                        adopted += 1
                else:
                    general_recall.append(base_general.macro_recall)
                gold += [corpus.labels[i] for i in held]
                predicted += labelled(model, [corpus.texts[i] for i in held])
            figs = figures(gold, predicted, classes=corpus.classes)
            rows[n].append(
                {
                    "corrections": made / len(order),
                    "accuracy": figs.accuracy,
                    "macro_recall": figs.macro_recall,
                    "weighted_f1": figs.weighted_f1,
                    "tweeteval": float(np.mean(general_recall)),
                    "adopted": adopted,
                    "held": len(gold),
                }
            )
            print(f"seed {seed} reviewed {n}: {rows[n][-1]}", file=sys.stderr, flush=True)

    header = (
        "reviewed per team",
        "corrections per team",
        "held tweets",
        "acc",
        "macroR",
        "wF1",
        "TweetEval macroR",
        f"adopted (of {len(by_group)})",
    )
    lines = []
    for n in reviewed:
        mean = {k: float(np.mean([r[k] for r in rows[n]])) for k in rows[n][0]}
        spread = float(np.std([r["weighted_f1"] for r in rows[n]]))
        lines.append(
            (
                str(n),
                f"{mean['corrections']:.0f}",
                f"{mean['held']:,.0f}",
                f"{mean['accuracy']:.3f}",
                f"{mean['macro_recall']:.3f}",
                f"{mean['weighted_f1']:.3f} ± {spread:.3f}",
                f"{mean['tweeteval']:.3f}",
                f"{mean['adopted']:.1f}",
            )
        )
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for line in lines:
            print("| " + " | ".join(line) + " |")
    else:
        print("  ".join(header))
        for line in lines:
            print("  ".join(line))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
