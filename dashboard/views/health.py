"""Collection health: per source the last run, its status, counts and errors, and data freshness."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pandas as pd
import streamlit as st
from brandpulse.dashboard import data, frame, ui

# A source whose last successful run is older than this is flagged as stale.
STALE_AFTER = timedelta(hours=24)
# This many failed runs in a row is "failing repeatedly", not a passing hiccup.
FAILING_STREAK = 3
# Words rather than emoji: a server without an emoji font would draw empty boxes.
STATUS_WORDS = {
    "ok": "OK",
    "partial": "Partial",
    "failed": "Failed",
    "running": "Running",
    "interrupted": "Interrupted",
    "refused": "Refused",
}

here = frame.current()
tz = here.tz
st.title("Collection health")
now = datetime.now(UTC)

health = data.source_health(here.reader, here.key)
configured = list(here.config.sources)
never_run = [s for s in configured if s not in set(health["source"])]

if health.empty:
    st.info("No collection has run yet: run `brandpulse collect` (or schedule it with cron).")
for name in never_run:
    if not health.empty:
        st.warning(f"**{ui.plain(name)}** is configured but has never been collected.")


def _ago(value: object) -> str:
    if value is None or pd.isna(value):
        return "never"
    instant = pd.Timestamp(value).to_pydatetime()
    hours = (now - instant).total_seconds() / 3600
    local = pd.Timestamp(value).tz_convert(tz)
    when = f"{local:%Y-%m-%d %H:%M}"
    if hours < 1:
        return f"{when} ({max(0, round(hours * 60))} min ago)"
    if hours < 48:
        return f"{when} ({hours:.0f} h ago)"
    return f"{when} ({hours / 24:.0f} days ago)"


for row in health.itertuples(index=False):
    with st.container(border=True):
        source = ui.plain(row.source)
        st.subheader(source)
        streak = int(row.failed_streak)
        if streak >= FAILING_STREAK:
            st.error(
                f"{source} has failed {streak} runs in a row. Check the errors below, then"
                f" run `brandpulse collect --source {row.source}` to try again."
            )
        last_ok = None if pd.isna(row.last_ok) else pd.Timestamp(row.last_ok).to_pydatetime()
        if last_ok is None:
            st.warning(f"{source} has never completed a run: its data may be missing.")
        elif now - last_ok > STALE_AFTER:
            st.warning(
                f"{source} data is stale: the last successful run ended {_ago(row.last_ok)}."
                " Is the cron job still running?"
            )
        cols = st.columns(6)
        cols[0].metric("Status", STATUS_WORDS.get(row.last_status, ui.plain(row.last_status)))
        cols[1].metric("Fetched", f"{int(row.fetched):,}")
        cols[2].metric("New", f"{int(row.new):,}")
        cols[3].metric("Updated", f"{int(row.updated):,}")
        cols[4].metric("Skipped", f"{int(row.skipped):,}")
        cols[5].metric("Errors", f"{int(row.error_count):,}")
        st.caption(
            f"Last run started {_ago(row.last_started)}; last success {_ago(row.last_ok)};"
            f" {ui.plural(int(row.runs), 'run')} recorded. Times in {ui.plain(tz)}."
        )
        errors = list(row.errors) if row.errors is not None else []
        if errors:
            with st.expander(f"Errors of the last run ({len(errors)})", expanded=streak > 0):
                # Error texts come from remote servers: shown as plain text, never markup.
                st.text("\n".join(str(e) for e in errors[:50]))
        warnings = list(row.warnings) if row.warnings is not None else []
        if warnings:
            with st.expander(f"Warnings of the last run ({len(warnings)})"):
                st.text("\n".join(str(w) for w in warnings[:50]))
        try:
            details = json.loads(row.details) if row.details else []
        except ValueError:
            details = []
        if isinstance(details, list) and details and all(isinstance(d, dict) for d in details):
            # Items name their own kind (feed, subreddit, ...): one kind titles the list.
            kinds = {str(d.get("kind", "item")) for d in details}
            noun = kinds.pop() if len(kinds) == 1 else "item"
            with st.expander(f"Per {noun} ({len(details)})"):
                ui.table(pd.DataFrame(details))

st.subheader("Data freshness")
freshness = data.data_freshness(here.reader, here.key)
if freshness.empty:
    st.caption("No mentions stored yet.")
else:
    shown = freshness.assign(
        newest_published=ui.to_local(freshness["newest_published"], tz),
        last_collected=ui.to_local(freshness["last_collected"], tz),
    )
    ui.table(
        shown,
        columns={
            "source": "Source",
            "mentions": st.column_config.NumberColumn("Mentions", format="%d"),
            "newest_published": ui.time_column("Newest published", tz),
            "last_collected": ui.time_column("Last collected", tz),
        },
    )

st.subheader("Recent runs")
history = data.run_history(here.reader, here.key, 50)
if history.empty:
    st.caption("No runs recorded.")
else:
    history = history.assign(
        started_at=ui.to_local(history["started_at"], tz),
        ended_at=ui.to_local(history["ended_at"], tz),
        errors=history["errors"].map(lambda e: "; ".join(map(str, e))[:300] if len(e) else ""),
    )
    ui.table(
        history,
        columns={
            "run_id": "Run",
            "source": "Source",
            "status": "Status",
            "fetched": "Fetched",
            "new": "New",
            "updated": "Updated",
            "skipped": "Skipped",
            "started_at": ui.time_column("Started", tz, seconds=True),
            "ended_at": ui.time_column("Ended", tz, seconds=True),
            "error_count": "Errors",
            "errors": "Error messages",
        },
    )

st.subheader("Alert delivery")
delivery = data.alert_delivery(here.reader, here.key)
if delivery.empty:
    st.caption("No alert has been queued: add [[alerts]] to brands.toml to send incidents out.")
else:
    for row in delivery.itertuples(index=False):
        if row.pending or row.failed:
            st.error(
                f"**{row.channel}**: {int(row.pending)} alert(s) waiting for a retry,"
                f" {int(row.failed)} given up. Last error: {row.last_error}."
                " Fix: check the channel's URL or SMTP settings, then `brandpulse alerts test`."
            )
    ui.table(
        delivery.assign(
            last_sent_at=ui.to_local(delivery["last_sent_at"], tz),
            next_attempt_at=ui.to_local(delivery["next_attempt_at"], tz),
        ),
        columns={
            "channel": "Channel",
            "sent": "Sent",
            "pending": "Retrying",
            "failed": "Given up",
            "last_sent_at": ui.time_column("Last sent", tz),
            "last_error": "Last error",
            "next_attempt_at": ui.time_column("Next attempt", tz),
        },
    )
