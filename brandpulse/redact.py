"""Remove known secret values from run errors and warnings before they are stored or printed."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus

from brandpulse.store.records import RunReport

REDACTED = "[redacted]"
# Shorter values would match ordinary words; no real credential is this short.
SHORTEST = 4
# Base64 characters that encode nothing but secret bits: shorter runs would also match
# ordinary text by chance.
SHORTEST_BASE64 = 6


def _base64_runs(value: bytes) -> set[str]:
    """Return the base64 text that encodes `value` wherever it sits in a longer input.

    Base64 turns 3 bytes into 4 characters, so a secret inside `id:secret` is encoded
    differently at each of the 3 byte offsets. For each offset this keeps the characters
    made of the secret's bits alone, e.g. `abc` at offset 1 of `?abc`: `P2FiYw==` keeps `FiY`.
    """
    runs = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + value).decode().rstrip("=")
        start = -(-offset * 8 // 6)  # first character whose 6 bits all belong to `value`
        end = (offset + len(value)) * 8 // 6
        run = encoded[start:end]
        if len(run) >= SHORTEST_BASE64:
            runs |= {run, run.replace("+", "-").replace("/", "_")}
    return runs


def secret_forms(values: Iterable[str | None]) -> list[str]:
    """Return every form a secret may take in a message (as is, URL-encoded, base64 alone
    or inside `id:secret`), longest first."""
    known = [value for value in values if value and len(value) >= SHORTEST]
    forms: set[str] = set()
    for value in known:
        forms |= {value, quote(value, safe=""), quote_plus(value)}
        forms |= _base64_runs(value.encode())
        # HTTP Basic credentials, `id:secret`, whole (the runs above leave its edges).
        for other in known:
            pair = base64.b64encode(f"{value}:{other}".encode()).decode()
            forms |= {pair, pair.rstrip("=")}
    return sorted(forms, key=len, reverse=True)


def scrub(text: str, values: Iterable[str | None]) -> str:
    """Return `text` with every form of the secret `values` replaced by [redacted].

    A message may hold only the start of a form (an error body cut at 160 characters in the
    middle of `Basic <base64>`), so any start of a form at least SHORTEST_BASE64 long goes too.
    """
    for form in secret_forms(values):
        for end in range(len(form), SHORTEST_BASE64 - 1, -1):
            if form[:end] in text:
                text = text.replace(form[:end], REDACTED)
    return text


def _scrub_any(value: Any, values: list[str | None]) -> Any:
    if isinstance(value, str):
        return scrub(value, values)
    if isinstance(value, dict):
        return {key: _scrub_any(item, values) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub_any(item, values) for item in value]
    return value


def scrub_report(report: RunReport, values: Iterable[str | None]) -> RunReport:
    """Scrub a run's errors, warnings and per-item details in place; return the report."""
    known = list(values)
    report.errors[:] = [scrub(e, known) for e in report.errors]
    report.warnings[:] = [scrub(w, known) for w in report.warnings]
    for item in report.items:
        item.error = scrub(item.error, known) if item.error else item.error
        item.facts = _scrub_any(item.facts, known)
    return report
