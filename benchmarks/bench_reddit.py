"""Reddit normalising: 100k recorded submissions and comments into Mentions.

Input: every post and comment in the recorded Reddit traffic of the corpus, cycled up to
100k, objectified by PRAW in chunks (the same objects go to both sides; objectifying is
timed apart, as both pay it). Ours is the collector's normaliser, which reads each object's
own data; the baseline is the obvious loop of PRAW attribute reads. The baseline is its best
case: it skips the few posts whose missing fields would make PRAW fetch them, and it does
not read `removed_by_category`, which no recorded post carries, so reading it would cost one
request per post (counted in the note).
"""

from __future__ import annotations

import copy
import json
import os
import sys
import time
from datetime import UTC, datetime
from itertools import cycle, islice
from pathlib import Path
from typing import Any

from brandpulse.collectors.reddit import offline_client
from brandpulse.collectors.reddit_normalise import normalise
from brandpulse.store.records import Mention, mention_id
from praw.models import Comment, Submission

from benchmarks.common import corpora_root, report

TOTAL = int(os.environ.get("BENCH_REDDIT_THINGS", "100000"))
CHUNK = 5_000
NOW = datetime(2026, 11, 29, tzinfo=UTC)


def corpus() -> Path:
    return corpora_root() / "reddit"


def recorded_things() -> list[dict[str, Any]]:
    """Return every recorded t3 and t1 thing as `{"kind", "data"}`, replies detached."""
    found = []
    for path in sorted(corpus().glob("*.json")):
        for item in json.loads(path.read_text(encoding="utf-8"))["interactions"]:
            try:
                stack = [json.loads(item["response"]["body"]["string"])]
            except ValueError:
                continue
            while stack:
                node = stack.pop()
                if isinstance(node, dict):
                    if node.get("kind") in ("t1", "t3") and isinstance(node.get("data"), dict):
                        data = dict(node["data"])
                        if isinstance(data.get("replies"), dict):
                            stack.append(data["replies"])
                            data["replies"] = ""
                        # Posts without a subreddit would make the baseline fetch them.
                        if node["kind"] == "t1" or "subreddit" in data:
                            found.append({"kind": node["kind"], "data": data})
                        continue
                    stack.extend(node.values())
                elif isinstance(node, list):
                    stack.extend(node)
    return found


def obvious(thing: Any, collected_at: datetime) -> Mention:
    """The loop PRAW's documentation suggests: read each attribute off the object."""
    if isinstance(thing, Submission):
        deleted = thing.selftext == "[deleted]"
        removed = thing.selftext == "[removed]"
        extra = {
            "kind": "submission",
            "subreddit": thing.subreddit.display_name,
            "nsfw": thing.over_18,
            "removed": removed,
            "deleted": deleted,
            "domain": thing.domain,
        }
        if not thing.is_self:
            extra["link_url"] = thing.url
        return Mention(
            id=mention_id("reddit", thing.fullname),
            source="reddit",
            native_id=thing.fullname,
            url="https://www.reddit.com" + thing.permalink,
            author=thing.author.name if thing.author else None,
            title=thing.title,
            text="" if removed or deleted else thing.selftext,
            published_at=datetime.fromtimestamp(thing.created_utc, UTC),
            collected_at=collected_at,
            score=thing.score,
            comments=thing.num_comments,
            extra=extra,
        )
    assert isinstance(thing, Comment)
    deleted = thing.body == "[deleted]"
    removed = thing.body == "[removed]"
    permalink = getattr(thing, "permalink", None) or (
        f"/r/{thing.subreddit.display_name}/comments/{thing.link_id[3:]}/_/{thing.id}/"
        if getattr(thing, "link_id", None)
        else thing.context.split("?")[0]
    )
    return Mention(
        id=mention_id("reddit", thing.fullname),
        source="reddit",
        native_id=thing.fullname,
        url="https://www.reddit.com" + permalink,
        author=thing.author.name if thing.author else None,
        title="",
        text="" if removed or deleted else thing.body,
        published_at=datetime.fromtimestamp(thing.created_utc, UTC),
        collected_at=collected_at,
        score=thing.score,
        extra={
            "kind": "comment",
            "subreddit": thing.subreddit.display_name,
            "nsfw": getattr(thing, "over_18", None),
            "removed": removed,
            "deleted": deleted,
            "domain": "reddit.com",
            "parent_title": getattr(thing, "link_title", None),
            "parent_id": thing.parent_id,
            "submission_id": getattr(thing, "link_id", None),
        },
    )


def main() -> int:
    things = recorded_things()
    if not things:
        print(f"no recorded Reddit traffic in {corpus()}", file=sys.stderr)
        return 1
    client = offline_client()
    objectify = client._objector.objectify
    stream = cycle(things)
    done = posts = 0
    ours_s = base_s = objectify_s = 0.0
    while done < TOTAL:
        chunk = list(islice(stream, min(CHUNK, TOTAL - done)))
        listing = {"kind": "Listing", "data": {"children": copy.deepcopy(chunk)}}
        start = time.perf_counter()
        objects = objectify(data=listing).children
        objectify_s += time.perf_counter() - start

        start = time.perf_counter()
        mine = [normalise(thing, NOW) for thing in objects]
        ours_s += time.perf_counter() - start
        start = time.perf_counter()
        theirs = [obvious(thing, NOW) for thing in objects]
        base_s += time.perf_counter() - start

        # The same mentions, field for field, where both read the same data.
        for a, b in zip(mine, theirs, strict=True):
            assert a is not None and (a.id, a.published_at, a.text) == (
                b.id,
                b.published_at,
                b.text,
            )
        posts += sum(1 for t in chunk if t["kind"] == "t3")
        done += len(chunk)
    report(
        "reddit_normalise",
        ours_s,
        base_s,
        "s",
        note=(
            f"{done} things ({posts} posts, {done - posts} comments) from {len(things)} recorded;"
            f" PRAW objectify {objectify_s:.2f}s shared;"
            f" reading removed_by_category would fetch {posts} posts"
        ),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
