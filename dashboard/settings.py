"""Which database and config the dashboard shows: the one module that asks the front door.

`brandpulse dashboard` starts Streamlit with `-- --db PATH --config PATH`; without them
(tests, a bare `streamlit run`) the front door's usual order applies: $BRANDPULSE_DB,
$BRANDPULSE_CONFIG, then brands.toml and its [settings] database.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from brandpulse.config import Config
from brandpulse.options import resolve


@dataclass(frozen=True)
class Settings:
    """The plain values every page needs from the front door."""

    db: Path
    config: Config
    # `--user`, else [dashboard] user: who acts when nobody signs in.
    user: str | None = None

    @property
    def timezone(self) -> str:
        """Return the IANA zone every time and daily bucket is shown in."""
        return self.config.settings.timezone


def parse_args(argv: Sequence[str]) -> tuple[Path | None, Path | None, str | None]:
    """Return the --db and --config paths and the --user passed after `--` to `streamlit run`."""
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--config", type=Path)
    parser.add_argument("--user")
    known, _ = parser.parse_known_args(list(argv))
    return known.db, known.config, known.user


def load(argv: Sequence[str] | None = None) -> Settings:
    """Resolve the database and load the config; raises ConfigError on a bad config."""
    db, config_path, user = parse_args(sys.argv[1:] if argv is None else argv)
    ctx = resolve(config_path, db)
    return Settings(db=ctx.db, config=ctx.config, user=user or ctx.config.dashboard.user)
