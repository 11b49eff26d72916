"""`brandpulse sentiment train`: fit a project model on the corrections; adopt it if better."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from brandpulse.analysis.sentiment_metrics import Figures
from brandpulse.analysis.sentiment_model import DEFAULT_MODEL, LinearModel, load_model, write_model
from brandpulse.analysis.sentiment_train import (
    MIN_CORRECTIONS,
    cross_validate,
    fine_tune,
    too_few_confirmations,
)
from brandpulse.config import project_model_path
from brandpulse.options import ConfigOption, DbOption, resolve
from brandpulse.store import analytics
from brandpulse.store.connection import read_connection, write_connection
from brandpulse.store.errors import ConfigError
from brandpulse.store.writes import record_training, transaction

# The most macro-recall the project model may lose on any shared evaluation set.
MAX_SHARED_LOSS = 0.02


def command(
    folds: Annotated[int, typer.Option(min=2, max=20, help="Cross-validation folds.")] = 5,
    corpora: Annotated[
        Path | None,
        typer.Option(
            help="Also compare on the shared evaluation sets in this folder"
            " (default: $BRANDPULSE_CORPORA when set)."
        ),
    ] = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> int:
    """Build a project model from the shipped model plus the team's corrections.

    Both models are compared by cross-validation on the corrections (each correction is
    predicted by a model fitted without it) and, when the corpora are at hand, on the shared
    evaluation sets. The project model is adopted (written beside the database, used by
    collect and analyze from then on) only if it is better; then run
    `brandpulse analyze --rescore` to re-label stored mentions.
    """
    ctx = resolve(config, db, write=True)
    target = project_model_path(ctx.db)
    if target is None:
        raise ConfigError(
            f"sentiment train keeps its project model in a file beside the database, and"
            f" {ctx.db} has no folder of its own",
            "keep the shipped model here: corrections still win over its label on every"
            " mention they cover (a project model needs a DuckDB file database)",
        )
    with read_connection(ctx.db) as con:
        examples = analytics.correction_examples(con)
        _, confirmed = analytics.correction_counts(con)
    if len(examples) < MIN_CORRECTIONS:
        raise ConfigError(
            f"only {len(examples)} corrections; at least {MIN_CORRECTIONS} are needed",
            "correct more labels with `brandpulse correct ID LABEL` or in the dashboard",
        )
    texts = [_text(title, text) for title, text, _ in examples]
    labels = [label for _, _, label in examples]
    base = load_model(DEFAULT_MODEL)
    comparison = cross_validate(base, texts, labels, folds)
    typer.echo(
        f"corrections: {len(texts)} ({confirmed} confirm the scorer's label);"
        f" {comparison.folds}-fold cross-validation on them:"
    )
    _row("shipped model", comparison.base)
    _row("project model", comparison.project)
    project = fine_tune(base, texts, labels)
    shared_ok = True
    root = corpora or (
        Path(os.environ["BRANDPULSE_CORPORA"]) if os.environ.get("BRANDPULSE_CORPORA") else None
    )
    if root is not None:
        shared_ok = _compare_shared(base, project.as_linear(), root)
    adopt = comparison.better and shared_ok
    now = datetime.now(UTC)
    digest = None
    if adopt:
        project.header["trained_at"] = now.isoformat(timespec="seconds")
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = write_model(target, project.header, project.vocab, project.weights, project.tokens)
        typer.echo(f"adopted: the project model is better; written to {target} ({digest[:12]})")
        typer.echo("next: `brandpulse analyze --rescore` re-labels the stored mentions")
    elif not comparison.better:
        typer.echo("kept the current model: the project model is not better on the corrections")
    else:
        typer.echo(
            "kept the current model: the project model is better on the corrections but loses"
            f" more than {MAX_SHARED_LOSS} macro-recall on a shared evaluation set"
        )
        if too_few_confirmations(len(texts), confirmed):
            typer.echo(
                "hint: nearly every correction changes a label, so the project model leans"
                " toward the scorer's mistakes; confirm right labels too (the dashboard's"
                ' "Labels are right", or `brandpulse correct ID LABEL` with the same label)'
            )
    figures = {"base": comparison.base.as_dict(), "project": comparison.project.as_dict()}
    with write_connection(ctx.db) as con, transaction(con):
        record_training(con, len(texts), adopt, digest if adopt else None, figures)
    return 0


def _text(title: str, text: str) -> str:
    whole = text if title in text else f"{title}\n{text}"
    return whole[:2000]


def _row(name: str, f: Figures) -> None:
    typer.echo(
        f"  {name:<14} accuracy {f.accuracy:.3f}  macro-F1 {f.macro_f1:.3f}"
        f"  macro-recall {f.macro_recall:.3f}"
    )


def _compare_shared(base: LinearModel, project: LinearModel, root: Path) -> bool:
    """Print both models' macro-recall per shared set; False if the project model loses more
    than MAX_SHARED_LOSS on one."""
    from brandpulse.analysis.sentiment_metrics import figures
    from brandpulse.sentiment_corpora import evaluation_sets

    sets = evaluation_sets(root)
    if not sets:
        typer.echo(f"no shared evaluation sets under {root}: compared on the corrections only")
        return True
    typer.echo("shared evaluation sets (macro-recall, shipped -> project):")
    worst = 0.0
    for corpus in sets:
        scores = []
        for model in (base, project):
            predicted = [p.label for p in model.predict(corpus.texts)]
            scores.append(figures(corpus.labels, predicted).macro_recall)
        worst = min(worst, scores[1] - scores[0])
        typer.echo(f"  {corpus.name:<14} {scores[0]:.3f} -> {scores[1]:.3f}")
    return worst >= -MAX_SHARED_LOSS
