"""Write the bundled demo corpus: synthetic feeds, Reddit listings and API answers about e-bikes.

Everything here is invented for brandpulse: the brands (Norvelo, and its competitors Pedalux
and Voltaro), the outlets (on reserved `.example` domains), the people and every sentence.
The output is deterministic (a seeded generator, fixed dates), so running

    python data/demo/generate.py            # rewrites data/demo/feeds/, reddit/ and the rest
    python data/demo/generate.py --out DIR  # writes the same files under DIR

twice gives byte-identical files. The corpus covers 2026-07-24 to 2026-11-20 (120 days) in
the Europe/Amsterdam time zone and holds, on purpose:

- weekly seasonality (busier on weekdays, news much quieter at weekends);
- the "Autumn Commute Challenge" campaign for Norvelo, 2026-09-14 to 2026-09-27: more
  mentions, mostly positive, many using #NorveloCommute or "commute challenge";
- an incident on 2026-10-21: Norvelo's firmware 4.2 update locks riders out of their
  bikes, and a day and a half of mostly negative mentions follows;
- comparisons naming two brands, off-topic items that name no brand (the pipeline drops
  them), a syndicated wire story carried by two feeds, AutoModerator notices (excluded by
  the demo config), deleted authors and removed posts.

Only the standard library is used, so the corpus does not depend on brandpulse's own code.
"""

from __future__ import annotations

import argparse
import email.utils
import json
import math
import random
import re
import shutil
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
SEED = 20261120
TZ = ZoneInfo("Europe/Amsterdam")
START = date(2026, 7, 24)
END = date(2026, 11, 20)
CAMPAIGN = (date(2026, 9, 14), date(2026, 9, 27))
INCIDENT = date(2026, 10, 21)
PAGE_SIZE = 100  # Reddit's largest listing page

OWN = "Norvelo"
BRANDS = ("Norvelo", "Pedalux", "Voltaro")
MODELS = {
    "Norvelo": ("Norvelo City 3", "Norvelo Trail X", "Norvelo Fold"),
    "Pedalux": ("Pedalux Urban 500", "Pedalux Cargo 2", "Pedalux Sprint"),
    "Voltaro": ("Voltaro Metro", "Voltaro Step 2", "Voltaro Hauler"),
    "Heron": ("Heron Haul", "Heron Kid 2", "Heron Longtail"),
}
SITES = {"Norvelo": "norvelo.example", "Pedalux": "pedalux.example", "Voltaro": "voltaro.example"}
FEATURES = ("belt drive", "motor", "battery", "display", "rear hub", "torque sensor", "headlight")
CITIES = ("Utrecht", "Rotterdam", "Ghent", "Leiden", "Eindhoven", "Groningen", "Antwerp")

# Mean items a day before the weekday factor; keys are the brands an item names.
THREADS = {
    ("Norvelo",): 1.65,
    ("Pedalux",): 1.25,
    ("Voltaro",): 0.85,
    ("Norvelo", "Pedalux"): 0.22,
    ("Norvelo", "Voltaro"): 0.14,
    ("Pedalux", "Voltaro"): 0.1,
    (): 0.5,
}
NEWS = {
    ("Norvelo",): 0.85,
    ("Pedalux",): 0.65,
    ("Voltaro",): 0.45,
    ("Norvelo", "Pedalux"): 0.08,
    ("Pedalux", "Voltaro"): 0.05,
    (): 0.7,
}
BLOG = {
    ("Norvelo",): 0.32,
    ("Pedalux",): 0.24,
    ("Voltaro",): 0.18,
    ("Norvelo", "Pedalux"): 0.06,
    ("Norvelo", "Voltaro"): 0.04,
    (): 0.15,
}
COMMENTS_PER_THREAD = 1.5
# Monday first. Reddit dips a little at weekends, newsrooms a lot.
WEEKDAY = {
    "reddit": (1.1, 1.15, 1.15, 1.1, 0.95, 0.8, 0.75),
    "news": (1.25, 1.25, 1.2, 1.2, 1.1, 0.55, 0.45),
    "blog": (1.0, 1.2, 1.0, 1.2, 0.9, 0.85, 0.85),
}
# (positive, negative) shares; the rest is neutral.
MOOD = {
    "Norvelo": (0.46, 0.18),
    "Pedalux": (0.36, 0.3),
    "Voltaro": (0.4, 0.22),
    "Heron": (0.42, 0.2),
}
COMPARISON_MOOD = (0.42, 0.26)
CAMPAIGN_MOOD = (0.8, 0.05)
INCIDENT_MOOD = {0: (0.03, 0.84), 1: (0.08, 0.66)}  # days after the incident began

# ---------------------------------------------------------------------------------------
# Sentences. Slots: {b} brand, {m} model (one per item), {b2}/{m2} the second brand of a
# comparison, {f} a part, {city}, and numbers: {km} {km_week} {months} {wh} {kg} {price}
# {countries} {lanes} {d} {w}. Positive and negative lines use plain, strong wording;
# neutral lines avoid opinion words altogether, so that a lexicon scorer labels each as
# intended. Reddit and blogs speak in the first person, news in the third.

POSITIVE = (
    "I love my {m}, the {f} is so smooth.",
    "The {f} on the {m} is excellent and the range is great.",
    "{b} support was fantastic and sorted my {f} in a day.",
    "Really happy with the {m} after {km} km, best purchase this year.",
    "Highly recommend the {m} for city riding, it is comfortable and fun.",
    "Brilliant bike, the {f} on my {m} works perfectly.",
    "The {m} makes my commute a joy, great job {b}.",
    "Honestly impressed with {b}, the {m} feels solid and well built.",
    "Loving the {m}, the {f} is wonderful on hills.",
    "The {b} dealer in {city} was friendly and helpful, great experience.",
    "My {m} is a delight, smooth and quiet and super comfortable.",
    "Awesome ride today on the {m}, the {f} is amazing.",
)
NEGATIVE = (
    "My {m} {f} died after {km} km, really disappointed.",
    "{b} customer service is terrible, still waiting after two weeks.",
    "The {f} on the {m} is awful and keeps failing.",
    "Worst purchase I have made, the {m} is a mess.",
    "So frustrated with {b}, the {f} broke again.",
    "Avoid the {m}, the {f} is junk and the dealer was rude.",
    "Sad to say the {m} has been a huge disappointment.",
    "The {b} app is horrible and the {f} fault is driving me crazy.",
    "Angry that {b} charged me for a repair that should be under warranty, awful.",
    "The {m} is ugly, heavy and the {f} rattles, what a waste of money.",
    "Really unhappy with {b}, the {f} failed twice in a month.",
)
NEUTRAL = (
    "Picked up my {m} from the dealer in {city} on Saturday.",
    "Does anyone know the tyre size on the {m}?",
    "The {m} ships with a {wh} Wh battery and a {f}.",
    "Thinking about the {m} for a 14 km commute, how does it handle hills?",
    "{b} lists the {m} at {price} euros in the Netherlands.",
    "Just hit {km} km on my {m}.",
    "Which rear rack fits the {m}?",
    "How long does a {b} dealer service usually take?",
    "Is the {b} app needed for firmware updates or can the dealer do it?",
    "Has anyone fitted mudguards to the {m}?",
    "Ordered the {m} last week, delivery is in {d} days.",
    "Does the {m} come in a smaller frame size?",
)
INCIDENT_NEGATIVE = (
    "The {b} firmware 4.2 update bricked my {m}, absolutely furious.",
    "{b} app outage locked me out of my own bike this morning, terrible.",
    "Stranded at work because the {b} update killed the {f}, horrible.",
    "Firmware 4.2 is a disaster, my {m} shows code E42 and is dead.",
    "Thousands of {b} riders stuck with dead bikes after the update, awful communication.",
    "Furious with {b}, the 4.2 update broke the lock and nobody answers the phone.",
    "The {b} update fiasco is a joke, worst day with this bike ever.",
    "My {m} is a useless brick since firmware 4.2, so angry right now.",
    "Pathetic response from {b} about the failed update, I feel cheated.",
)
INCIDENT_NEUTRAL = (
    "Is anyone else seeing code E42 on the {m} after firmware 4.2?",
    "{b} says a patch for firmware 4.2 is due within 48 hours.",
    "{b} posted instructions to roll back firmware 4.2 at a dealer.",
    "Does the firmware 4.2 issue affect the {m} or only the City 3?",
)
INCIDENT_POSITIVE = (
    "Fair play to {b}, the 4.2 patch worked and my {m} is great again.",
    "The {b} dealer in {city} fixed my bike in ten minutes, excellent service.",
)
CAMPAIGN_POSITIVE = (
    "Day {d} of the {b} Commute Challenge and I am loving it #NorveloCommute",
    "Joined the #NorveloCommute challenge, {km_week} km this week and feeling great.",
    "The {b} commute challenge is such a fun idea, great community. #NorveloCommute",
    "Loving the {b} Commute Challenge, my {m} is perfect for it. #NorveloCommute",
    "Proud to finish week one of the {b} commute challenge, what a great idea!",
    "Brilliant idea from {b}, the commute challenge got my whole office riding. #NorveloCommute",
)
CAMPAIGN_NEUTRAL = (
    "Signed up for the {b} ride log, logging rides from Monday. #NorveloCommute",
    "How do you log rides for {b}'s commute event? #NorveloCommute",
)
CAMPAIGN_NEGATIVE = ("The {b} commute challenge app keeps crashing, so annoying. #NorveloCommute",)
COMPARE_POSITIVE = (
    "Test rode the {m} and the {m2}, both are great but the {b} {f} felt smoother.",
    "Switched from {b2} to {b} and I love it, the {m} is a brilliant upgrade.",
    "{m} vs {m2}: both excellent, I picked the {m} for the better {f}.",
    "Happy I chose {b} over {b2}, the {m} is comfortable and fun.",
)
COMPARE_NEGATIVE = (
    "Returned my {m2} and the {m} is just as bad, both have terrible {f} problems.",
    "{b} and {b2} both have awful customer service, so disappointed.",
    "Regret picking {b} over {b2}, the {m} {f} failed in a week.",
)
COMPARE_NEUTRAL = (
    "{m} or {m2} for a 14 km commute? Weighing up the two.",
    "{b} and {b2} both launch new models in {city} next month.",
    "Has anyone ridden both the {m} and the {m2}?",
)
OFF_TOPIC = (
    "What tyre pressure do you run for a wet commute?",
    "Which panniers fit a standard rear rack?",
    "How do you store an e-bike battery over the winter?",
    "Thinking about a longer commute next year, 22 km each way.",
    "Does anyone use a rain cape instead of a jacket?",
    "How often do you replace brake pads on a daily commuter?",
)
NEWS_POSITIVE = (
    "Riders praise the {m} for its smooth {f} and comfortable ride.",
    "In our test the {m} proved excellent, with a great range and a brilliant {f}.",
    "Owners call the {m} the best commuter bike {b} has made.",
    "Dealers in {city} report happy customers and strong demand for the {m}.",
    "Our reviewer loved the {m} and called its {f} superb.",
    "{b} has won praise for quick, friendly repairs under warranty.",
)
NEWS_NEGATIVE = (
    "Owners say the {f} on the {m} fails too often, and many are angry about slow repairs.",
    "Complaints about the {m} {f} have piled up on owner forums.",
    "Our test bike's {f} failed after {km} km, a disappointing result for {b}.",
    "Riders describe {b} customer service as slow and frustrating.",
    "Dealers in {city} report problems with faulty {f} units on the {m}.",
    "Critics call the {m} heavy and overpriced, a poor showing for {b}.",
)
NEWS_NEUTRAL = (
    "{b} will show the {m} at the {city} cycle expo next month.",
    "{b} lists the {m} at {price} euros in the Netherlands.",
    "The {m} uses a {f} from the same supplier as last year.",
    "{b} said the {m} would reach dealers in {city} in the spring.",
    "The {m} comes with a {wh} Wh battery and a {f}.",
    "{b} moved its assembly line to {city} this year.",
)
NEWS_INCIDENT_NEGATIVE = (
    "Thousands of {b} owners were locked out of their bikes after the firmware 4.2 update failed.",
    "Riders described the {b} outage as a disaster, with many stranded at work.",
    "Angry {b} customers jammed phone lines as bikes showed a dead screen.",
    "The failed update left {m} owners with bikes that would not start, a terrible day for {b}.",
    "Dealers in {city} said furious {b} owners queued outside before opening time.",
)
NEWS_INCIDENT_NEUTRAL = (
    "{b} said a patch for firmware 4.2 would be released within 48 hours.",
    "The update went out to {m} owners through the {b} app early on Wednesday.",
)
NEWS_CAMPAIGN_POSITIVE = (
    "The {b} Autumn Commute Challenge has drawn thousands of riders, and the company calls"
    " the response fantastic.",
    "Riders in the {b} commute challenge share their rides as #NorveloCommute, and the mood"
    " is cheerful.",
    "{b} will award prizes to the riders who log the most commuting kilometres.",
    "Riders say the {b} commute challenge makes the daily commute more fun.",
)
NEWS_CAMPAIGN_NEUTRAL = (
    "The {b} campaign runs from 14 to 27 September, with rides logged in an app.",
)
NEWS_COMPARE_POSITIVE = (
    "In our head-to-head test the {m} and the {m2} both impressed, with {b} ahead on comfort.",
    "Both the {m} and the {m2} earn high praise from owners.",
)
NEWS_COMPARE_NEGATIVE = (
    "Both the {m} and the {m2} disappointed in our long-term test, with faulty {f} units.",
    "Owners of the {m} and the {m2} report the same frustrating {f} problems.",
)
NEWS_COMPARE_NEUTRAL = (
    "The {m} and the {m2} are priced within 100 euros of each other.",
    "{b} and {b2} both launch new models in {city} next month.",
)
BLOG_NEUTRAL = (
    "I picked up the {m} from the dealer in {city} on Saturday.",
    "The {m} ships with a {wh} Wh battery and a {f}.",
    "{b} lists the {m} at {price} euros in the Netherlands.",
    "This week I passed {km} km on the {m}.",
    "I fitted mudguards and a rear rack to the {m}.",
    "The {b} app installs firmware updates, or the dealer can do it.",
)
BLOG_TITLES = {
    "positive": (
        "{months} months with the {m}",
        "Why the {m} is my favourite commuter",
        "A love letter to my {m}",
    ),
    "negative": (
        "Why I am done with {b}",
        "The {m} {f} failed again",
        "My disappointing year with the {m}",
    ),
    "neutral": ("Notes on the {m} after {km} km", "Setting up the {m} for winter"),
}
BLOG_OFF_TOPIC_TITLES = ("Notes from a wet week of commuting", "Why I ride through the winter")
# Background sentences that name no brand: articles around the brand's own sentences.
FILLER = (
    "The company is based in {city} and sells its bikes in {countries} countries.",
    "Prices start at {price} euros, with a {wh} Wh battery as standard.",
    "Deliveries to dealers in the Benelux begin next month.",
    "The frame is made from aluminium and the bike weighs {kg} kg.",
    "Dealers in {city} and Antwerp will take orders from Monday.",
    "The model range covers city, cargo and folding bikes.",
)
BLOG_FILLER = (
    "I ride 14 km each way, mostly along the canal.",
    "My route crosses three bridges and one long climb.",
    "I keep a log of every ride in a spreadsheet.",
    "This week I rode to the office four times.",
    "The bike lives in a shed at the back of the house.",
)
THREAD_TITLES = {
    "positive": (
        "{m}: {months} months in and loving it",
        "Shout out to {b} support",
        "{m} is a brilliant commuter",
        "Great first week on the {m}",
    ),
    "negative": (
        "{m} {f} failed again",
        "Really disappointed with {b}",
        "Avoid {b} customer service",
        "Terrible experience with my {m}",
    ),
    "neutral": (
        "{m} owners: which tyres?",
        "Question about the {m} {f}",
        "{m} after {km} km",
        "{b} dealer service times",
    ),
}
INCIDENT_TITLES = (
    "{b} firmware 4.2 bricked my bike",
    "PSA: do not install {b} firmware 4.2",
    "{b} app outage megathread",
    "Code E42 after the {b} update, stuck at work",
)
CAMPAIGN_TITLES = (
    "{b} Commute Challenge week {w}: post your rides #NorveloCommute",
    "Loving the {b} commute challenge so far",
)
NEWS_TITLES = {
    "positive": (
        "{m} review: a brilliant, comfortable city e-bike",
        "{b} wins design award for the {m}",
        "{b} sales jump as riders praise the {m}",
    ),
    "negative": (
        "{b} riders angry over slow warranty repairs",
        "{b} faces complaints over faulty {f} on the {m}",
        "Disappointing {m} struggles in our long-term test",
    ),
    "neutral": (
        "{b} opens new showroom in {city}",
        "{b} announces the {m} for 2027",
        "{b} reports third-quarter results",
    ),
}
NEWS_INCIDENT_TITLES = (
    "{b} riders locked out of e-bikes after failed firmware update",
    "{b} apologises as firmware 4.2 leaves bikes dead",
    "Angry {b} owners stranded by update fault",
)
NEWS_CAMPAIGN_TITLES = (
    "{b} launches Autumn Commute Challenge with great prizes",
    "Thousands join the {b} commute challenge",
)
OFF_TOPIC_NEWS = (
    "{city} opens {lanes} km of new bike lanes",
    "Cycle parking at {city} station to double by 2028",
    "Dutch e-bike imports rise for the third quarter in a row",
    "Winter commuting: how riders keep batteries warm",
)
OFF_TOPIC_NEWS_TEXT = (
    "The city council approved the plan on Tuesday.",
    "Work on the first section starts in January.",
    "The new routes link the station with the business park.",
    "Figures from the national statistics office cover the first nine months of the year.",
)

REDDIT_USERS = (
    "spokes_and_coffee",
    "dutch_commuter88",
    "grumpyspokes",
    "lowgear_larry",
    "fietsfan",
    "pedalpusher_ams",
    "cargobike_mum",
    "rainjacket_ruud",
    "tinkerbelt",
    "hillclimber_nl",
    "wattage_wendy",
    "e_bike_eddie",
    "canal_cruiser",
    "sprocket_sam",
    "brakepad_bart",
    "slowlane_sophie",
    "torque_tom",
    "ghent_rider",
    "urbanhauler",
    "two_wheel_tess",
    "leidenlanes",
    "kickstand_kim",
    "flatlander_fred",
    "night_rider_nina",
    "quiet_hub",
    "chainless_chris",
    "bike_lane_bea",
    "frame_and_fork",
    "rotterdam_roller",
    "antwerp_amp",
    "mudguard_max",
    "gearhead_gijs",
    "commute_carla",
    "puncture_pete",
    "velo_vera",
    "sunday_spinner",
    "battery_bram",
    "helmet_hanna",
    "saddle_sore_sven",
    "city3_owner",
    "trailx_tim",
    "fold_and_go",
)
NEWS_AUTHORS = (
    "Anna de Vries",
    "Pieter Jansen",
    "Lotte Smit",
    "Marc Dubois",
    "Sanne Bakker",
    "Jonas Peeters",
    "Eva Mulder",
    "Tom Hendriks",
)
SUBREDDITS = {"ebikes": "t5_2qkx7", "bikecommuting": "t5_2r0mv", "cycling": "t5_2qh5y"}
SUBREDDITS["norvelo"] = "t5_8zq3n1"


@dataclass(frozen=True)
class Feed:
    key: str
    title: str
    home: str
    fmt: str  # rss or atom
    kind: str  # news or blog
    description: str
    authors: tuple[str, ...]


FEEDS = (
    Feed(
        "velo-daily",
        "Velo Daily",
        "https://velodaily.example",
        "rss",
        "news",
        "Cycling industry news from the Low Countries",
        NEWS_AUTHORS[:4],
    ),
    Feed(
        "mobility-wire",
        "Urban Mobility Wire",
        "https://mobilitywire.example",
        "atom",
        "news",
        "News on how cities move",
        NEWS_AUTHORS[3:7],
    ),
    Feed(
        "gear-ledger",
        "The Gear Ledger",
        "https://gearledger.example",
        "rss",
        "news",
        "Reviews and news for people who ride",
        NEWS_AUTHORS[5:],
    ),
    Feed(
        "commute-notes",
        "Commute Notes",
        "https://commutenotes.example",
        "atom",
        "blog",
        "One rider, 14 km each way, every day",
        ("Femke",),
    ),
    Feed(
        "spoke-and-battery",
        "Spoke & Battery",
        "https://spokeandbattery.example",
        "rss",
        "blog",
        "A newsletter about electric bikes",
        ("Ruben Claes", "Iris Wouters"),
    ),
)
NEWS_FEEDS = tuple(f for f in FEEDS if f.kind == "news")
BLOG_FEEDS = tuple(f for f in FEEDS if f.kind == "blog")


@dataclass
class Item:
    """One planned mention (or off-topic item) before it is written out."""

    channel: str  # submission, comment, news, blog
    brands: tuple[str, ...]
    mood: str  # positive, negative, neutral
    when: datetime
    event: str = ""  # campaign, incident or empty
    title: str = ""
    sentences: list[str] = field(default_factory=list)
    author: str | None = None
    score: int = 0
    subreddit: str = ""
    thread: Item | None = None
    parent: Item | None = None
    feed: Feed | None = None
    also_in: Feed | None = None  # syndicated copy in a second feed
    removed: bool = False
    link_url: str | None = None
    num_comments: int = 0
    fullname: str = ""
    slug: str = ""
    automod: bool = False
    models: tuple[str, ...] = ()  # the model each named brand is discussed with


class Writer:
    """Turns the seeded random stream into items, then items into files."""

    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)

    # -- planning ------------------------------------------------------------------------

    def poisson(self, mean: float) -> int:
        # Knuth's method: exact and deterministic for the small means used here.
        limit, k, p = math.exp(-mean), 0, 1.0
        while True:
            p *= self.rng.random()
            if p <= limit:
                return k
            k += 1

    def mood(self, brands: tuple[str, ...], day: date, event: str) -> str:
        if not brands:
            return "neutral"
        if event == "incident":
            pos, neg = INCIDENT_MOOD[min((day - INCIDENT).days, 1)]
        elif event == "campaign":
            pos, neg = CAMPAIGN_MOOD
        elif len(brands) > 1:
            pos, neg = COMPARISON_MOOD
        else:
            pos, neg = MOOD[brands[0]]
            if brands[0] == "Pedalux":
                # Pedalux slowly loses goodwill over the period: a slow-burning motor issue.
                drift = (day - START).days / (END - START).days * 0.12
                pos, neg = pos - drift / 2, neg + drift
        roll = self.rng.random()
        return "positive" if roll < pos else "negative" if roll < pos + neg else "neutral"

    def event(self, brands: tuple[str, ...], day: date) -> str:
        if OWN not in brands or len(brands) > 1:
            return ""
        if CAMPAIGN[0] <= day <= CAMPAIGN[1] and self.rng.random() < 0.8:
            return "campaign"
        if 0 <= (day - INCIDENT).days <= 1:
            return "incident"
        return ""

    def lift(self, brands: tuple[str, ...], day: date, channel: str) -> float:
        """Return how many times the usual volume this brand set gets on this day."""
        if OWN not in brands:
            return 1.0
        if CAMPAIGN[0] <= day <= CAMPAIGN[1]:
            return 2.4 if channel != "news" else 2.0
        offset = (day - INCIDENT).days
        if offset == 0:
            return {"reddit": 9.0, "news": 9.0, "blog": 6.0}[channel]
        if offset == 1:
            return {"reddit": 3.5, "news": 3.0, "blog": 3.0}[channel]
        return 1.0

    def at(self, day: date, channel: str) -> datetime:
        if channel == "news":
            hour = self.rng.uniform(6, 19)
        elif channel == "blog":
            hour = self.rng.uniform(7, 23)
        else:
            # Reddit is busiest in the evening: two draws, keep the later one half the time.
            hour = max(self.rng.uniform(0, 24), self.rng.uniform(6, 24))
        if day == INCIDENT:
            hour = max(hour, 6.5)  # the update went out at 06:00
        minutes = int(hour * 60)
        local = datetime.combine(day, time(minutes // 60, minutes % 60, self.rng.randrange(60)))
        return local.replace(tzinfo=TZ)

    def plan(self) -> list[Item]:
        items: list[Item] = []
        day = START
        while day <= END:
            trend = 1.0 + 0.15 * (day - START).days / (END - START).days
            weekday = day.weekday()
            for brands, rate in THREADS.items():
                mean = rate * WEEKDAY["reddit"][weekday] * trend * self.lift(brands, day, "reddit")
                for _ in range(self.poisson(mean)):
                    items.extend(self.thread(brands, day))
            for brands, rate in NEWS.items():
                mean = rate * WEEKDAY["news"][weekday] * trend * self.lift(brands, day, "news")
                for _ in range(self.poisson(mean)):
                    items.append(self.article(brands, day, "news"))
            for brands, rate in BLOG.items():
                mean = rate * WEEKDAY["blog"][weekday] * trend * self.lift(brands, day, "blog")
                for _ in range(self.poisson(mean)):
                    items.append(self.article(brands, day, "blog"))
            day += timedelta(days=1)
        last = datetime.combine(END, time(23, 59, 59), TZ)
        return sorted((i for i in items if i.when <= last), key=lambda i: i.when)

    def thread(self, brands: tuple[str, ...], day: date) -> list[Item]:
        event = self.event(brands, day)
        head = Item("submission", brands, self.mood(brands, day, event), self.at(day, "reddit"))
        head.event = event
        head.subreddit = self.subreddit(brands)
        head.author = self.user()
        head.title = self.thread_title(head)
        head.sentences = self.body(head, self.rng.randint(1, 3))
        head.score = self.engagement(head, 2.4)
        if self.rng.random() < 0.08 and len(brands) == 1:
            # A link post sharing an article: the headline carries the mention, no body.
            head.title = self.article_title(head)
            host = self.rng.choice(NEWS_FEEDS).home
            head.link_url = f"{host}/{day:%Y/%m/%d}/{slugify(head.title, 60)}"
            head.sentences = []
        if self.rng.random() < 0.01 and brands:
            head.removed = True  # removed by moderators: only the title survives
        thread = [head]
        replies = self.poisson(COMMENTS_PER_THREAD * (2.0 if event == "incident" else 1.0))
        for _ in range(replies):
            # Replies come within hours; during the incident they pile in faster.
            delay = self.rng.expovariate(1 / (2.5 if event == "incident" else 6))
            when = head.when + timedelta(hours=delay)
            comment = Item("comment", brands, head.mood, when, event=event)
            if brands and self.rng.random() < 0.5:
                # Half the replies share the thread's mood; the rest make up their own minds.
                comment.mood = self.mood(brands, when.date(), event)
            comment.subreddit = head.subreddit
            comment.thread = head
            earlier = [c for c in thread[1:] if c.when < when]
            reply = bool(earlier) and self.rng.random() < 0.3
            comment.parent = self.rng.choice(earlier) if reply else head
            comment.author = "[deleted]" if self.rng.random() < 0.03 else self.user()
            comment.sentences = self.body(comment, self.rng.randint(1, 2))
            comment.score = self.engagement(comment, 1.2)
            thread.append(comment)
        if head.subreddit == "norvelo" and brands == (OWN,) and self.rng.random() < 0.25:
            # The owned subreddit's moderator bot answers every support thread.
            bot = Item("comment", (OWN,), "neutral", head.when + timedelta(seconds=40))
            bot.automod, bot.author, bot.subreddit = True, "AutoModerator", head.subreddit
            bot.thread = bot.parent = head
            bot.sentences = [
                "Thanks for posting in r/norvelo. For Norvelo support questions please include"
                " your bike model, firmware version and dealer."
            ]
            bot.score = 1
            thread.append(bot)
        head.num_comments = len(thread) - 1 + self.poisson(1.5)
        return thread

    def article(self, brands: tuple[str, ...], day: date, channel: str) -> Item:
        event = self.event(brands, day)
        item = Item(channel, brands, self.mood(brands, day, event), self.at(day, channel))
        item.event = event
        if channel == "news" and (event, item.mood) in (
            ("incident", "positive"),
            ("campaign", "negative"),
        ):
            item.mood = "neutral"  # newsrooms report these days plainly, not against the tide
        feeds = NEWS_FEEDS if channel == "news" else BLOG_FEEDS
        item.feed = self.rng.choice(feeds)
        item.author = self.rng.choice(item.feed.authors)
        item.title = self.article_title(item)
        item.sentences = self.body(item, self.rng.randint(3, 5))
        if channel == "news" and item.feed.key == "mobility-wire" and self.rng.random() < 0.12:
            item.also_in = FEEDS[0]  # a wire story Velo Daily runs too, under the same guid
        return item

    def subreddit(self, brands: tuple[str, ...]) -> str:
        if not brands:
            return self.rng.choice(("bikecommuting", "bikecommuting", "cycling"))
        if OWN in brands and self.rng.random() < 0.35:
            return "norvelo"
        return self.rng.choices(("ebikes", "bikecommuting", "cycling"), (55, 35, 10))[0]

    def user(self) -> str:
        # A few regulars write much of the traffic, as on any forum.
        index = min(int(self.rng.paretovariate(1.1)) - 1, len(REDDIT_USERS) - 1)
        if self.rng.random() < 0.5:
            index = self.rng.randrange(len(REDDIT_USERS))
        return REDDIT_USERS[index]

    def engagement(self, item: Item, mu: float) -> int:
        boost = 1.6 if item.event == "incident" else 0.4 if item.event == "campaign" else 0.0
        return max(0, int(self.rng.lognormvariate(mu + boost, 1.0)) - 1)

    # -- wording -------------------------------------------------------------------------

    def fill(self, template: str, item: Item) -> str:
        if not item.models:
            item.models = tuple(self.rng.choice(MODELS[b]) for b in item.brands)
        names = (*item.brands, "", "")
        models = (*item.models, "", "")
        pick = self.rng.choice
        values = {
            "b": names[0],
            "b2": names[1],
            "m": models[0],
            "m2": models[1],
            "f": pick(FEATURES),
            "city": pick(CITIES),
            "km": str(pick((12, 40, 85, 400, 650, 850, 1200, 2300, 3100))),
            "km_week": str(pick((45, 60, 72, 90, 110))),
            "months": str(self.rng.randint(2, 11)),
            "wh": str(pick((400, 500, 625, 750))),
            "kg": str(self.rng.randint(21, 29)),
            "price": f"{pick((1899, 2499, 2899, 3299, 3799)):,}",
            "countries": str(self.rng.randint(4, 12)),
            "lanes": str(pick((6, 12, 18, 25))),
            "d": str(self.rng.randint(2, 13)),
            "w": str(self.rng.randint(1, 2)),
        }
        return template.format(**values)

    def bank(self, item: Item) -> tuple[str, ...]:
        if item.channel == "news":
            return self.news_bank(item)
        if not item.brands:
            return BLOG_FILLER if item.channel == "blog" else OFF_TOPIC
        if item.event == "incident":
            return {
                "positive": INCIDENT_POSITIVE,
                "negative": INCIDENT_NEGATIVE,
                "neutral": INCIDENT_NEUTRAL,
            }[item.mood]
        if item.event == "campaign":
            return {
                "positive": CAMPAIGN_POSITIVE,
                "negative": CAMPAIGN_NEGATIVE,
                "neutral": CAMPAIGN_NEUTRAL,
            }[item.mood]
        if len(item.brands) > 1:
            return {
                "positive": COMPARE_POSITIVE,
                "negative": COMPARE_NEGATIVE,
                "neutral": COMPARE_NEUTRAL,
            }[item.mood]
        if item.channel == "blog" and item.mood == "neutral":
            return BLOG_NEUTRAL
        return {"positive": POSITIVE, "negative": NEGATIVE, "neutral": NEUTRAL}[item.mood]

    def news_bank(self, item: Item) -> tuple[str, ...]:
        if not item.brands:
            return OFF_TOPIC_NEWS_TEXT
        if item.event == "incident":
            return NEWS_INCIDENT_NEUTRAL if item.mood == "neutral" else NEWS_INCIDENT_NEGATIVE
        if item.event == "campaign":
            return NEWS_CAMPAIGN_NEUTRAL if item.mood == "neutral" else NEWS_CAMPAIGN_POSITIVE
        if len(item.brands) > 1:
            return {
                "positive": NEWS_COMPARE_POSITIVE,
                "negative": NEWS_COMPARE_NEGATIVE,
                "neutral": NEWS_COMPARE_NEUTRAL,
            }[item.mood]
        return {"positive": NEWS_POSITIVE, "negative": NEWS_NEGATIVE, "neutral": NEWS_NEUTRAL}[
            item.mood
        ]

    def body(self, item: Item, count: int) -> list[str]:
        bank = self.bank(item)
        picked = self.rng.sample(bank, min(count, len(bank)))
        sentences = [self.fill(t, item) for t in picked]
        if item.channel in ("news", "blog") and item.brands:
            # Articles pad the brand's sentences with neutral background.
            filler = FILLER if item.channel == "news" else BLOG_FILLER
            for template in self.rng.sample(filler, 2):
                sentences.insert(self.rng.randint(1, len(sentences)), self.fill(template, item))
        return sentences

    def thread_title(self, item: Item) -> str:
        if not item.brands:
            return self.rng.choice(OFF_TOPIC).rstrip("?.") + "?"
        if item.event == "incident" and item.mood == "negative":
            return self.fill(self.rng.choice(INCIDENT_TITLES), item)
        if item.event == "campaign" and item.mood == "positive":
            return self.fill(self.rng.choice(CAMPAIGN_TITLES), item)
        if len(item.brands) > 1:
            return self.fill("{m} vs {m2}", item)
        return self.fill(self.rng.choice(THREAD_TITLES[item.mood]), item)

    def article_title(self, item: Item) -> str:
        blog = item.channel == "blog"
        if not item.brands:
            titles = BLOG_OFF_TOPIC_TITLES if blog else OFF_TOPIC_NEWS
            return self.fill(self.rng.choice(titles), item)
        if item.event == "incident" and item.mood == "negative":
            return self.fill(self.rng.choice(NEWS_INCIDENT_TITLES), item)
        if item.event == "campaign" and item.mood == "positive":
            return self.fill(self.rng.choice(NEWS_CAMPAIGN_TITLES), item)
        if len(item.brands) > 1:
            if blog:
                return self.fill("{m} or {m2}: a month with each", item)
            return self.fill("{b} and {b2} go head to head in the city", item)
        titles = BLOG_TITLES if blog and not item.event else NEWS_TITLES
        return self.fill(self.rng.choice(titles[item.mood]), item)


# ---------------------------------------------------------------------------------------
# Output


def slugify(text: str, limit: int) -> str:
    """Return Reddit's style of URL slug: lower case words joined by underscores."""
    words = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return words[:limit].rstrip("_")


def base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out or "0"


def assign_reddit_ids(items: list[Item], rng: random.Random) -> None:
    """Give submissions and comments increasing base-36 ids in time order, as Reddit does."""
    next_link, next_comment = int("1mq2a00", 36), int("n7a0000", 36)
    for item in items:
        if item.channel == "submission":
            next_link += rng.randint(40, 900)
            item.fullname = "t3_" + base36(next_link)
            item.slug = slugify(item.title, 50)
        elif item.channel == "comment":
            next_comment += rng.randint(200, 6000)
            item.fullname = "t1_" + base36(next_comment)


def markdown(sentences: list[str]) -> str:
    return " ".join(sentences)


def submission_json(item: Item) -> dict[str, object]:
    short = item.fullname[3:]
    created = int(item.when.timestamp())
    permalink = f"/r/{item.subreddit}/comments/{short}/{item.slug}/"
    selftext = "[removed]" if item.removed else markdown(item.sentences)
    is_self = item.link_url is None
    url = f"https://www.reddit.com{permalink}" if is_self else item.link_url
    domain = f"self.{item.subreddit}" if is_self else url.split("/")[2]
    author = item.author or "[deleted]"
    return {
        "kind": "t3",
        "data": {
            "approved_at_utc": None,
            "subreddit": item.subreddit,
            "selftext": selftext if is_self else "",
            "author_fullname": None if author == "[deleted]" else f"t2_{slugify(author, 12)}",
            "saved": False,
            "gilded": 0,
            "title": item.title,
            "subreddit_name_prefixed": f"r/{item.subreddit}",
            "hidden": False,
            "downs": 0,
            "upvote_ratio": round(0.55 + (hash_fraction(item.fullname) * 0.43), 2),
            "ups": item.score,
            "score": item.score,
            "link_flair_text": "Support" if item.subreddit == "norvelo" else None,
            "edited": False,
            "is_self": is_self,
            "created": float(created),
            "domain": domain,
            "selftext_html": None,
            "archived": False,
            "over_18": False,
            "spoiler": False,
            "locked": False,
            "removed_by_category": "moderator" if item.removed else None,
            "subreddit_id": SUBREDDITS[item.subreddit],
            "id": short,
            "author": author,
            "num_comments": item.num_comments,
            "permalink": permalink,
            "stickied": False,
            "url": url,
            "subreddit_subscribers": 0,
            "created_utc": float(created),
            "num_crossposts": 0,
            "distinguished": None,
            "name": item.fullname,
        },
    }


def comment_json(item: Item) -> dict[str, object]:
    assert item.thread is not None and item.parent is not None
    short = item.fullname[3:]
    created = int(item.when.timestamp())
    link_short = item.thread.fullname[3:]
    link_permalink = f"/r/{item.subreddit}/comments/{link_short}/{item.thread.slug}/"
    author = item.author or "[deleted]"
    return {
        "kind": "t1",
        "data": {
            "subreddit_id": SUBREDDITS[item.subreddit],
            "approved_at_utc": None,
            "link_title": item.thread.title,
            "author_flair_text": None,
            "link_author": item.thread.author or "[deleted]",
            "link_id": item.thread.fullname,
            "replies": "",
            "saved": False,
            "id": short,
            "gilded": 0,
            "archived": False,
            "no_follow": item.score < 2,
            "author": author,
            "num_comments": item.thread.num_comments,
            "over_18": False,
            "parent_id": item.parent.fullname,
            "score": item.score,
            "author_fullname": None if author == "[deleted]" else f"t2_{slugify(author, 12)}",
            "body": markdown(item.sentences),
            "edited": False,
            "downs": 0,
            "is_submitter": item.author == item.thread.author,
            "collapsed": False,
            "body_html": None,
            "stickied": item.automod,
            "link_permalink": f"https://www.reddit.com{link_permalink}",
            "score_hidden": False,
            "permalink": f"{link_permalink}{short}/",
            "subreddit_type": "public",
            "locked": False,
            "name": item.fullname,
            "created": float(created),
            "subreddit": item.subreddit,
            "link_url": f"https://www.reddit.com{link_permalink}",
            "created_utc": float(created),
            "subreddit_name_prefixed": f"r/{item.subreddit}",
            "controversiality": 0,
            "ups": item.score,
            "distinguished": "moderator" if item.automod else None,
        },
    }


def hash_fraction(text: str) -> float:
    """Return a stable number in [0, 1) from text (Python's hash() changes per process)."""
    return int.from_bytes(text.encode()[-4:].rjust(4, b"\0"), "big") % 1000 / 1000


def listing_pages(children: list[dict[str, object]]) -> list[dict[str, object]]:
    """Split children (newest first) into Listing pages linked by `after`, as the API pages."""
    pages = []
    for start in range(0, len(children), PAGE_SIZE):
        chunk = children[start : start + PAGE_SIZE]
        more = start + PAGE_SIZE < len(children)
        last = chunk[-1]["data"]["name"]  # type: ignore[index]
        pages.append(
            {
                "kind": "Listing",
                "data": {
                    "after": last if more else None,
                    "dist": len(chunk),
                    "modhash": "",
                    "geo_filter": "",
                    "children": chunk,
                    "before": None,
                },
            }
        )
    return pages


def listing_json(page: dict[str, object]) -> str:
    """Return a Listing as JSON with one child a line: valid JSON that still diffs well."""
    data = dict(page["data"])  # type: ignore[call-overload]
    children = data.pop("children")
    head = json.dumps({"kind": page["kind"], "data": data}, ensure_ascii=False)
    rows = ",\n".join(json.dumps(child, ensure_ascii=False) for child in children)
    return head[:-2] + ', "children": [\n' + rows + "\n]}}\n"


def write_reddit(items: list[Item], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for subreddit in SUBREDDITS:
        posts = [i for i in items if i.subreddit == subreddit]
        for kind, build in (("submission", submission_json), ("comment", comment_json)):
            children = [build(i) for i in reversed(posts) if i.channel == kind]
            name = "search" if kind == "submission" else "comments"
            for number, page in enumerate(listing_pages(children), start=1):
                path = out / f"r-{subreddit}-{name}-{number:02d}.json"
                path.write_text(listing_json(page), encoding="utf-8")


def article_url(item: Item) -> str:
    assert item.feed is not None
    return f"{item.feed.home}/{item.when:%Y/%m/%d}/{slugify(item.title, 70).replace('_', '-')}"


def article_html(item: Item) -> str:
    """Return the article body as HTML with the markup and entities real feeds carry."""
    parts = []
    for number, sentence in enumerate(item.sentences):
        text = escape(sentence).replace(" euros", "&nbsp;euros").replace(" km", "&nbsp;km")
        for brand in item.brands:
            if number == 0 and brand in text:
                site = SITES[brand]
                link = f'<a href="https://{site}/">{brand}</a>'
                text = text.replace(brand, link, 1)
                break
        if number == 1 and item.channel == "blog":
            text = f"<strong>{text}</strong>"
        parts.append(f"<p>{text}</p>")
    if item.brands and item.models:
        # A spec box derived from the model's name, so it is the same in every article.
        seed = sum(map(ord, item.models[0]))
        low, weight = 40 + seed % 5 * 10, 20 + seed % 9
        parts.insert(
            1,
            f"<ul><li>Model: {escape(item.models[0])}</li><li>Motor: 250&nbsp;W</li>"
            f"<li>Range: {low}&ndash;{low + 60}&nbsp;km</li><li>Weight: {weight}&nbsp;kg</li></ul>",
        )
    caption = (
        "my own bike, outside the office."
        if item.channel == "blog"
        else "the editors&#8217; test bike."
    )
    parts.append(
        f"<p><em>Photo: {caption}</em>"
        f' <img src="{item.feed.home if item.feed else ""}/img/pixel.gif" width="1" height="1"'
        ' alt=""></p>'
    )
    return "\n".join(parts)


def summary_html(item: Item) -> str:
    return f"<p>{escape(item.sentences[0])}</p>" if item.sentences else ""


def rss_item(item: Item, feed: Feed) -> str:
    url = article_url(item)
    when = item.when
    # Velo Daily dates in GMT, the others in local time with an offset: both are common.
    stamp = (
        email.utils.format_datetime(when.astimezone(UTC), usegmt=True)
        if feed.key == "velo-daily"
        else email.utils.format_datetime(when)
    )
    guid = url if item.also_in or item.feed is not feed else f"{feed.key}-{item.fullname}"
    permalink = "true" if guid == url else "false"
    return (
        "    <item>\n"
        f"      <title>{escape(item.title)}</title>\n"
        f"      <link>{escape(url)}</link>\n"
        f"      <guid isPermaLink={quoteattr(permalink)}>{escape(guid)}</guid>\n"
        f"      <pubDate>{stamp}</pubDate>\n"
        f"      <dc:creator>{escape(item.author or '')}</dc:creator>\n"
        f"      <category>{'E-bikes' if item.brands else 'Cities'}</category>\n"
        f"      <description>{escape(summary_html(item))}</description>\n"
        f"      <content:encoded><![CDATA[{article_html(item)}]]></content:encoded>\n"
        "    </item>\n"
    )


def atom_entry(item: Item, feed: Feed) -> str:
    url = article_url(item)
    guid = url if item.also_in else f"tag:{feed.home.split('//')[1]},2026:{item.fullname}"
    published = item.when.isoformat()
    return (
        "  <entry>\n"
        f'    <title type="html">{escape(escape(item.title))}</title>\n'
        f'    <link rel="alternate" type="text/html" href={quoteattr(url)}/>\n'
        f"    <id>{escape(guid)}</id>\n"
        f"    <published>{published}</published>\n"
        f"    <updated>{published}</updated>\n"
        f"    <author><name>{escape(item.author or '')}</name></author>\n"
        f'    <summary type="html">{escape(summary_html(item))}</summary>\n'
        f'    <content type="html">{escape(article_html(item))}</content>\n'
        "  </entry>\n"
    )


def write_feeds(items: list[Item], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for number, item in enumerate(i for i in items if i.feed is not None):
        item.fullname = f"{item.when:%Y%m%d}-{number:04d}"
    for feed in FEEDS:
        carried = [i for i in items if i.feed is feed or i.also_in is feed]
        newest = carried[-1].when if carried else datetime.combine(END, time(), TZ)
        entries = reversed(carried)  # feeds list the newest entry first
        if feed.fmt == "rss":
            body = "".join(rss_item(i, feed) for i in entries)
            text = (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
                ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
                ' xmlns:atom="http://www.w3.org/2005/Atom">\n'
                "  <channel>\n"
                f"    <title>{escape(feed.title)}</title>\n"
                f"    <link>{feed.home}/</link>\n"
                f"    <description>{escape(feed.description)}</description>\n"
                "    <language>en-gb</language>\n"
                f"    <lastBuildDate>{email.utils.format_datetime(newest)}</lastBuildDate>\n"
                f'    <atom:link href="{feed.home}/feed/" rel="self"'
                ' type="application/rss+xml"/>\n'
                f"{body}"
                "  </channel>\n"
                "</rss>\n"
            )
            name = f"{feed.key}.rss.xml"
        else:
            body = "".join(atom_entry(i, feed) for i in entries)
            text = (
                '<?xml version="1.0" encoding="utf-8"?>\n'
                '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">\n'
                f"  <title>{escape(feed.title)}</title>\n"
                f"  <subtitle>{escape(feed.description)}</subtitle>\n"
                f'  <link rel="alternate" type="text/html" href="{feed.home}/"/>\n'
                f'  <link rel="self" type="application/atom+xml" href="{feed.home}/atom.xml"/>\n'
                f"  <id>{feed.home}/</id>\n"
                f"  <updated>{newest.isoformat()}</updated>\n"
                f"{body}"
                "</feed>\n"
            )
            name = f"{feed.key}.atom.xml"
        (out / name).write_text(text, encoding="utf-8")


# ---------------------------------------------------------------------------------------
# The other places people talk: saved API answers of Hacker News, Mastodon, Bluesky, Lemmy
# and App Store reviews. They come from a second seeded stream, so the feeds and Reddit
# listings above stay byte for byte what they were. Volumes are a fraction of Reddit's and
# follow the same weekdays, campaign and incident; app reviews carry a star rating that
# follows their mood.

SOCIAL_SEED = SEED + 1
SOCIAL = {"hackernews": 0.1, "mastodon": 0.25, "bluesky": 0.3, "lemmy": 0.12}
APPS = {
    "Norvelo": {"id": "6448311021", "name": "Norvelo Ride", "rate": 0.55},
    "Pedalux": {"id": "6451870342", "name": "Pedalux Connect", "rate": 0.3},
}
MASTODON_INSTANCES = ("fiets.example", "mastodon.example", "toot.example")
LEMMY_INSTANCE = "lemmy.example"
DUTCH = {
    "positive": (
        "Mijn {m} is geweldig, de {f} werkt perfect.",
        "Heel blij met de {m}, fijne fiets voor het woon-werkverkeer.",
    ),
    "negative": (
        "De {f} van mijn {m} is alweer kapot, echt balen.",
        "Slechte service van {b}, ik wacht al twee weken.",
    ),
    "neutral": (
        "Vandaag mijn {m} opgehaald bij de dealer in {city}.",
        "Weet iemand welke bandenmaat de {m} heeft?",
    ),
}


def social_items() -> dict[str, list[Item]]:
    """Plan the items of each API source and the app reviews, in time order."""
    writer = Writer(SOCIAL_SEED)
    out: dict[str, list[Item]] = {name: [] for name in (*SOCIAL, "appstore")}
    day = START
    while day <= END:
        trend = 1.0 + 0.15 * (day - START).days / (END - START).days
        weekday = WEEKDAY["reddit"][day.weekday()]
        for source, share in SOCIAL.items():
            for brands, rate in THREADS.items():
                mean = rate * share * weekday * trend * writer.lift(brands, day, "reddit")
                for _ in range(writer.poisson(mean)):
                    out[source].append(social_item(writer, brands, day, source))
        for brand, app in APPS.items():
            mean = float(app["rate"]) * weekday * writer.lift((brand,), day, "reddit")
            for _ in range(writer.poisson(mean)):
                out["appstore"].append(social_item(writer, (brand,), day, "appstore"))
        day += timedelta(days=1)
    last = datetime.combine(END, time(23, 59, 59), TZ)
    return {
        k: sorted((i for i in v if i.when <= last), key=lambda i: i.when) for k, v in out.items()
    }


def social_item(writer: Writer, brands: tuple[str, ...], day: date, source: str) -> Item:
    event = writer.event(brands, day)
    kind = (
        "comment"
        if source in ("hackernews", "lemmy") and writer.rng.random() < 0.5
        else "submission"
    )
    item = Item(kind, brands, writer.mood(brands, day, event), writer.at(day, "reddit"))
    item.event = event
    item.author = writer.user()
    item.title = writer.thread_title(item) if kind == "submission" else ""
    item.sentences = writer.body(item, writer.rng.randint(1, 2))
    if source in ("mastodon", "bluesky") and brands and writer.rng.random() < 0.06:
        # A few posts in Dutch: the brands' home market.
        item.sentences = [writer.fill(writer.rng.choice(DUTCH[item.mood]), item)]
        item.subreddit = "nl"
    item.score = writer.engagement(item, 1.6)
    item.num_comments = writer.poisson(2.0)
    return item


def stamp(moment: datetime, digits: int = 3) -> str:
    """Return an ISO time in UTC with a Z, to `digits` decimals of a second."""
    text = moment.astimezone(UTC).isoformat(timespec="microseconds")[: 20 + digits]
    return text.rstrip(".") + "Z"


def hn_hit(item: Item, number: int) -> dict[str, object]:
    text = " ".join(item.sentences)
    story = item.channel == "submission"
    parent = 45_000_000 + number - 3
    return {
        "created_at": stamp(item.when),
        "title": item.title if story else None,
        "url": None,
        "author": item.author,
        "points": item.score if story else None,
        "story_text": f"<p>{escape(text)}</p>" if story else None,
        "comment_text": None if story else f"<p>{escape(text)}</p>",
        "num_comments": item.num_comments if story else None,
        "story_id": None if story else parent,
        "story_title": None if story else "Ask HN: Which e-bike for a daily commute?",
        "parent_id": None if story else parent,
        "created_at_i": int(item.when.timestamp()),
        "_tags": ["story" if story else "comment", f"author_{item.author}"],
        "objectID": str(45_000_000 + number),
    }


def mastodon_status(item: Item, number: int) -> dict[str, object]:
    home = MASTODON_INSTANCES[number % len(MASTODON_INSTANCES)]
    ident = str((int(item.when.timestamp() * 1000) << 16) + number % 65536)
    user = item.author or "anonymous"
    tags = [m.casefold() for m in item.brands][:1]
    html = "".join(f"<p>{escape(s)}</p>" for s in item.sentences)
    if tags:
        link = f'<a href="https://{home}/tags/{tags[0]}" class="mention hashtag">'
        html += f"<p>{link}#<span>{tags[0]}</span></a></p>"
    return {
        "id": ident,
        "created_at": stamp(item.when),
        "in_reply_to_id": None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": "nl" if item.subreddit == "nl" else "en",
        "uri": f"https://{home}/users/{user}/statuses/{ident}",
        "url": f"https://{home}/@{user}/{ident}",
        "replies_count": item.num_comments,
        "reblogs_count": item.score // 3,
        "favourites_count": item.score,
        "content": html,
        "reblog": None,
        "account": {
            "id": str(number),
            "username": user,
            "acct": f"{user}@{home}",
            "url": f"https://{home}/@{user}",
        },
        "tags": [{"name": t, "url": f"https://{home}/tags/{t}"} for t in tags],
    }


def bluesky_post(item: Item, number: int) -> dict[str, object]:
    did = f"did:plc:{base36(10**14 + sum(map(ord, item.author or 'x')) * 7919):0>16}"
    handle = f"{(item.author or 'someone').replace('_', '-')}.bsky.example"
    rkey = base36(int(item.when.timestamp() * 1000)) + base36(number)
    return {
        "uri": f"at://{did}/app.bsky.feed.post/{rkey}",
        "cid": f"bafyrei{base36(number * 104729 + 17):0>20}",
        "author": {"did": did, "handle": handle, "displayName": item.author},
        "record": {
            "$type": "app.bsky.feed.post",
            "createdAt": stamp(item.when),
            "langs": ["nl" if item.subreddit == "nl" else "en"],
            "text": " ".join(item.sentences)[:300],
        },
        "replyCount": item.num_comments,
        "repostCount": item.score // 4,
        "likeCount": item.score,
        "quoteCount": 0,
        "indexedAt": stamp(item.when + timedelta(seconds=2)),
        "labels": [],
    }


def lemmy_view(item: Item, number: int) -> tuple[str, dict[str, object]]:
    creator = {
        "id": 1000 + number,
        "name": item.author,
        "actor_id": f"https://{LEMMY_INSTANCE}/u/{item.author}",
        "local": True,
    }
    community = {
        "id": 7,
        "name": "ebikes",
        "title": "E-bikes",
        "actor_id": f"https://{LEMMY_INSTANCE}/c/ebikes",
        "nsfw": False,
    }
    when = stamp(item.when, 6)
    text = "\n\n".join(item.sentences)
    if item.channel == "submission":
        post = {
            "id": number,
            "name": item.title,
            "body": text,
            "published": when,
            "ap_id": f"https://{LEMMY_INSTANCE}/post/{number}",
            "removed": False,
            "deleted": False,
            "nsfw": False,
        }
        counts = {
            "post_id": number,
            "comments": item.num_comments,
            "score": item.score,
            "upvotes": item.score + 1,
            "downvotes": 1,
            "published": when,
        }
        return "posts", {"post": post, "creator": creator, "community": community, "counts": counts}
    thread = {
        "id": number - 1,
        "name": "Winter commuting on an e-bike",
        "ap_id": f"https://{LEMMY_INSTANCE}/post/{number - 1}",
    }
    comment = {
        "id": number,
        "content": text,
        "published": when,
        "ap_id": f"https://{LEMMY_INSTANCE}/comment/{number}",
        "removed": False,
        "deleted": False,
        "path": f"0.{number}",
    }
    counts = {
        "comment_id": number,
        "score": item.score,
        "upvotes": item.score + 1,
        "downvotes": 1,
        "published": when,
        "child_count": 0,
    }
    return "comments", {
        "comment": comment,
        "creator": creator,
        "post": thread,
        "community": community,
        "counts": counts,
    }


def app_review(item: Item, number: int) -> dict[str, object]:
    brand = item.brands[0]
    rating = {"positive": 5 - number % 2, "neutral": 3, "negative": 1 + number % 2}[item.mood]
    version = "4.2.0" if item.when.date() >= INCIDENT else "4.1.3"
    return {
        "author": {
            "name": {"label": item.author},
            "uri": {"label": f"https://itunes.apple.com/nl/reviews/id{70000 + number}"},
        },
        "content": {"attributes": {"type": "text"}, "label": " ".join(item.sentences)},
        "id": {"label": str(11_000_000_000 + number)},
        "im:contentType": {"attributes": {"label": "Application", "term": "Application"}},
        "im:rating": {"label": str(rating)},
        "im:version": {"label": version},
        "im:voteCount": {"label": str(item.num_comments)},
        "im:voteSum": {"label": str(item.num_comments // 2)},
        "link": {
            "attributes": {
                "href": f"https://apps.apple.com/nl/app/id{APPS[brand]['id']}",
                "rel": "related",
            }
        },
        "title": {"label": (item.title or item.sentences[0])[:60]},
        "updated": {"label": item.when.isoformat()},
    }


def pages(rows: list[object], size: int) -> list[list[object]]:
    """Split newest-first rows into pages of `size` (an API's page size)."""
    return [rows[i : i + size] for i in range(0, len(rows), size)] or [[]]


def dump(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def write_social(out: Path) -> None:
    """Write hackernews/, mastodon/, bluesky/, lemmy/ and appstore/ under `out`."""
    planned = social_items()
    for folder in planned:
        shutil.rmtree(out / folder, ignore_errors=True)
        (out / folder).mkdir(parents=True)
    hits = [hn_hit(i, n) for n, i in enumerate(planned["hackernews"], start=1)][::-1]
    for number, page in enumerate(pages(hits, 100), start=1):
        answer = {"hits": page, "nbHits": len(hits), "page": number - 1, "hitsPerPage": 100}
        dump(out / "hackernews" / f"search-{number:02d}.json", answer)
    statuses = [mastodon_status(i, n) for n, i in enumerate(planned["mastodon"], start=1)][::-1]
    for number, page in enumerate(pages(statuses, 40), start=1):
        dump(out / "mastodon" / f"tag-{number:02d}.json", page)
    posts = [bluesky_post(i, n) for n, i in enumerate(planned["bluesky"], start=1)][::-1]
    for number, page in enumerate(pages(posts, 100), start=1):
        dump(
            out / "bluesky" / f"search-{number:02d}.json",
            {"posts": page, "cursor": str(number * 100)},
        )
    views: dict[str, list[object]] = {"posts": [], "comments": []}
    for n, i in enumerate(planned["lemmy"], start=1):
        kind, view = lemmy_view(i, n)
        views[kind].insert(0, view)
    for number, (post_page, comment_page) in enumerate(
        zip(pages(views["posts"], 50), pages(views["comments"], 50), strict=False), start=1
    ):
        answer = {
            "type_": "All",
            "comments": comment_page,
            "posts": post_page,
            "communities": [],
            "users": [],
        }
        dump(out / "lemmy" / f"search-{number:02d}.json", answer)
    for brand, app in APPS.items():
        reviews = [
            app_review(i, n)
            for n, i in enumerate(planned["appstore"], start=1)
            if i.brands == (brand,)
        ][::-1]
        spec = {"id": app["id"], "brand": brand, "country": "nl", "name": app["name"]}
        for number, page in enumerate(pages(reviews, 50), start=1):
            feed = {
                "author": {"name": {"label": "iTunes Store"}},
                "entry": page,
                "title": {"label": "iTunes Store: Customer Reviews"},
            }
            dump(
                out / "appstore" / f"{slugify(str(app['name']), 30)}-{number:02d}.json",
                {"app": spec, "feed": feed},
            )


# ---------------------------------------------------------------------------------------
# Heron: a cargo-bike maker whose name is a word. Keyword searches for it on Bluesky and
# Mastodon also find the bird (commuters ride along canals), Heron of Alexandria and his
# formula: most hits are not about the company. The demo team marked some of each kind
# (marks.tsv); the relevance model learns from those marks and leaves the rest of the
# off-topic posts out of the counts. A third seeded stream, so the files above stay as
# they were.

HERON = "Heron"
HERON_SEED = SEED + 2
HERON_RATES = {"related": 0.22, "unrelated": 0.34}  # per day and source
HERON_OFF_TOPIC = (
    "Saw a grey heron standing on the canal bank on my ride in this morning.",
    "A heron took off right in front of me on the river path, what a wingspan.",
    "The heron at the pond in {city} park caught another fish today.",
    "Heron fishing in the ditch by the polder road at dawn. #birds",
    "Grey heron hunting in the shallows, so patient. #birdwatching",
    "Two herons are nesting in the trees behind the station in {city}.",
    "A heron on the roof of our bike shed just stared at me for ten minutes.",
    "The little egret and the heron were both out on the mudflats today.",
    "Heron's formula gives the area of a triangle from its three sides, neat trick.",
    "Reading about Heron of Alexandria and his steam engine, the aeolipile.",
    "The heron in our garden pond ate every goldfish, netting goes up tomorrow.",
    "Rode past the heron colony on the way to work, at least forty nests this year.",
    "Painted a heron in watercolour this weekend, the legs are the hard part.",
    "A heron was stalking frogs in the wet meadow next to the cycle path.",
    "Counted three herons along the river Vecht on a short walk.",
    "That heron by the lock gates is there every morning like a bridge keeper.",
)
HERON_MARKS = 36  # the demo team marked this many Heron posts, about half of each kind


def heron_items() -> dict[str, list[tuple[Item, bool]]]:
    """Plan the Heron posts of Bluesky and Mastodon: (item, about the company)."""
    writer = Writer(HERON_SEED)
    out: dict[str, list[tuple[Item, bool]]] = {"bluesky": [], "mastodon": []}
    day = START
    while day <= END:
        weekday = WEEKDAY["reddit"][day.weekday()]
        for planned in out.values():
            for kind, rate in HERON_RATES.items():
                for _ in range(writer.poisson(rate * weekday)):
                    related = kind == "related"
                    brands = (HERON,) if related else ()
                    mood = writer.mood((HERON,), day, "")
                    item = Item("submission", brands, mood, writer.at(day, "reddit"))
                    item.author = writer.user()
                    if related:
                        item.sentences = writer.body(item, writer.rng.randint(1, 2))
                    else:
                        item.mood = "neutral"
                        item.sentences = [writer.fill(writer.rng.choice(HERON_OFF_TOPIC), item)]
                    item.score = writer.engagement(item, 1.6)
                    item.num_comments = writer.poisson(1.0)
                    planned.append((item, related))
        day += timedelta(days=1)
    last = datetime.combine(END, time(23, 59, 59), TZ)
    return {
        k: sorted((p for p in v if p[0].when <= last), key=lambda p: p[0].when)
        for k, v in out.items()
    }


HERON_NUMBER = 60_000  # post numbers of this stream start here, apart from the others


def write_heron(out: Path) -> None:
    """Write the Heron search answers and marks.tsv (the demo team's marks) under `out`."""
    planned = heron_items()
    marks: list[tuple[str, str, str]] = []
    posts = []
    for n, (item, related) in enumerate(planned["bluesky"], start=HERON_NUMBER):
        post = bluesky_post(item, n)
        posts.append(post)
        marks.append(("bluesky", str(post["uri"]), "related" if related else "unrelated"))
    dump(out / "bluesky" / "search-heron-01.json", {"posts": posts[::-1], "cursor": None})
    statuses = []
    for n, (item, related) in enumerate(planned["mastodon"], start=HERON_NUMBER):
        # The #heron tag timeline carries the birds too: every post wears the tag.
        status = mastodon_status(replace(item, brands=(HERON,)), n)
        statuses.append(status)
        marks.append(("mastodon", str(status["uri"]), "related" if related else "unrelated"))
    dump(out / "mastodon" / "tag-heron-01.json", statuses[::-1])
    # The team marked posts spread over the period, about as many of each kind.
    rng = random.Random(HERON_SEED)
    chosen = []
    for label in ("related", "unrelated"):
        kind = [m for m in marks if m[2] == label]
        chosen += rng.sample(kind, HERON_MARKS // 2)
    lines = ["source\tnative_id\tbrand\tlabel"]
    lines += [f"{source}\t{native}\t{HERON}\t{label}" for source, native, label in sorted(chosen)]
    (out / "marks.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    lines = ["source\tnative_id\tbrand\tlabel"]
    lines += [f"{source}\t{native}\t{HERON}\t{label}" for source, native, label in marks]
    (out / "heron-truth.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def generate(out: Path) -> list[Item]:
    """Write feeds/ and reddit/ under `out` (replacing them) and return the planned items."""
    writer = Writer()
    items = writer.plan()
    assign_reddit_ids(items, writer.rng)
    for folder in ("feeds", "reddit"):
        shutil.rmtree(out / folder, ignore_errors=True)
    write_feeds(items, out / "feeds")
    write_reddit(items, out / "reddit")
    write_social(out)
    write_heron(out)
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write (default: here)")
    args = parser.parse_args()
    items = generate(args.out)
    brand_items = [i for i in items if i.brands and not i.automod]
    print(f"wrote {len(items)} items ({len(brand_items)} naming a brand) under {args.out}")


if __name__ == "__main__":
    main()
