"""`brandpulse relevance eval|import` and `brandpulse mark`: measure and teach the filter."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from brandpulse import relevance as relevance_step
from brandpulse.analysis.relevance import RELATED, UNRELATED, Signals, focus
from brandpulse.analysis.relevance_eval import evaluate
from brandpulse.config import Config
from brandpulse.options import ConfigOption, Context, DbOption, resolve
from brandpulse.store import relevance as store_relevance
from brandpulse.store.connection import read_connection
from brandpulse.store.errors import ConfigError

app = typer.Typer(
    help="Measure the relevance filter on a labelled file, or import marks.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)

CURVE = (0, 10, 25, 50, 100)


def read_labelled(path: Path) -> list[tuple[str, bool, str]]:
    """Read `brand<TAB>label<TAB>text` rows (with a header) as (brand, related, text)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}", "give a readable UTF-8 file") from None
    rows: list[tuple[str, bool, str]] = []
    reader = csv.reader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(reader, None)
    if header is None or [h.strip().lower() for h in header[:3]] != ["brand", "label", "text"]:
        raise ConfigError(
            f"{path}: the first line must be the header brand<TAB>label<TAB>text",
            "write the file as tab-separated brand, label (related/unrelated), text",
        )
    for number, row in enumerate(reader, start=2):
        if not row or not "".join(row).strip():
            continue
        if len(row) < 3 or row[1].strip().lower() not in (RELATED, UNRELATED):
            raise ConfigError(
                f"{path}:{number}: expected brand<TAB>related|unrelated<TAB>text, got {row[:3]!r}",
                "fix that line: the label is related or unrelated, fields are tab-separated",
            )
        label = row[1].strip().lower() == RELATED
        rows.append((row[0].strip(), label, "\t".join(row[2:])))
    return rows


def _table(result: dict[str, object]) -> str:
    """Render an evaluation as a text table: per brand, then pooled and keyword-only."""
    lines = [
        f"relevance eval: {result['labels_per_brand']} marks per brand, seed {result['seed']}"
        + (", accurate tier (sentence embeddings)" if result.get("accurate") else ""),
        f"{'brand':<16}{'marks':>6}{'scored':>7}{'related':>8}"
        f"{'P':>7}{'R':>7}{'F1':>7}{'acc':>7}{'kw F1':>7}",
    ]
    brands = result["brands"]
    assert isinstance(brands, dict)
    for name, f in brands.items():
        lines.append(
            f"{name:<16}{f['marks']:>6}{f['scored']:>7}{f['related']:>8}"
            f"{f['precision']:>7.3f}{f['recall']:>7.3f}{f['f1']:>7.3f}{f['accuracy']:>7.3f}"
            f"{f['keyword_only_f1']:>7.3f}"
        )
    for title in ("overall", "keyword_only"):
        f = result[title]
        assert isinstance(f, dict)
        lines.append(
            f"{title:<16}{'':>6}{f['scored']:>7}{f['related']:>8}"
            f"{f['precision']:>7.3f}{f['recall']:>7.3f}{f['f1']:>7.3f}{f['accuracy']:>7.3f}"
        )
    return "\n".join(lines)


def _embedded(rows: list[tuple[str, bool, str]]) -> np.ndarray:
    """Return the sentence embeddings of each row's text around its brand's name."""
    from brandpulse.analysis import relevance_vectors  # the accurate extra: only when asked

    return relevance_vectors.embed([focus(text, Signals(brand).names) for brand, _, text in rows])


def _curve_point(
    rows: list[tuple[str, bool, str]], n: int, seed: int, vectors: np.ndarray | None
) -> dict[str, object]:
    """Return the overall figures at n marks per brand and the marks a brand really had.

    A brand with too few texts for n marks plus some left to score is cross-validated, so
    `marks_per_brand` (the mean over brands) can be below n.
    """
    result = evaluate(rows, n, seed, vectors=vectors).as_dict()
    brands = result["brands"].values()
    overall = dict(result["overall"])
    overall["marks_per_brand"] = round(sum(b["marks"] for b in brands) / max(len(brands), 1), 1)
    return overall


@app.command("eval")
def eval_command(
    file: Annotated[
        Path, typer.Argument(help="Labelled file: brand<TAB>label<TAB>text with a header.")
    ],
    labels_per_brand: Annotated[
        int,
        typer.Option("--labels-per-brand", min=0, help="Random marks per brand to learn from."),
    ] = 50,
    seed: Annotated[int, typer.Option("--seed", help="Which marks are drawn.")] = 0,
    output: Annotated[
        str, typer.Option("--format", help="text or json (json goes to stdout).")
    ] = "text",
    curve: Annotated[
        bool,
        typer.Option(
            "--curve", help="Also run 0, 10, 25, 50 and 100 marks per brand (overall figures)."
        ),
    ] = False,
    accurate: Annotated[
        bool,
        typer.Option(
            "--accurate",
            help="Add the sentence-embedding heads (MiniLM and multilingual-e5) and their"
            " mixture, as `[analysis] accurate_relevance` scores (needs the accurate extra;"
            " ~30 texts/s).",
        ),
    ] = False,
) -> int:
    """Simulate a team marking N random mentions per brand, train as the product does, and
    report precision, recall, F1 of the "related" class and accuracy on the rest, pooled over
    all brands and per brand, beside keyword-only matching."""
    if output not in ("text", "json"):
        raise ConfigError(f"unknown format {output!r}", "use --format text or --format json")
    rows = read_labelled(file)
    if not rows:
        raise ConfigError(f"{file} holds no labelled rows", "add rows below the header")
    vectors = _embedded(rows) if accurate else None
    result = evaluate(rows, labels_per_brand, seed, vectors=vectors).as_dict()
    result["accurate"] = accurate
    if curve:
        result["curve"] = {str(n): _curve_point(rows, n, seed, vectors) for n in CURVE}
    if output == "json":
        typer.echo(json.dumps(result, indent=2))
        return 0
    typer.echo(_table(result))
    if curve:
        typer.echo("learning curve (overall):")
        for n, f in result["curve"].items():
            if not f["scored"]:
                typer.echo(f"  {n:>4} marks: no text left to score")
                continue
            mean = f["marks_per_brand"]
            note = ""
            if mean < int(n):
                note = f" (cross-validated: {mean:g} marks per brand on average)"
            typer.echo(
                f"  {n:>4} marks: P {f['precision']:.3f} R {f['recall']:.3f}"
                f" F1 {f['f1']:.3f} acc {f['accuracy']:.3f}{note}"
            )
    return 0


def _brand_name(config: Config, brand: str) -> str:
    """Return the configured spelling of `brand`, matched case-insensitively."""
    for known in config.brands:
        if known.name.casefold() == brand.strip().casefold():
            return known.name
    names = ", ".join(b.name for b in config.brands) or "none configured"
    raise ConfigError(f"no brand called {brand!r}", f"use one of the configured brands: {names}")


def _label(value: str) -> str:
    label = value.strip().lower()
    if label not in (RELATED, UNRELATED):
        raise ConfigError(f"unknown mark {value!r}", "use related or unrelated")
    return label


def _apply(ctx: Context, marks: list[tuple[str, str, str]], who: str | None) -> int:
    stored, missing = relevance_step.mark(ctx.db, ctx.config, marks, who)
    for mention_id, brand in missing[:10]:
        typer.echo(f"skipped: mention {mention_id} does not match brand {brand}", err=True)
    if len(missing) > 10:
        typer.echo(f"skipped {len(missing) - 10} more", err=True)
    if not stored:
        raise ConfigError(
            "no mark was stored: no such mention matches that brand",
            "copy the id and brand from `brandpulse export` or the dashboard's Review page",
        )
    with read_connection(ctx.db) as con:
        summary = store_relevance.mark_summary(con)
    for row in summary.itertuples(index=False):
        if row.brand in {b for _, b, _ in marks}:
            typer.echo(
                f"{row.brand}: {row.marks} marks ({row.related_marks} related);"
                f" {row.counted} mentions counted, {row.left_out} left out"
            )
    return 0 if not missing else 1


def mark_command(
    mention_id: Annotated[str, typer.Argument(help="The mention's id, as in exports.")],
    brand: Annotated[str, typer.Argument(help="The brand the mark is about.")],
    label: Annotated[str, typer.Argument(help="related (about the brand) or unrelated.")],
    who: Annotated[str | None, typer.Option("--by", help="Who marked it.")] = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> int:
    """Mark whether a mention is about a brand; the brand's relevance model retrains at once."""
    ctx = resolve(config, db)
    return _apply(ctx, [(mention_id, _brand_name(ctx.config, brand), _label(label))], who)


@app.command("import")
def import_command(
    file: Annotated[
        Path, typer.Argument(help="CSV (or .tsv) with a header: mention_id, brand, label.")
    ],
    who: Annotated[str | None, typer.Option("--by", help="Who marked them.")] = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> int:
    """Import many marks at once (label related or unrelated), then retrain their brands."""
    ctx = resolve(config, db)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {file}: {exc}", "give a readable UTF-8 file") from None
    delimiter = "\t" if file.suffix.lower() == ".tsv" else ","
    reader = csv.DictReader(text.splitlines(), delimiter=delimiter)
    fields = {(f or "").strip().lower(): f for f in reader.fieldnames or []}
    id_field = fields.get("mention_id") or fields.get("id")
    if not id_field or "brand" not in fields or "label" not in fields:
        raise ConfigError(
            f"{file}: the header must name mention_id, brand and label",
            "write a header line such as mention_id,brand,label",
        )
    marks = []
    for row in reader:
        if not (row.get(id_field) or "").strip():
            continue
        marks.append(
            (
                row[id_field].strip(),
                _brand_name(ctx.config, row[fields["brand"]] or ""),
                _label(row[fields["label"]] or ""),
            )
        )
    if not marks:
        raise ConfigError(f"{file} holds no marks", "add rows below the header")
    return _apply(ctx, marks, who)
