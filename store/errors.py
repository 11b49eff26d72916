"""The one exception tree every layer raises, so the CLI can turn any of them into one line."""

from __future__ import annotations


class BrandpulseError(Exception):
    """Base of every error brandpulse reports to a user; `fix` says what to do about it."""

    exit_code = 1

    def __init__(self, message: str, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return self.message if not self.fix else f"{self.message}\n  fix: {self.fix}"


class ConfigError(BrandpulseError):
    """A config file, option or environment variable is missing or malformed."""

    exit_code = 2


class SourceError(BrandpulseError):
    """One source (a feed, a subreddit, Reddit itself) could not be collected."""

    exit_code = 1


class StoreBusy(BrandpulseError):
    """The database or the collection lock is held by another process."""

    exit_code = 3
