"""Wire relevance: train each brand's model from its marks in the store, score matches, save."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import duckdb
import numpy as np

from brandpulse.analysis.relevance import (
    BrandModel,
    Estimate,
    Signals,
    cross_validate,
    model_version,
    score_matches,
    text_of,
    train,
)
from brandpulse.config import Config
from brandpulse.rules import relevance_signals
from brandpulse.store import relevance as store
from brandpulse.store.connection import (
    database_exists,
    read_connection,
    schema_is_current,
    write_connection,
)
from brandpulse.store.records import BrandMatch, RelevanceScore
from brandpulse.store.writes import transaction

# Models by version: a version names the algorithm, the signals and the marks, so an
# unchanged brand is not retrained on every collection.
_CACHE: dict[str, BrandModel] = {}

Models = dict[str, BrandModel]
Marked = dict[tuple[str, str], bool]


def _embed(texts: Sequence[str]) -> np.ndarray:
    from brandpulse.analysis import relevance_vectors  # the accurate extra: only when asked

    return relevance_vectors.embed(texts)


def check_accurate(config: Config) -> None:
    """Raise MissingExtra (error and fix) when `accurate_relevance` is on without the extra."""
    if config.analysis.accurate_relevance:
        from brandpulse.analysis import relevance_vectors

        relevance_vectors.check_extra()


def estimate(signals: Signals, texts: list[str], labels: list[bool], accurate: bool) -> Estimate:
    """Cross-validate the brand's filter on its marks, with the model the product scores
    with (`accurate`: the gram model, the embedding heads and their mixture; raises
    MissingExtra without the accurate extra)."""
    if not accurate:
        return cross_validate(signals, texts, labels)
    from brandpulse.analysis.relevance_vectors import check_extra, train_combined

    check_extra()  # MissingExtra, as everywhere else the accurate path runs
    return cross_validate(
        signals, texts, labels, fit=lambda t, y: train_combined(signals, t, y, _embed)
    )


def models_from_marks(
    con: duckdb.DuckDBPyConnection, signals: Mapping[str, Signals], accurate: bool = False
) -> tuple[Models, Marked]:
    """Train (or reuse) each brand's model from its marks; return models and marks by match.

    `accurate` adds the embedding heads to the brands with marks of both kinds."""
    frame = store.marks(con)
    marked: dict[tuple[str, str], bool] = {}
    by_brand: dict[str, tuple[list[str], list[bool]]] = {}
    for row in frame.itertuples(index=False):
        related = row.label == store.RELATED
        marked[(row.mention_id, row.brand)] = related
        texts, labels = by_brand.setdefault(row.brand, ([], []))
        texts.append(text_of(row.title, row.text))
        labels.append(related)
    models = {}
    for name, brand_signals in signals.items():
        texts, labels = by_brand.get(name, ([], []))
        unmarked: list[str] = []
        if accurate and texts:
            sample = store.unmarked_sample(con, name, UNMARKED_SAMPLE)
            unmarked = [text_of(r.title, r.text) for r in sample.itertuples(index=False)]
        models[name] = _trained(brand_signals, texts, labels, accurate, unmarked)
    return models, marked


# The accurate path's mixture sees at most this many of a brand's unmarked mentions (each
# is embedded whenever the brand retrains).
UNMARKED_SAMPLE = 200


def _trained(
    signals: Signals,
    texts: list[str],
    labels: list[bool],
    accurate: bool,
    unmarked: Sequence[str] = (),
) -> BrandModel:
    version = model_version(signals, texts, labels)
    if accurate:
        version += ":" + model_version(signals, unmarked, [False] * len(unmarked))
    if version not in _CACHE:
        if len(_CACHE) > 64:
            _CACHE.clear()
        if accurate:
            from brandpulse.analysis.relevance_vectors import train_combined

            _CACHE[version] = train_combined(signals, texts, labels, _embed, unmarked)
        else:
            _CACHE[version] = train(signals, texts, labels)
    return _CACHE[version]


def load_models(db: Path, config: Config) -> tuple[Models, Marked]:
    """Return the brands' models and marks from the database (config priors on a new one).

    With `[analysis] accurate_relevance` and the accurate extra missing, raise MissingExtra."""
    check_accurate(config)
    signals = relevance_signals(config)
    accurate = config.analysis.accurate_relevance
    if not database_exists(db) or not schema_is_current(db):
        return {n: _trained(s, [], [], accurate) for n, s in signals.items()}, {}
    with read_connection(db) as con:
        return models_from_marks(con, signals, accurate)


def score(
    models: Mapping[str, BrandModel],
    marked: Mapping[tuple[str, str], bool],
    mentions: Iterable[object],
    matches: Sequence[BrandMatch],
) -> list[RelevanceScore]:
    """Score the brand matches of these mentions (objects with id, title and text)."""
    texts = {m.id: text_of(m.title, m.text) for m in mentions}  # type: ignore[attr-defined]
    return score_matches(models, texts, matches, marked)


def rescore_on(
    con: duckdb.DuckDBPyConnection, config: Config, brands: Sequence[str] | None = None
) -> int:
    """Retrain from the marks and re-score every stored match of the brands, on a write
    connection (all brands by default); return how many matches changed counting."""
    check_accurate(config)
    signals = relevance_signals(config)
    names = [b for b in (brands or list(signals)) if b in signals]
    accurate = config.analysis.accurate_relevance
    models, marked = models_from_marks(con, {n: signals[n] for n in names}, accurate)
    scores: list[RelevanceScore] = []
    for name in names:
        frame = store.brand_mention_texts(con, name)
        texts = {r.mention_id: text_of(r.title, r.text) for r in frame.itertuples(index=False)}
        matches = [BrandMatch(mid, name, None) for mid in texts]
        scores += score_matches(models, texts, matches, marked)
    return store.write_relevance(con, scores)


def mark_on(
    con: duckdb.DuckDBPyConnection,
    config: Config,
    marks: Sequence[tuple[str, str, str]],
    who: str | None = None,
) -> tuple[int, list[tuple[str, str]]]:
    """Record marks (mention id, brand, related|unrelated) and retrain their brands, on a
    write connection; return how many were stored and the (id, brand) pairs matching nothing."""
    missing = []
    stored = 0
    for mention_id, brand, label in marks:
        if store.set_mark(con, mention_id, brand, label, who):
            stored += 1
        else:
            missing.append((mention_id, brand))
    if stored:
        rescore_on(con, config, sorted({b for _, b, _ in marks}))
    return stored, missing


def mark(
    db: Path,
    config: Config,
    marks: Sequence[tuple[str, str, str]],
    who: str | None = None,
) -> tuple[int, list[tuple[str, str]]]:
    """Record marks in one transaction and retrain their brands (see `mark_on`)."""
    with write_connection(db) as con, transaction(con):
        return mark_on(con, config, marks, who)


def rescore(db: Path, config: Config, brands: Sequence[str] | None = None) -> int:
    """Retrain and re-score the brands' stored matches in one transaction (see `rescore_on`)."""
    with write_connection(db) as con, transaction(con):
        return rescore_on(con, config, brands)
