"""Write the cassettes our Reddit tests replay, in the vcrpy JSON format of the corpus.

They hold what the collector's own requests must look like (brand searches sorted by new,
owned subreddits' new posts, comment pages, "more comments" expansions) and answers the
corpus does not have (private, quarantined and banned subreddits, 429, 5xx, HTML pages).
Error answers Reddit really sent are borrowed from the corpus by reference, not copied.
The data are invented, in the shape Reddit's API returns. `test_cassettes_are_current`
fails when this file and the JSON files disagree; run
`python -m tests.collectors.reddit.make_cassettes` to rewrite them.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent / "cassettes"
OAUTH = "https://oauth.reddit.com"
BASE = datetime(2026, 11, 20, 12, 0, tzinfo=UTC).timestamp()
PAGE = 10  # the page_size the tests configure
ACME_QUERY = 'acme OR "acme corp" OR acmespring'
GLOBEX_QUERY = 'Globex OR "Globex Corporation"'
RATE_HEADERS = {
    "x-ratelimit-remaining": ["596.0"],
    "x-ratelimit-used": ["4"],
    "x-ratelimit-reset": ["312"],
}
# Spent: prawcore would sleep until the window resets, 120 s (Reddit's reset can be 600 s).
EXHAUSTED = {
    "x-ratelimit-remaining": ["0"],
    "x-ratelimit-used": ["600"],
    "x-ratelimit-reset": ["120"],
}
# Nearly spent: prawcore spaces the next requests out (here by its 10-second maximum).
SPENT = {
    "x-ratelimit-remaining": ["3.0"],
    "x-ratelimit-used": ["597"],
    "x-ratelimit-reset": ["120"],
}


# -- things, in the shape of Reddit's listings ----------------------------------------------


def post(
    ident: str,
    title: str,
    minutes: int,
    *,
    sub: str = "technology",
    selftext: str = "",
    link: str | None = None,
    author: str = "casual_user",
    score: int = 5,
    comments: int = 0,
    nsfw: bool = False,
    removed_by: str | None = None,
) -> dict[str, Any]:
    """Return a t3 thing created `minutes` before BASE."""
    slug = "_".join(title.lower().split())[:40]
    permalink = f"/r/{sub}/comments/{ident}/{slug}/"
    domain = link.split("/")[2] if link else f"self.{sub}"
    return {
        "kind": "t3",
        "data": {
            "id": ident,
            "name": f"t3_{ident}",
            "title": title,
            "selftext": selftext,
            "selftext_html": None,
            "is_self": link is None,
            "url": link or f"https://www.reddit.com{permalink}",
            "domain": domain,
            "permalink": permalink,
            "author": author,
            "author_fullname": None if author == "[deleted]" else f"t2_{author[:8]}",
            "subreddit": sub,
            "subreddit_id": "t5_2qh16",
            "subreddit_name_prefixed": f"r/{sub}",
            "subreddit_type": "public",
            "score": score,
            "ups": score,
            "upvote_ratio": 0.9,
            "num_comments": comments,
            "created": BASE - minutes * 60,
            "created_utc": BASE - minutes * 60,
            "over_18": nsfw,
            "spoiler": False,
            "stickied": False,
            "locked": False,
            "removed_by_category": removed_by,
            "link_flair_text": None,
            "thumbnail": "self" if link is None else "default",
        },
    }


def comment(
    ident: str,
    body: str,
    minutes: int,
    *,
    link: str,
    parent: str,
    depth: int,
    sub: str = "technology",
    author: str = "commenter",
    score: int = 2,
    replies: list[dict[str, Any]] | None = None,
    link_title: str | None = None,
) -> dict[str, Any]:
    """Return a t1 thing; `link` is the post id, `parent` a fullname."""
    data: dict[str, Any] = {
        "id": ident,
        "name": f"t1_{ident}",
        "body": body,
        "body_html": None,
        "author": author,
        "link_id": f"t3_{link}",
        "parent_id": parent,
        "subreddit": sub,
        "subreddit_id": "t5_2qh16",
        "subreddit_name_prefixed": f"r/{sub}",
        "score": score,
        "ups": score,
        "created": BASE - minutes * 60,
        "created_utc": BASE - minutes * 60,
        "depth": depth,
        "permalink": f"/r/{sub}/comments/{link}/_/{ident}/",
        "stickied": False,
        "collapsed": False,
        "replies": listing(replies) if replies else "",
    }
    if link_title is not None:  # only the /comments listing of a subreddit carries these
        data.update(
            link_title=link_title,
            link_permalink=f"https://www.reddit.com/r/{sub}/comments/{link}/_/",
            over_18=False,
            num_comments=3,
        )
    return {"kind": "t1", "data": data}


def more(parent: str, children: list[str], depth: int) -> dict[str, Any]:
    """Return a "load more comments" stub (no children and count 0: "continue this thread")."""
    return {
        "kind": "more",
        "data": {
            "count": len(children),
            "name": f"t1_{children[0]}" if children else "t1__",
            "id": children[0] if children else "_",
            "parent_id": parent,
            "depth": depth,
            "children": children,
        },
    }


def listing(children: list[dict[str, Any]], after: str | None = None) -> dict[str, Any]:
    return {
        "kind": "Listing",
        "data": {"after": after, "before": None, "dist": len(children), "children": children},
    }


# -- interactions ---------------------------------------------------------------------------


def request(method: str, path: str, query: dict[str, Any], form: str | None = None) -> dict:
    query = {**query, "raw_json": 1}
    return {
        "method": method,
        "uri": f"{OAUTH}{path}?{urlencode(query)}",
        "body": form,
        "headers": {"Authorization": ["bearer <ACCESS_TOKEN>"], "User-Agent": ["<USER_AGENT>"]},
    }


def answer(
    body: Any,
    status: int = 200,
    content_type: str = "application/json; charset=UTF-8",
    rate: dict[str, list[str]] = RATE_HEADERS,
    **headers: str,
) -> dict[str, Any]:
    text = body if isinstance(body, str) else json.dumps(body)
    head = {"Content-Type": [content_type], **rate}
    head.update({name.replace("_", "-"): [value] for name, value in headers.items()})
    messages = {200: "OK", 302: "Found", 400: "Bad Request", 403: "Forbidden", 404: "Not Found"}
    messages |= {429: "Too Many Requests", 503: "Service Unavailable"}
    return {
        "status": {"code": status, "message": messages.get(status, "")},
        "headers": head,
        "body": {"string": text},
    }


def borrowed(cassette: str, index: int) -> dict[str, Any]:
    """Return a response that the replay server reads from the corpus."""
    return {"from": {"cassette": cassette, "interaction": index}}


def token() -> dict[str, Any]:
    return {
        "request": {
            "method": "POST",
            "uri": "https://www.reddit.com/api/v1/access_token",
            "body": "grant_type=client_credentials",
            "headers": {"Authorization": ["Basic <BASIC_AUTH>"]},
        },
        "response": answer(
            {
                "access_token": "<ACCESS_TOKEN>",
                "token_type": "bearer",
                "expires_in": 3600,
                "scope": "*",
            }
        ),
    }


def search(sub: str, query: str, after: str | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {
        "q": query,
        "restrict_sr": sub.lower() != "all",
        "sort": "new",
        "syntax": "lucene",
        "t": "week",
        "limit": PAGE,
    }
    if after:
        params["after"] = after
    return request("GET", f"/r/{sub}/search/", params)


def pages(
    req: Any, things: list[dict[str, Any]], rate: dict[str, list[str]] = RATE_HEADERS
) -> list[dict[str, Any]]:
    """Return one interaction per page of PAGE things, each pointing to the next."""
    out = []
    after = None
    for start in range(0, max(len(things), 1), PAGE):
        chunk = things[start : start + PAGE]
        last = chunk[-1]["data"]["name"] if chunk and start + PAGE < len(things) else None
        out.append({"request": req(after), "response": answer(listing(chunk, last), rate=rate)})
        after = last
    return out


def thread(the_post: dict[str, Any], comments: list[dict[str, Any]]) -> dict[str, Any]:
    ident = the_post["data"]["id"]
    return {
        "request": request("GET", f"/comments/{ident}/", {"limit": 2048, "sort": "confidence"}),
        "response": answer([listing([the_post]), listing(comments)]),
    }


def cassette(interactions: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "interactions": [
            {"recorded_at": "2026-11-20T12:00:00", **item} for item in [token(), *interactions]
        ],
        "recorded_at": "2026-11-20T12:00:00",
        "version": 1,
    }


# -- the scenarios --------------------------------------------------------------------------


def acme_posts() -> list[dict[str, Any]]:
    """25 posts about Acme, newest first, with the awkward cases spread over three pages."""
    posts = []
    for n in range(1, 26):
        ident = f"ac{n:03d}"
        kwargs: dict[str, Any] = {"selftext": f"Day {n} with my Acme blender: it works."}
        if n == 3:
            kwargs = {"link": "https://example.com/reviews/acme-blender"}
        elif n == 5:
            kwargs = {"selftext": "[removed]", "removed_by": "moderator"}
        elif n == 7:
            kwargs = {"selftext": "[deleted]", "removed_by": "deleted", "author": "[deleted]"}
        elif n == 9:
            kwargs = {"selftext": "Acme after dark", "nsfw": True}
        elif n == 12:
            kwargs = {"selftext": "Acme Corp Mixer \u2014 tr\u00e8s bien \U0001f44d"}
        posts.append(post(ident, f"Acme review number {n}", minutes=n * 7, **kwargs))
    return posts


def newer_acme_posts() -> list[dict[str, Any]]:
    return [
        post("ac902", "Acme just announced a recall", minutes=1, score=40, comments=12),
        post("ac901", "Is Acme support any good?", minutes=3),
    ]


def globex_posts() -> list[dict[str, Any]]:
    return [
        post(
            "gx001",
            "Globex Corporation customer service is awful",
            30,
            comments=9,
            sub="mildlyinfuriating",
            selftext="Waited two hours for Globex.",
        ),
        post(
            "gx002",
            "Globex quarterly results",
            90,
            sub="stocks",
            link="https://news.example.org/globex-q3",
        ),
        post("gx003", "Anyone tried Globex routers?", 200, sub="HomeNetworking"),
    ]


GLOBEX_POST = "gx001"  # the Globex post whose comment thread the tests read


def globex_comment(
    ident: str, body: str, minutes: int, *, parent: str, depth: int, **more: Any
) -> dict[str, Any]:
    """Return a comment in the thread of the Globex post."""
    return comment(
        ident,
        body,
        minutes,
        link=GLOBEX_POST,
        parent=parent,
        depth=depth,
        sub="mildlyinfuriating",
        **more,
    )


def level_three(replies: list[dict[str, Any]]) -> dict[str, Any]:
    """Return c0004, the thread's third level: the thread shows it with a "continue this
    thread" stub below, and the continuation repeats it with its reply."""
    return globex_comment(
        "c0004",
        "Level three: still angry at Globex.",
        20,
        parent="t1_c0002",
        depth=2,
        replies=replies,
    )


def globex_thread() -> list[dict[str, Any]]:
    """A comment tree three levels deep, with removed and deleted comments, a "more" stub
    and a "continue this thread" stub."""
    top = f"t3_{GLOBEX_POST}"
    return [
        globex_comment(
            "c0001",
            "Same here, Globex never answers the phone.",
            28,
            parent=top,
            depth=0,
            replies=[
                globex_comment(
                    "c0002",
                    "Globex told me to reboot, twice.",
                    25,
                    parent="t1_c0001",
                    depth=1,
                    replies=[level_three([more("t1_c0004", [], 3)])],
                ),
                globex_comment("c0003", "[removed]", 24, parent="t1_c0001", depth=1),
            ],
        ),
        globex_comment("c0005", "[deleted]", 27, parent=top, depth=0, author="[deleted]"),
        more(top, ["c0006", "c0007"], 0),
    ]


def globex_more() -> list[dict[str, Any]]:
    top = f"t3_{GLOBEX_POST}"
    return [
        globex_comment(
            "c0006", "Globex fixed mine in a day, to be fair.", 26, parent=top, depth=0, score=7
        ),
        globex_comment("c0007", "Switching away from Globex next month.", 26, parent=top, depth=0),
    ]


def globex_continued() -> dict[str, Any]:
    """The answer to "continue this thread" below c0004: c0004 again, with its reply."""
    reply = globex_comment(
        "c0008", "Level four: Globex sent a technician.", 15, parent="t1_c0004", depth=3
    )
    return listing([level_three([reply])])


def owned_posts() -> list[dict[str, Any]]:
    return [
        post(
            f"ow{n:03d}",
            f"Official: Acme update {n}",
            n * 11,
            sub="AcmeOfficial",
            author="AcmeHQ",
            selftext="Thanks for sticking with Acme.",
        )
        for n in range(1, 5)
    ]


def community_comments() -> list[dict[str, Any]]:
    return [
        comment(
            f"cm{n:03d}",
            text,
            n * 5,
            link="us001",
            parent="t3_us001",
            depth=0,
            sub="acmeusers",
            author=f"user{n}",
            link_title="Acme owners thread",
        )
        for n, text in enumerate(
            [
                "My Acme blender died after a week.",
                "Acme support replaced it, no questions asked.",
                "Does the Acme Corp warranty cover the jug?",
                "Unrelated: anyone watching the game?",
                "[deleted]",
                "Acme is fine for the price.",
            ],
            start=1,
        )
    ]


def empty_threads(posts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [thread(p, []) for p in posts]


def globex_threads() -> list[dict[str, Any]]:
    posts = globex_posts()
    form = f"api_type=json&children=c0006%2Cc0007&link_id=t3_{GLOBEX_POST}&sort=confidence"
    return [
        thread(posts[0], globex_thread()),
        {
            "request": request("POST", "/api/morechildren/", {}, form),
            "response": answer({"json": {"errors": [], "data": {"things": globex_more()}}}),
        },
        {
            "request": request(
                "GET", f"/comments/{GLOBEX_POST}/_/c0004", {"limit": 2048, "sort": "confidence"}
            ),
            "response": answer([listing([posts[0]]), globex_continued()]),
        },
        *empty_threads(posts[1:]),
    ]


def error_interactions() -> list[dict[str, Any]]:
    """One failing subreddit per fault, all searched for Acme."""
    html = (
        "<!doctype html><html><head><title>Blocked</title><style>body{}</style></head>"
        "<body><h1>whoa there, pardner!</h1><p>Your request has been blocked due to a"
        " network policy.</p></body></html>"
    )

    def fail(sub: str, response: dict[str, Any]) -> dict[str, Any]:
        return {"request": search(sub, ACME_QUERY), "response": response}

    return [
        fail(
            "secretclub", answer({"reason": "private", "message": "Forbidden", "error": 403}, 403)
        ),
        fail(
            "edgy",
            answer(
                {
                    "reason": "quarantined",
                    "quarantine_message": "This community is quarantined",
                    "message": "Forbidden",
                    "error": 403,
                },
                403,
            ),
        ),
        fail("gone", answer({"reason": "banned", "message": "Not Found", "error": 404}, 404)),
        fail("missing", answer({"message": "Not Found", "error": 404}, 404)),
        fail(
            "nosuchplace",
            answer(
                "",
                302,
                "text/html; charset=utf-8",
                Location="/subreddits/search.json?q=nosuchplace",
            ),
        ),
        fail("blocked", answer(html, 403, "text/html; charset=utf-8")),
        fail(
            "garbled",
            answer("<html><body>upstream timed out</body></html>", 200, "text/html; charset=utf-8"),
        ),
        fail(
            "plaintext",
            borrowed("TestReddit.test_bad_request_without_json_text_plain_response.json", 1),
        ),
        fail("badrequest", borrowed("TestReddit.test_bare_badrequest.json", 1)),
    ]


def flaky_interactions() -> list[dict[str, Any]]:
    return [
        {
            "request": search(sub, ACME_QUERY),
            "response": answer(
                "<html><body>503 Service Unavailable</body></html>", 503, "text/html; charset=utf-8"
            ),
        }
        for sub in ("flaky1", "flaky2", "flaky3", "flaky4")
    ]


# Stored items re-checked through /api/info: 140 posts and 10 comments, of which these are
# deleted by their authors, removed by moderators or Reddit, or gone from the answer.
RECHECK_POSTS = 140
RECHECK_COMMENTS = 10
RECHECK_DELETED = {"t3_rc010": "author", "t1_rc145": "author"}
RECHECK_REMOVED = {"t3_rc020": "moderator", "t3_rc130": "reddit", "t1_rc147": "moderator"}
RECHECK_MISSING = {"t3_rc030", "t3_rc120"}


def recheck_things() -> list[dict[str, Any]]:
    """Return what /api/info answers for the stored items, in the order asked."""
    things = []
    for n in range(1, RECHECK_POSTS + RECHECK_COMMENTS + 1):
        ident = f"rc{n:03d}"
        if n <= RECHECK_POSTS:
            fullname = f"t3_{ident}"
            if fullname in RECHECK_DELETED:
                kwargs: dict[str, Any] = {
                    "selftext": "[deleted]",
                    "removed_by": "deleted",
                    "author": "[deleted]",
                }
            elif fullname in RECHECK_REMOVED:
                kwargs = {"selftext": "[removed]", "removed_by": RECHECK_REMOVED[fullname]}
            else:
                kwargs = {"selftext": f"Acme day {n}"}
            thing = post(ident, f"Acme post {n}", minutes=n, **kwargs)
        else:
            fullname = f"t1_{ident}"
            body = f"Acme comment {n}"
            author = "commenter"
            if fullname in RECHECK_DELETED:
                body, author = "[deleted]", "[deleted]"
            elif fullname in RECHECK_REMOVED:
                body = "[removed]"
            thing = comment(ident, body, n, link="rc001", parent="t3_rc001", depth=0, author=author)
        if fullname not in RECHECK_MISSING:
            things.append(thing)
    return things


def recheck_interactions() -> list[dict[str, Any]]:
    """Return one /api/info interaction per 100 stored fullnames, sorted as the store reads
    them."""
    things = recheck_things()
    names = sorted(
        [f"t3_rc{n:03d}" for n in range(1, RECHECK_POSTS + 1)]
        + [f"t1_rc{n:03d}" for n in range(RECHECK_POSTS + 1, RECHECK_POSTS + RECHECK_COMMENTS + 1)]
    )
    out = []
    for start in range(0, len(names), 100):
        batch = names[start : start + 100]
        found = [t for t in things if t["data"]["name"] in batch]
        found.sort(key=lambda t: batch.index(t["data"]["name"]))
        out.append(
            {
                "request": request("GET", "/api/info/", {"id": ",".join(batch)}),
                "response": answer(listing(found)),
            }
        )
    return out


def cassettes() -> dict[str, dict[str, Any]]:
    """Return every cassette by file name."""
    acme = acme_posts()
    later = [*newer_acme_posts(), *acme[:8]]
    owned_req = lambda after: request(  # noqa: E731
        "GET", "/r/AcmeOfficial/new", {"limit": PAGE, **({"after": after} if after else {})}
    )
    community_req = lambda after: request(  # noqa: E731
        "GET", "/r/acmeusers/comments/", {"limit": PAGE, **({"after": after} if after else {})}
    )
    return {
        "search_acme.json": cassette(
            pages(lambda a: search("all", ACME_QUERY, a), acme, rate=SPENT)
        ),
        "search_acme_later.json": cassette(
            pages(lambda a: search("all", ACME_QUERY, a), later)[:1]
        ),
        "threads_acme.json": cassette(empty_threads(acme) + empty_threads(newer_acme_posts())),
        "search_globex.json": cassette(
            pages(lambda a: search("all", GLOBEX_QUERY, a), globex_posts())
        ),
        "threads_globex.json": cassette(globex_threads()),
        "owned.json": cassette(pages(owned_req, owned_posts()) + empty_threads(owned_posts())),
        "community.json": cassette(pages(community_req, community_comments())),
        "errors.json": cassette(error_interactions()),
        "private_for_globex.json": cassette(
            [
                {
                    "request": search("secretclub", GLOBEX_QUERY),
                    "response": answer(
                        {"reason": "private", "message": "Forbidden", "error": 403}, 403
                    ),
                }
            ]
        ),
        "flaky.json": cassette(flaky_interactions()),
        # The first page spends the budget; the second and the next target would wait 120 s.
        "rate_exhausted.json": cassette(
            [
                {**page, "response": answer(page["response"]["body"]["string"], rate=EXHAUSTED)}
                if number == 0
                else page
                for number, page in enumerate(pages(lambda a: search("all", ACME_QUERY, a), acme))
            ]
            + pages(lambda a: search("other", ACME_QUERY, a), acme[:3])
        ),
        "recheck.json": cassette(recheck_interactions()),
        "rate_limited.json": cassette(
            [
                {
                    "request": search("busy", ACME_QUERY),
                    "response": answer(
                        {"message": "Too Many Requests", "error": 429}, 429, retry_after="61"
                    ),
                }
            ]
        ),
        "invalid_token.json": cassette(
            [
                {
                    "request": search("all", ACME_QUERY),
                    "response": borrowed(
                        "TestAuthImplicit.test_implicit__with_invalid_token.json", 0
                    ),
                }
            ]
        ),
        "stall.json": cassette(
            [
                {
                    "request": search("slow", ACME_QUERY),
                    "response": {**answer(listing(acme[:1])), "stall": 4},
                }
            ]
        ),
    }


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def main() -> int:
    HERE.mkdir(exist_ok=True)
    for name, data in cassettes().items():
        (HERE / name).write_text(render(data), encoding="utf-8")
        print(HERE / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
