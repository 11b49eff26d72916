"""Saved API answers (the demo's input) become the same Mentions a live run yields."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from brandpulse.collectors import appstore, bluesky, hackernews, lemmy, mastodon

pytestmark = pytest.mark.corpus

AT = datetime(2026, 11, 30, tzinfo=UTC)


def cassette_body(path: Path) -> object:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return json.loads(data["http_interactions"][0]["response"]["body"]["string"])


def test_hackernews(sources: Path) -> None:
    recorded = json.loads((sources / "hn" / "fixtures.json").read_text(encoding="utf-8"))
    (mention,) = hackernews.mentions_from_saved(recorded[23]["reply"], AT)
    assert mention.native_id == "7919424" and mention.author == "bradleyjg"


def test_mastodon_local_accounts_take_the_status_host(sources: Path) -> None:
    data = cassette_body(sources / "mastodon" / "get_timeline_hashtag_anonymous.yml")
    mentions = mastodon.mentions_from_saved(data, AT)
    assert len(mentions) == 5
    assert "useR_conf@mastodon.social" in {m.author for m in mentions}
    assert mastodon.mentions_from_saved({"statuses": data}, AT) == mentions


def test_bluesky(sources: Path) -> None:
    mentions = bluesky.mentions_from_saved(cassette_body(sources / "bluesky" / "f_search.yml"), AT)
    assert len(mentions) == 25 and mentions[0].author == "socpaperbot.bsky.social"


def test_lemmy(sources: Path) -> None:
    data = json.loads((sources / "lemmy" / "searchResponseV3.json").read_text(encoding="utf-8"))
    post, comment = lemmy.mentions_from_saved(data, AT)
    assert post.extra["instance"] == comment.extra["instance"] == "test1.lemmy.ddenis.info"


def test_appstore_needs_the_app_beside_the_feed(sources: Path) -> None:
    data = json.loads((sources / "appstore" / "reviews.json").read_text(encoding="utf-8"))
    with pytest.raises(KeyError):
        appstore.mentions_from_saved(data, AT)
    data["app"] = {"id": "811377230", "brand": "Hello Internet", "country": "us"}
    mentions = appstore.mentions_from_saved(data, AT)
    assert len(mentions) == 50 and {m.extra["brand"] for m in mentions} == {"Hello Internet"}
