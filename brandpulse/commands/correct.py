"""`brandpulse correct`: set a mention's sentiment by hand; it wins over the scorer from then on."""

from __future__ import annotations

from typing import Annotated

import typer

from brandpulse.analysis.sentiment import LABELS
from brandpulse.options import ConfigOption, DbOption, resolve
from brandpulse.store import analytics
from brandpulse.store.connection import read_connection, write_connection
from brandpulse.store.errors import ConfigError
from brandpulse.store.writes import correct_sentiment, transaction


def command(
    mention_id: Annotated[
        str, typer.Argument(help="The mention's id, as in exports and the dashboard.")
    ],
    label: Annotated[str, typer.Argument(help="positive, negative or neutral.")],
    config: ConfigOption = None,
    db: DbOption = None,
) -> int:
    """Correct a mention's sentiment label; trends, exports and re-scoring all keep it."""
    ctx = resolve(config, db, write=True)
    label = label.strip().lower()
    if label not in LABELS:
        raise ConfigError(f"unknown label {label!r}", "use positive, negative or neutral")
    with write_connection(ctx.db) as con, transaction(con):
        found = correct_sentiment(con, mention_id, label)
    if not found:
        raise ConfigError(
            f"no mention with id {mention_id!r}",
            "copy it from the Id column of the dashboard's Mentions page, or the id column of"
            " `brandpulse export --what mentions`",
        )
    with read_connection(ctx.db) as con:
        total, agreement = analytics.agreement_rate(analytics.correction_agreement(con))
    typer.echo(f"{mention_id}: {label}")
    typer.echo(f"corrections so far: {total}; the scorer agrees with {agreement:.0%} of them")
    return 0
