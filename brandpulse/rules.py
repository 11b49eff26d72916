"""Turn the loaded config into analysis Rules, parsing every brand query once."""

from __future__ import annotations

import textwrap
from pathlib import Path

from brandpulse.analysis.query import Node, QuerySyntaxError, Term, any_of, parse_query
from brandpulse.analysis.query import Or as OrNode
from brandpulse.analysis.relevance import DEFAULT_THRESHOLD, Signals
from brandpulse.analysis.rules import BrandRule, CampaignRule, Rules
from brandpulse.config import Brand, Config, project_model_path
from brandpulse.privacy import pseudonym
from brandpulse.store.errors import ConfigError


def rules_from_config(
    config: Config, author_key: str | None = None, database: Path | None = None
) -> Rules:
    """Build the analysis rules; a malformed brand query is a ConfigError naming its position.

    With `author_key` (authors stored as keyed hashes), excluded authors are matched by
    their pseudonym as well as by handle. A project model adopted by `brandpulse sentiment
    train` beside `database` (default: the configured one) replaces the shipped model.
    """
    project = project_model_path(database or config.settings.database)
    return Rules(
        brands=tuple(brand_rule(b, config, author_key) for b in config.brands),
        campaigns=tuple(
            CampaignRule(
                name=c.name,
                brand=c.brand,
                start=c.start,
                end=c.end,
                terms=tuple(Term(" ".join(t.split())) for t in c.terms),
            )
            for c in config.campaigns
        ),
        positive_threshold=config.settings.positive_threshold,
        negative_threshold=config.settings.negative_threshold,
        timezone=config.settings.timezone,
        scorer=config.analysis.scorer,
        languages=config.settings.languages,
        model_path=project if project is not None and project.is_file() else None,
        accurate_tier=config.analysis.accurate_tier,
    )


def brand_query(brand: Brand, config: Config | None = None) -> tuple[Node, str]:
    """Return a brand's parsed query and its text: `query` OR its aliases, else its keywords."""
    if not brand.query:
        terms = brand.search_terms
        return any_of(terms), " OR ".join(_quoted(t) for t in terms)
    try:
        node = parse_query(brand.query)
    except QuerySyntaxError as exc:
        where = f"{config.path}: " if config is not None and config.path else ""
        kind = "competitors" if brand.competitor else "brands"
        raise ConfigError(
            f"{where}[[{kind}]] {brand.name!r} query: {exc.message} at position {exc.position}"
            f"\n{textwrap.indent(exc.pointer(), '    ')}",
            'fix the query: words and "quoted phrases" joined by AND, OR, NOT and parentheses,'
            " e.g. '\"acme corp\" OR (acme NOT coyote)'",
        ) from None
    text = brand.query
    if brand.aliases:
        node = OrNode((node, any_of(brand.aliases)))
        text = f"({brand.query}) OR " + " OR ".join(_quoted(a) for a in brand.aliases)
    return node, text


def brand_rule(
    brand: Brand, config: Config | None = None, author_key: str | None = None
) -> BrandRule:
    """Convert one configured brand (or competitor) into its matching rule."""
    node, text = brand_query(brand, config)
    authors = brand.exclude_authors
    if author_key:
        authors = (*authors, *(pseudonym(a, author_key) for a in authors))
    return BrandRule(
        name=brand.name,
        query=node,
        query_text=text,
        exclude=tuple(Term(" ".join(t.split())) for t in brand.exclude),
        exclude_sites=brand.exclude_sites,
        exclude_subreddits=brand.exclude_subreddits,
        exclude_authors=authors,
    )


def _quoted(term: str) -> str:
    return f'"{term}"' if " " in term else term


def relevance_signals(config: Config) -> dict[str, Signals]:
    """Return each brand's relevance signals: its names, exclusions, context words, threshold."""
    out = {}
    for brand in config.brands:
        out[brand.name] = Signals(
            name=brand.name,
            terms=(*brand.keywords, *brand.aliases),
            exclude=tuple(brand.exclude),
            context=brand.context,
            not_context=brand.not_context,
            threshold=DEFAULT_THRESHOLD if brand.threshold is None else brand.threshold,
        )
    return out
