"""`brandpulse analyze`: re-apply brand queries and campaigns to stored mentions, and re-score.

Run it after editing brand queries or campaigns in brands.toml, or with --rescore after
a scorer change. Users' corrections are kept and still win over any new label.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from brandpulse import privacy, progress
from brandpulse import relevance as relevance_step
from brandpulse.analysis.campaigns import match_campaigns
from brandpulse.analysis.matcher import match_mentions
from brandpulse.analysis.sentiment import rules_scorer, score_mentions
from brandpulse.analysis.terms import stored_terms
from brandpulse.copies import group_on as group_copies
from brandpulse.options import ConfigOption, DbOption, resolve
from brandpulse.rules import rules_from_config
from brandpulse.store import analytics, term_cache, trigram_bits
from brandpulse.store.backend import retry_conflicts, sources_lock
from brandpulse.store.connection import collection_lock, read_connection, write_connection
from brandpulse.store.errors import ConfigError
from brandpulse.store.relevance import write_relevance
from brandpulse.store.writes import transaction, write_analysis

BATCH = 20_000


@dataclass
class Tally:
    mentions: int = 0
    matched: int = 0
    scored: int = 0
    brand_rows: int = 0
    campaign_rows: int = 0
    left_out: int = 0


def command(
    rescore: Annotated[
        bool,
        typer.Option(
            "--rescore", help="Re-score every mention, not only unscored or outdated ones."
        ),
    ] = False,
    batch: Annotated[
        int, typer.Option("--batch", min=100, help="Mentions read and written at a time.")
    ] = BATCH,
    config: ConfigOption = None,
    db: DbOption = None,
) -> int:
    """Re-match every stored mention against the configured brands and campaigns and label
    the ones that need it.

    A mention is (re-)scored when it has no label, its label came from another scorer
    version, the brands it matches changed (long texts are scored on the brand's
    sentences), or --rescore is given. Mentions that no longer match any brand leave the
    trends but stay stored. Exit 3 while a collection runs.
    """
    ctx = resolve(config, db, write=True)
    if not ctx.config.brands:
        raise ConfigError(
            "no brands are configured, so there is nothing to match",
            "add [[brands]] to brands.toml (or pass --config)",
        )
    rules = rules_from_config(ctx.config, privacy.author_key(ctx.config, ctx.secrets), ctx.db)
    scorer = rules_scorer(rules)
    tally = Tally()
    after = ""
    with collection_lock(ctx.db):
        # Relevance is re-scored for every match: models retrain from the marks (cached by
        # version) and scoring is cheap, so a threshold or context edit always takes effect.
        models, marked = relevance_step.load_models(ctx.db, ctx.config)
        while True:
            # Read, work, then write in separate short connections, so the dashboard's
            # readers get in between batches.
            with read_connection(ctx.db) as con:
                mentions = analytics.mentions_after(con, after, batch)
                state = analytics.analysis_state(con, [m.id for m in mentions])
            if not mentions:
                break
            after = mentions[-1].id
            brands = match_mentions(mentions, rules.brands)
            brands_of: dict[str, set[str]] = {}
            for match in brands:
                brands_of.setdefault(match.mention_id, set()).add(match.brand)
            matched = [m for m in mentions if m.id in brands_of]
            stale = [
                m
                for m in matched
                if rescore or state.get(m.id) != (scorer.version, frozenset(brands_of[m.id]))
            ]
            campaigns = match_campaigns(matched, brands, rules.campaigns, rules.timezone)
            labels = score_mentions(stale, brands, rules, scorer)
            relevance = relevance_step.score(models, marked, matched, brands)

            # The batch's sources' collectors wait (a lake has no write lock of the whole
            # database); a commit that still loses a race to another writer is repeated.
            with sources_lock(ctx.db, {m.source for m in mentions}):
                retry_conflicts(
                    ctx.db,
                    functools.partial(
                        _write_batch,
                        ctx.db,
                        rescore,
                        (mentions, brands, campaigns, labels, relevance, matched),
                    ),
                )
            tally.left_out += sum(1 for r in relevance if not r.counted)
            tally.mentions += len(mentions)
            tally.matched += len(matched)
            tally.scored += len(labels)
            tally.brand_rows += len(brands)
            tally.campaign_rows += len(campaigns)
            progress.say(f"analysed {tally.mentions} mentions...")
        with read_connection(ctx.db) as con:
            total, agreement = analytics.agreement_rate(analytics.correction_agreement(con))
    typer.echo(
        f"analysed {tally.mentions} mentions: {tally.matched} match a brand"
        f" ({tally.brand_rows} brand matches, {tally.campaign_rows} campaign matches),"
        f" {tally.mentions - tally.matched} match none;"
        f" scored {tally.scored} with {scorer.name} {scorer.version};"
        f" {tally.left_out} brand matches below their relevance threshold are left out"
    )
    if total:
        typer.echo(
            f"user corrections: {total}; the scorer's label agrees with {agreement:.0%} of them"
            " (corrections win over the scorer everywhere)"
        )
    return 0


def _write_batch(db: Path, rescore: bool, batch: tuple[list[Any], ...]) -> None:
    """Write one batch's analysis in one transaction (repeated whole if it loses a race)."""
    mentions, brands, campaigns, labels, relevance, matched = batch
    with write_connection(db) as con, transaction(con):
        write_analysis(con, [m.id for m in mentions], brands, campaigns, labels)
        write_relevance(con, relevance)
        if rescore:
            # Fingerprints too, so mentions stored before copy grouping join it.
            group_copies(con, matched)
            # And the sampled mentions' terms, for those stored before terms were.
            term_cache.store(
                con, stored_terms, "SELECT unnest(?::VARCHAR[])", [[m.id for m in mentions]]
            )
            # And the trigram bits a search narrows by, for any a cut-short migration left.
            trigram_bits.fill(con, len(mentions), [m.id for m in mentions])
