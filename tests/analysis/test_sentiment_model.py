"""The shipped sentiment model: labels, scores, confidence, languages it does not read, its card."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from brandpulse.analysis.rules import Rules
from brandpulse.analysis.sentiment import UNSCORED, get_scorer, score_mentions
from brandpulse.analysis.sentiment_model import DEFAULT_MODEL, clean, load_model, tokens
from brandpulse.store.records import Mention

from brandpulse import analysis
from brandpulse.config import Brand, Config
from brandpulse.rules import rules_from_config
from brandpulse.sentiment_corpora import evaluation_sets

CARD = DEFAULT_MODEL.with_suffix(".json")
RULES = rules_from_config(Config(brands=(Brand(name="Acme", query="acme"),)))


def mention(n: int, text: str, language: str | None = None) -> Mention:
    when = datetime(2026, 3, 10, 12, tzinfo=UTC)
    return Mention(
        id=f"m{n}",
        source="news",
        native_id=str(n),
        url=None,
        author=None,
        title="",
        text=text,
        published_at=when,
        collected_at=when,
        language=language,
    )


def test_cleaning_decodes_escapes_and_entities_and_masks_urls_and_handles() -> None:
    text = "@united thx\\u2019 &amp; sooooo good http://t.co/x"
    assert clean(text) == "@user thx’ & soo good  http "


def test_negation_marks_words_up_to_the_next_clause_punctuation() -> None:
    assert tokens("not good at all. great") == ["not", "~good", "~at", "~all", ".", "great"]


def test_the_model_is_the_default_and_labels_plain_praise_and_complaints() -> None:
    texts = [
        "Acme support was great, thank you so much!",
        "Acme lost my bag again and nobody answers. Worst service ever.",
        "Acme opens its new store on Main Street on Monday.",
    ]
    labels = score_mentions([mention(n, t) for n, t in enumerate(texts)], [], RULES)
    assert [x.label for x in labels] == ["positive", "negative", "neutral"]
    model = load_model()
    assert {x.scorer for x in labels} == {model.name}
    assert all(x.scorer_version == f"{model.version}+{model.sha256[:12]}" for x in labels)
    for x in labels:
        assert -1 <= x.score <= 1 and x.confidence is not None and 1 / 3 <= x.confidence <= 1
    assert labels[0].score > 0.3 and labels[1].score < -0.3


def test_mentions_in_another_language_are_unscored_never_neutral() -> None:
    items = [mention(1, "Acme es genial, me encanta", "es"), mention(2, "Acme is great", "en")]
    labels = score_mentions(items, [], RULES)
    assert labels[0].label == UNSCORED and labels[0].confidence is None
    assert labels[1].label == "positive"
    # VADER reads English only too.
    vader = score_mentions(items, [], Rules(scorer="vader"))
    assert [x.label for x in vader] == [UNSCORED, "positive"]


def test_annotate_detects_languages_and_keeps_only_the_configured_ones() -> None:
    items = [
        mention(1, "Acme made the best bike I have ever ridden, truly wonderful."),
        mention(2, "La nueva bicicleta de Acme es muy cómoda y la batería dura mucho."),
    ]
    everything = analysis.annotate(items, RULES)
    assert [m.language for m in everything.mentions] == ["en", "es"]
    assert [s.label for s in everything.sentiments] == ["positive", UNSCORED]
    english = analysis.annotate(items, Rules(brands=RULES.brands, languages=("en",)))
    assert [m.id for m in english.mentions] == ["m1"]
    assert [s.mention_id for s in english.sentiments] == ["m1"]


def test_the_shipped_file_is_the_one_its_card_describes() -> None:
    card = json.loads(CARD.read_text())
    assert hashlib.sha256(DEFAULT_MODEL.read_bytes()).hexdigest() == card["model_sha256"]
    assert DEFAULT_MODEL.stat().st_size == card["model_bytes"] < 20_000_000


@pytest.mark.corpus
def test_the_shipped_model_stays_above_the_floor_of_its_card(corpora: Path) -> None:
    floor = json.loads(CARD.read_text())["floor"]
    scorer = get_scorer("model")
    from brandpulse.analysis.sentiment_metrics import figures

    checked = 0
    for corpus in evaluation_sets(corpora):
        result = figures(corpus.labels, [v.label for v in scorer.verdicts(corpus.texts)])
        for key, minimum in floor[corpus.name].items():
            assert getattr(result, key) >= minimum, (corpus.name, key)
            checked += 1
    assert checked >= 5 * 4


def test_a_batch_split_over_processes_gets_the_verdicts_of_one_process() -> None:
    model = load_model()
    texts = [
        f"{opening} the {thing} at Acme{end}"
        for opening in ("I love", "I hate", "Not happy with", "Just looked at")
        for thing in ("support", "new phone", "delivery")
        for end in ("", "!!", " :(", " https://t.co/x1")
    ] + ["", "!!!", "not great, not terrible"]
    split, single = model.predict(texts, processes=2), model.predict(texts, processes=1)
    assert [p.label for p in split] == [p.label for p in single]
    # Only the order of float additions may differ between the processes.
    assert all(abs(a.score - b.score) < 1e-6 for a, b in zip(split, single, strict=True))


def test_the_summed_scores_equal_the_feature_matrix_product() -> None:
    import numpy as np
    from brandpulse.analysis.sentiment_model import design

    model = load_model()
    texts = ["Acme support was GREAT!!", "not good at all. great", "", "meh", "@acme why??"]
    indptr, indices, values = design(texts, model.featurizer, tokens=model.tokens)
    expected = np.add.reduceat(model.weights[indices] * values[:, None], indptr[:-1], axis=0)
    assert np.allclose(model._logits(texts), expected + model.bias, atol=1e-5)
