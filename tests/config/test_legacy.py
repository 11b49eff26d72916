"""Config files written for earlier releases keep loading unchanged.

`legacy/` holds brands.example.toml and data/demo/brands.toml exactly as they were when the
sources moved behind the registry, so a later edit of the shipped examples cannot hide a
break of the files users already have.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from brandpulse.collectors.feeds import Feed
from brandpulse.collectors.fetch_settings import Fetch
from brandpulse.collectors.reddit_settings import Reddit

from brandpulse.config import load_config

LEGACY = Path(__file__).resolve().parent / "legacy"


def test_the_earlier_example_config_loads_with_every_value(tmp_path: Path) -> None:
    path = tmp_path / "brands.toml"
    shutil.copy(LEGACY / "brands.example.toml", path)
    config = load_config(path)
    assert config.sources == ("feeds", "reddit")
    assert config.sections["reddit"] == Reddit(
        subreddits=("all",), backfill_limit=500, page_size=100, comment_revisit_hours=6
    )
    assert config.sections["feeds"] == (
        Feed(
            url="https://news.google.com/rss/search?q={query}&hl=en-GB&gl=GB&ceid=GB:en",
            name="Google News",
        ),
        Feed(url="https://blog.example.com/feed/", kind="blog"),
    )
    assert config.sections["fetch"] == Fetch(backoff=1.0, concurrency=16, per_host=2)
    assert [(t.name, t.words) for t in config.terms] == [
        ("Acme", ("Acme", "Acme Corp", "AcmeHQ")),
        ("Globex", ("Globex",)),
    ]
    assert config.settings.timezone == "Europe/London"


def test_the_earlier_demo_config_loads_with_its_local_feeds(tmp_path: Path) -> None:
    path = tmp_path / "brands.toml"
    shutil.copy(LEGACY / "demo.brands.toml", path)
    config = load_config(path)
    assert config.sources == ("feeds", "reddit")
    reddit = config.source_settings("reddit")
    assert reddit.subreddits == ("ebikes", "bikecommuting", "cycling")
    assert reddit.owned_subreddits == ("norvelo",)
    feeds = config.source_settings("feeds")
    assert [f.url for f in feeds.feeds][:2] == [
        str(tmp_path / "feeds" / "velo-daily.rss.xml"),
        str(tmp_path / "feeds" / "mobility-wire.atom.xml"),
    ]
    assert [f.kind for f in feeds.feeds] == ["news", "news", "news", "blog", "blog"]
    assert feeds.fetch == Fetch()
    assert config.settings.database == tmp_path / ".." / "demo.duckdb"
