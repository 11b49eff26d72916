"""Alerts leave the machine once per incident state, through real local webhook and SMTP servers."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from brandpulse import demo
from brandpulse.alerts import dispatch, render
from brandpulse.cli import main
from brandpulse.config import load_config
from tests.alerts.receivers import SECRET, Received, http_receiver, smtp_receiver
from tests.dashboard.running import free_port

DEMO_DIR = demo.DEMO_DIR


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database, built once; tests copy it."""
    db = tmp_path_factory.mktemp("alerts-demo") / "demo.duckdb"
    demo.build(db)
    return db


@pytest.fixture
def servers() -> Iterator[tuple[str, Received, int, Received]]:
    with http_receiver() as (url, web), smtp_receiver() as (port, mail):
        yield url, web, port, mail


def demo_config(folder: Path, alerts: str) -> Path:
    """Write the demo's config with absolute feed paths and `alerts` appended."""
    text = (DEMO_DIR / "brands.toml").read_text(encoding="utf-8")
    text = re.sub(r'url = "feeds/', f'url = "{DEMO_DIR}/feeds/', text)
    text = text.replace(
        'timezone = "Europe/Amsterdam"',
        'timezone = "Europe/Amsterdam"\ndashboard_url = "https://listening.example"',
    )
    path = folder / "brands.toml"
    path.write_text(text + "\n" + alerts, encoding="utf-8")
    return path


def channels(url: str, smtp_port: int, lookback: int = 3650) -> str:
    return f"""
[[alerts]]
channel = "slack"
url = "{url}/slack"
lookback_days = {lookback}

[[alerts]]
channel = "teams"
url = "{url}/teams"
lookback_days = {lookback}

[[alerts]]
channel = "webhook"
url = "{url}/hook"
secret_env = "BP_TEST_HOOK_SECRET"
lookback_days = {lookback}

[[alerts]]
channel = "email"
smtp_host = "127.0.0.1"
smtp_port = {smtp_port}
smtp_security = "none"
sender = "alerts@brandpulse.example"
recipients = ["team@brandpulse.example"]
lookback_days = {lookback}
"""


def health_page(config: Path, db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("BRANDPULSE_CONFIG", str(config))
    monkeypatch.setenv("BRANDPULSE_DB", str(db))
    st.cache_data.clear()
    at = AppTest.from_file(
        str(demo.DEMO_DIR.parents[1] / "dashboard" / "app.py"), default_timeout=60
    )
    at.run()
    at.switch_page("views/health.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def copy_db(demo_db: Path, folder: Path) -> Path:
    db = folder / "demo.duckdb"
    db.write_bytes(demo_db.read_bytes())
    return db


def test_collect_sends_one_alert_per_seeded_incident_and_a_second_collect_none(
    demo_db: Path,
    tmp_path: Path,
    servers: tuple[str, Received, int, Received],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, web, port, mail = servers
    monkeypatch.setenv("BP_TEST_HOOK_SECRET", SECRET)
    config = demo_config(tmp_path, channels(url, port))
    db = copy_db(demo_db, tmp_path)
    args = ["collect", "--source", "feeds", "--config", str(config), "--db", str(db)]
    assert main(args) == 0
    # The demo seeds one incident: Norvelo's firmware update, 21 and 22 October.
    for path in ("/slack", "/teams", "/hook"):
        assert len(web.on(path)) == 1, path
    assert web.bad_signatures == 0
    assert len(mail.mails) == 1
    event = json.loads(web.on("/hook")[0])
    assert event["type"] == "incident"
    assert event["incident"]["incident_id"] == "Norvelo:2026-10-21"
    assert event["incident"]["end"] == "2026-10-22"
    assert event["state"] == "over"
    assert event["link"] == (
        "https://listening.example/spikes?brand=Norvelo&period=custom&from=2026-10-21&to=2026-10-22"
    )
    assert event["terms"] and all(t["mentions"] >= 2 for t in event["terms"])
    assert event["mentions"] and event["mentions"][0]["url"].startswith("https://")
    slack = json.loads(web.on("/slack")[0])
    assert "Norvelo" in slack["text"] and slack["blocks"][0]["type"] == "header"
    teams = json.loads(web.on("/teams")[0])
    card = teams["attachments"][0]["content"]
    assert card["type"] == "AdaptiveCard" and card["actions"][0]["url"] == event["link"]
    # The e-mail: a plain-text part and an HTML part saying the same thing.
    message = mail.mails[0]
    assert "Norvelo" in message["Subject"]
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    incident = event["incident"]
    peak = f"{incident['peak_value']:,} mentions vs {incident['peak_expected']:.1f} expected"
    assert peak in plain and peak in html and peak in json.dumps(slack, ensure_ascii=False)
    assert event["link"] in plain and event["link"].replace("&", "&amp;") in html

    assert main(args) == 0
    for path in ("/slack", "/teams", "/hook"):
        assert len(web.on(path)) == 1, path
    assert len(mail.mails) == 1


def test_failed_deliveries_are_recorded_retried_with_back_off_and_sent_once(
    demo_db: Path,
    tmp_path: Path,
    servers: tuple[str, Received, int, Received],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, web, port, mail = servers
    monkeypatch.setenv("BP_TEST_HOOK_SECRET", SECRET)
    config = load_config(demo_config(tmp_path, channels(url, port)))
    db = copy_db(demo_db, tmp_path)
    env = {"BP_TEST_HOOK_SECRET": SECRET}
    web.status, mail.status = 500, 550
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    first = dispatch.run(db, config, env, now)
    assert (first.queued, first.sent, len(first.failed)) == (4, 0, 4)
    assert any("HTTP 500" in e for e in first.failed)
    assert any("SMTP error" in e and "550" in e for e in first.failed)
    with duckdb.connect(str(db), read_only=True) as con:
        run = con.execute(
            "SELECT status, errors FROM collection_runs WHERE source = 'alerts'"
        ).fetchall()
        assert [r[0] for r in run] == ["failed"] and len(run[0][1]) == 4
        retry = con.execute("SELECT DISTINCT next_attempt_at FROM alert_outbox").fetchall()
        assert [r[0] for r in retry] == [now + dispatch.BACKOFF]
    # Collection health says so, with the error and the fix.
    health = health_page(tmp_path / "brands.toml", db, monkeypatch)
    errors = [e.value for e in health.error]
    assert any("slack-1" in e and "HTTP 500" in e for e in errors), errors
    assert any("email-4" in e and "SMTP error" in e for e in errors), errors
    # Before the back-off has passed nothing is tried again.
    web.status, mail.status = 200, 200
    early = dispatch.run(db, config, env, now + timedelta(minutes=1))
    assert (early.queued, early.sent, early.failed) == (0, 0, [])
    assert web.posts == [] and mail.mails == []
    later = dispatch.run(db, config, env, now + dispatch.BACKOFF)
    assert (later.queued, later.sent, later.failed) == (0, 4, [])
    assert len(web.posts) == 3 and len(mail.mails) == 1
    again = dispatch.run(db, config, env, now + timedelta(hours=1))
    assert (again.queued, again.sent) == (0, 0)
    assert len(web.posts) == 3 and len(mail.mails) == 1


def test_slow_refusing_and_unsigned_channels_fail_cleanly(
    tmp_path: Path, servers: tuple[str, Received, int, Received], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, web, port, _ = servers
    closed = free_port()
    config = demo_config(
        tmp_path,
        f"""
[[alerts]]
name = "slow"
channel = "slack"
url = "{url}/slack"
timeout = 0.3

[[alerts]]
name = "refusing"
channel = "teams"
url = "http://127.0.0.1:{closed}/teams"

[[alerts]]
name = "signed"
channel = "webhook"
url = "{url}/hook"
secret_env = "BP_TEST_HOOK_SECRET"

[[alerts]]
name = "mail"
channel = "email"
smtp_host = "127.0.0.1"
smtp_port = {port}
smtp_security = "none"
sender = "alerts@brandpulse.example"
recipients = ["team@brandpulse.example"]
""",
    )
    monkeypatch.setenv("BP_TEST_HOOK_SECRET", "not-the-receivers-secret")
    web.delay = 1.0
    results = dict(dispatch.send_tests(load_config(config), {"BP_TEST_HOOK_SECRET": "wrong"}))
    assert "timed out" in (results["slow"] or "")
    assert "could not connect" in (results["refusing"] or "")
    assert results["signed"] == "HTTP 401 from the webhook webhook"
    assert web.bad_signatures == 1
    assert results["mail"] is None


def test_alerts_test_command_reports_each_channel(
    tmp_path: Path,
    servers: tuple[str, Received, int, Received],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, web, port, mail = servers
    monkeypatch.setenv("BP_TEST_HOOK_SECRET", SECRET)
    config = demo_config(tmp_path, channels(url, port))
    assert (
        main(["alerts", "test", "--config", str(config), "--db", str(tmp_path / "x.duckdb")]) == 0
    )
    err = capsys.readouterr().err
    assert [line for line in err.splitlines() if line.endswith(": ok")] == [
        "slack-1: ok",
        "teams-2: ok",
        "webhook-3: ok",
        "email-4: ok",
    ]
    assert json.loads(web.on("/hook")[0])["type"] == "test"
    assert "Test message" in mail.mails[0]["Subject"]


def test_digest_is_sent_once_per_period_and_channel(
    demo_db: Path,
    tmp_path: Path,
    servers: tuple[str, Received, int, Received],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, web, port, mail = servers
    monkeypatch.setenv("BP_TEST_HOOK_SECRET", SECRET)
    config = demo_config(tmp_path, channels(url, port, lookback=0))
    db = copy_db(demo_db, tmp_path)
    args = ["digest", "--period", "week", "--config", str(config), "--db", str(db)]
    assert main(args) == 0
    assert len(web.on("/hook")) == 1 and len(mail.mails) == 1
    digest = json.loads(web.on("/hook")[0])
    assert digest["type"] == "digest" and digest["period"] == "week"
    assert [b["brand"] for b in digest["brands"]] == ["Norvelo", "Pedalux", "Voltaro", "Heron"]
    assert any("Autumn Commute Challenge" in c for c in digest["campaigns"])
    assert main(args) == 0
    assert len(web.on("/hook")) == 1 and len(mail.mails) == 1


def test_incident_states_update_on_growth_and_note_the_end() -> None:
    prefix = "slack|Acme:2026-03-30|"
    open_medium = {"status": "growing", "severity": "medium"}
    assert dispatch.incident_states(open_medium, set(), prefix) == ["open:medium"]
    sent = {prefix + "open:medium"}
    assert dispatch.incident_states(open_medium, sent, prefix) == []
    grown = {"status": "growing", "severity": "high"}
    assert dispatch.incident_states(grown, sent, prefix) == ["open:high"]
    calmer = {"status": "ongoing", "severity": "low"}
    assert dispatch.incident_states(calmer, sent, prefix) == []
    over = {"status": "over", "severity": "high"}
    assert dispatch.incident_states(over, sent, prefix) == ["over"]
    assert dispatch.incident_states(over, sent | {prefix + "over"}, prefix) == []


def test_quiet_hours_hold_messages_until_they_end() -> None:
    config = load_config(DEMO_DIR / "brands.toml")
    from brandpulse.config import Alert

    alert = Alert(channel="slack", url="http://127.0.0.1:1/x", quiet_hours="22:00-07:00")
    tz = config.settings.timezone  # Europe/Amsterdam: UTC+1 in November
    night = datetime(2026, 11, 30, 22, 30, tzinfo=UTC)  # 23:30 local
    assert dispatch.quiet_until(alert, night, tz) == datetime(2026, 12, 1, 6, tzinfo=UTC)
    day = datetime(2026, 11, 30, 12, tzinfo=UTC)
    assert dispatch.quiet_until(alert, day, tz) is None


def test_the_signature_is_hmac_sha256_of_the_body() -> None:
    body = render.webhook_body(render.test_message("hook"))
    import hashlib
    import hmac

    assert (
        render.signature("k", body) == "sha256=" + hmac.new(b"k", body, hashlib.sha256).hexdigest()
    )
