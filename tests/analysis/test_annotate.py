"""annotate(): brand matches, campaign windows and brand-targeted sentiment labels together."""

from __future__ import annotations

from datetime import UTC, date, datetime

from brandpulse.analysis.sentiment import SCORER, SCORER_VERSION, label_for, sentences
from brandpulse.store.records import Mention
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from brandpulse import analysis
from brandpulse.config import Analysis, Brand, Campaign, Config, Settings
from brandpulse.rules import rules_from_config

SIA = SentimentIntensityAnalyzer()
CONFIG = Config(
    settings=Settings(timezone="America/New_York"),
    brands=(
        Brand(name="Acme", query='acme OR "acme corp"'),
        Brand(name="Globex", query="globex", competitor=True),
    ),
    campaigns=(
        Campaign(
            name="Spring",
            brand="Acme",
            start=date(2026, 3, 1),
            end=date(2026, 3, 31),
            terms=("#AcmeSpring", "spring sale"),
        ),
        Campaign(name="All March", brand="Acme", start=date(2026, 3, 1), end=date(2026, 3, 31)),
    ),
    # These tests pin VADER's behaviour; the model's own are in test_sentiment_model.py.
    analysis=Analysis(scorer="vader"),
)
RULES = rules_from_config(CONFIG)


def mention(n: int, text: str, when: datetime | None = None, title: str = "") -> Mention:
    when = when or datetime(2026, 3, 10, 12, tzinfo=UTC)
    return Mention(
        id=f"m{n}",
        source="news",
        native_id=str(n),
        url=None,
        author=None,
        title=title,
        text=text,
        published_at=when,
        collected_at=when,
    )


def test_label_thresholds_are_inclusive() -> None:
    assert label_for(0.05) == "positive"
    assert label_for(0.0499) == "neutral"
    assert label_for(-0.05) == "negative"
    assert label_for(-0.0499) == "neutral"
    assert label_for(0.3, positive=0.5, negative=-0.5) == "neutral"


def test_short_texts_get_the_plain_vader_label_with_scorer_and_version() -> None:
    texts = ["Acme support is great!", "acme broke again, awful", "Acme opened a store"]
    result = analysis.annotate([mention(n, t) for n, t in enumerate(texts)], RULES)
    for label, text in zip(result.sentiments, texts, strict=True):
        expected = SIA.polarity_scores(text)["compound"]
        assert label.score == expected and label.whole_score == expected
        assert label.label == label_for(expected)
        assert (label.scorer, label.scorer_version) == (SCORER, SCORER_VERSION)
    assert [s.label for s in result.sentiments] == ["positive", "negative", "neutral"]


def test_long_texts_are_labelled_on_the_sentences_naming_the_brand() -> None:
    gloom = "The weather was awful and the traffic was horrible. " * 8
    text = gloom + "Acme's support team was wonderful and fixed it fast. " + gloom
    result = analysis.annotate([mention(1, text)], RULES)
    (label,) = result.sentiments
    target = "Acme's support team was wonderful and fixed it fast."
    assert label.score == SIA.polarity_scores(target)["compound"]
    assert label.whole_score == SIA.polarity_scores(text.strip())["compound"]
    assert label.label == "positive" and label.whole_score < -0.05


def test_mentions_matching_no_brand_get_nothing() -> None:
    result = analysis.annotate([mention(1, "nothing to see here")], RULES)
    assert (result.brands, result.campaigns, result.sentiments) == ([], [], [])


def test_campaigns_need_the_brand_the_window_in_local_days_and_a_tracked_term() -> None:
    items = [
        mention(1, "Acme #AcmeSpring deals"),
        mention(2, "acme spring sale is on"),
        mention(3, "acme without the tag"),
        mention(4, "globex #AcmeSpring"),  # not the campaign's brand
        # 03:00 UTC on 1 April is still 31 March in New York: inside the window.
        mention(5, "acme #acmespring", when=datetime(2026, 4, 1, 3, tzinfo=UTC)),
        mention(6, "acme #acmespring", when=datetime(2026, 4, 1, 5, tzinfo=UTC)),
    ]
    result = analysis.annotate(items, RULES)
    spring = {(c.mention_id, c.term) for c in result.campaigns if c.campaign == "Spring"}
    assert spring == {("m1", "#AcmeSpring"), ("m2", "spring sale"), ("m5", "#AcmeSpring")}
    everything = {c.mention_id for c in result.campaigns if c.campaign == "All March"}
    assert everything == {"m1", "m2", "m3", "m5"}


def test_sentences_split_on_end_punctuation_and_line_breaks() -> None:
    assert sentences("One. Two!  Three?\nFour\n\nfive… six") == [
        "One.",
        "Two!",
        "Three?",
        "Four",
        "five…",
        "six",
    ]
